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
