import datetime

import pytest
from django.urls import reverse

from tests.conftest import client_for
from tests.factories import ContributionFactory, FlipchartGroupFactory, WorkshopFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:workshops_contribution_changelist")


def workshop_filter_titles(response) -> list[str]:
    spec = next(spec for spec in response.context["cl"].filter_specs if spec.title == "workshop")
    return [choice["display"] for choice in spec.choices(response.context["cl"])][1:]


def test_contribution_workshop_filter_offers_only_the_20_most_recent_workshops(organiser):
    for n in range(25):
        WorkshopFactory(title=f"Workshop on day {n}", date=datetime.date(2026, 1, 1 + n))

    response = client_for(organiser).get(f"{CHANGELIST}?triaged=no&removed=no")

    titles = workshop_filter_titles(response)
    assert len(titles) == 20
    assert titles[0] == "Workshop on day 24"
    assert "Workshop on day 4" not in titles


def test_contribution_workshop_filter_keeps_an_older_chosen_workshop_and_filters_by_it(organiser):
    oldest = WorkshopFactory(title="The oldest workshop", date=datetime.date(2020, 1, 1))
    for n in range(20):
        WorkshopFactory(date=datetime.date(2026, 1, 1 + n))
    ContributionFactory(group=FlipchartGroupFactory(workshop=oldest), text="An old note")
    ContributionFactory(text="A note from elsewhere")

    response = client_for(organiser).get(
        f"{CHANGELIST}?removed=no&triaged=all&group__workshop__id__exact={oldest.pk}"
    )

    assert "The oldest workshop" in workshop_filter_titles(response)
    assert [str(c) for c in response.context["cl"].result_list] == ["An old note"]


NONSENSE_IDS = ["abc", "1.5", "-1", "²", "\u0661", "9" * 25, " 1"]


@pytest.mark.parametrize("value", NONSENSE_IDS)
def test_contribution_list_shows_no_notes_for_a_nonsense_workshop_filter(organiser, value):
    ContributionFactory(text="A note nobody asked for")

    response = client_for(organiser).get(
        CHANGELIST, {"removed": "no", "triaged": "all", "group__workshop__id__exact": value}
    )

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == []


@pytest.mark.parametrize("value", NONSENSE_IDS)
def test_contribution_list_shows_no_notes_for_a_nonsense_group_filter(organiser, value):
    note = ContributionFactory(text="A note nobody asked for")
    filters = {"removed": "no", "triaged": "all", "group": value}
    client = client_for(organiser)

    within_a_workshop = client.get(
        CHANGELIST, {**filters, "group__workshop__id__exact": note.group.workshop_id}
    )
    # Without a workshop the group filter is not offered, and its value is ignored.
    alone = client.get(CHANGELIST, filters)

    assert within_a_workshop.status_code == 200
    assert list(within_a_workshop.context["cl"].result_list) == []
    assert alone.status_code == 200
