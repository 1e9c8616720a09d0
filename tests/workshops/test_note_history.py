"""What the admin's history page says about a note's and an action's changes."""

import re
from html import unescape

import pytest
from django.urls import reverse

from accounts import roles
from actions.models import ActionItem
from tests.conftest import client_for
from tests.factories import (
    ActionItemFactory,
    ContributionFactory,
    FlipchartGroupFactory,
    UserFactory,
)
from workshops.models import Area

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:workshops_contribution_changelist")
ADD_TO_THEME = reverse("admin:workshops_contribution_add_to_theme")


def area(slug):
    return Area.objects.get(slug=slug)


@pytest.fixture
def group(facilitator):
    group = FlipchartGroupFactory(subject="Barriers")
    group.facilitators.add(facilitator)
    return group


@pytest.fixture
def second_organiser(db):
    return UserFactory(
        email="second.organiser@example.gov.uk", is_staff=True, roles=[roles.ORGANISERS]
    )


def run_action(client, action, notes):
    return client.post(
        f"{CHANGELIST}?triaged=all",
        {"action": action, "index": 0, "_selected_action": [note.pk for note in notes]},
        follow=True,
    )


def add_to_theme(client, notes, **data):
    ids = ",".join(str(note.pk) for note in notes)
    return client.post(
        f"{ADD_TO_THEME}?ids={ids}",
        {"theme": "", "new_theme_name": "", "area": "", **data},
        follow=True,
    )


def changes_listed(response) -> list[str]:
    """The history page's "Changes" entries as a reader sees them, one line each."""
    items = re.findall(r"<li>\s*<strong>(.*?)</li>", response.text, flags=re.S)
    return [" ".join(unescape(re.sub(r"<[^>]+>", " ", item)).split()) for item in items]


# The history page's wording


def test_the_history_says_set_for_a_first_area_and_triager_never_pk_none(organiser, group):
    note = ContributionFactory(group=group)
    client = client_for(organiser)
    run_action(client, f"move_to_area_{area('training').pk}", [note])
    run_action(client, f"move_to_area_{area('empowerment').pk}", [note])

    response = client.get(reverse("admin:workshops_contribution_history", args=[note.pk]))

    assert response.status_code == 200
    assert "pk=None" not in response.text
    assert "Deleted" not in response.text
    changes = changes_listed(response)
    assert "Area: set to Training" in changes
    assert f"Triaged by: set to {organiser}" in changes
    assert "Area: Training → Empowerment" in changes


def test_an_actions_history_uses_the_same_wording(organiser):
    action = ActionItemFactory()
    action.accountable = organiser
    action.save()

    response = client_for(organiser).get(
        reverse("admin:actions_actionitem_history", args=[action.pk])
    )

    assert response.status_code == 200
    assert f"Accountable person: set to {organiser}" in changes_listed(response)
    assert "pk=None" not in response.text
    assert ActionItem.history.count() == 2
