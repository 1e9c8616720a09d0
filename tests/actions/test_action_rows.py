"""Your actions keeps each action's rendered row and reuses it: never stale, never someone
else's list."""

import datetime

import pytest
from django.urls import reverse

from accounts import roles
from tests.conftest import client_for
from tests.factories import ActionItemFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def action(department_a):
    return ActionItemFactory(
        owner=department_a, title="Unblock the sites", due_date=datetime.date(2030, 1, 1)
    )


def your_actions(user) -> str:
    response = client_for(user).get(reverse("actions:action_list"))
    assert response.status_code == 200
    return response.text


def test_a_kept_row_changes_with_the_action_its_workshop_and_its_owner(action, owner_a):
    assert "Unblock the sites" in your_actions(owner_a)

    action.title = "Unblock the social media sites"
    action.save()
    action.workshop.title = "A renamed workshop"
    action.workshop.save()
    action.owner.name = "Department A, renamed"
    action.owner.save()

    content = your_actions(owner_a)
    assert "Unblock the social media sites" in content
    assert "A renamed workshop" in content
    assert "Department A, renamed" in content


def test_a_row_kept_for_one_owner_is_shown_only_to_those_who_may_see_the_action(
    action, owner_a, owner_b, department_a
):
    colleague = UserFactory(roles=[roles.OWNERS])
    department_a.members.add(colleague)
    your_actions(owner_a)

    assert "Unblock the sites" in your_actions(colleague)
    assert "Unblock the sites" not in your_actions(owner_b)


def test_the_tags_of_a_kept_row_follow_the_date(action, owner_a, time_machine):
    time_machine.move_to(datetime.datetime(2029, 12, 20, 12, tzinfo=datetime.UTC))
    assert "Due in 12 days" in your_actions(owner_a)

    time_machine.move_to(datetime.datetime(2030, 1, 2, 12, tzinfo=datetime.UTC))
    assert "Overdue" in your_actions(owner_a)
