"""An update must say something: a new status, a note or a proposed due date."""

import json

import pytest
from django.urls import reverse

from actions.models import Status, StatusUpdate
from actions.services import action_post_update
from tests.admin_pages import change_form_data
from tests.conftest import client_for
from tests.factories import ActionItemFactory

pytestmark = pytest.mark.django_db

NOTHING_CHANGED = "Select a new status, add a note or propose a new due date"


@pytest.fixture
def action(department_a):
    return ActionItemFactory(title="Unblock YouTube", owner=department_a)


def test_a_blank_update_on_the_owner_page_is_refused_and_stores_nothing(owner_a, action):
    client = client_for(owner_a)

    response = client.post(action.get_absolute_url(), {"status": "not_started", "note": "  "})

    assert response.status_code == 200
    assert "There is a problem" in response.text
    assert f'<a href="#id_status">{NOTHING_CHANGED}</a>' in response.text
    assert not action.updates.exists()


def test_a_note_or_a_new_status_alone_is_an_update(owner_a, action):
    client = client_for(owner_a)
    client.post(action.get_absolute_url(), {"status": "not_started", "note": "Asked IT"})
    client.post(action.get_absolute_url(), {"status": "in_progress", "note": ""})
    assert [(u.status, u.note) for u in action.updates.all()] == [
        (Status.NOT_STARTED, "Asked IT"),
        (Status.IN_PROGRESS, ""),
    ]


def test_the_service_refuses_a_blank_update_too(owner_a, action):
    with pytest.raises(ValueError, match=NOTHING_CHANGED):
        action_post_update(action=action, by=owner_a, status=Status.NOT_STARTED, note=" ")
    assert not StatusUpdate.objects.exists()


def test_a_blank_update_in_the_admin_is_refused_and_stores_nothing(organiser, action):
    url = reverse("admin:actions_actionitem_change", args=[action.pk])
    client = client_for(organiser)
    data = change_form_data(client.get(url))
    data.update(
        {
            "updates-2-TOTAL_FORMS": 1,
            "updates-2-0-status": Status.NOT_STARTED,
            "updates-2-0-note": "",
        }
    )

    response = client.post(url, data)

    assert response.status_code == 200
    assert NOTHING_CHANGED in response.text
    assert not action.updates.exists()


def test_the_public_latest_update_is_the_latest_that_says_something(owner_a, action, client):
    owner = client_for(owner_a)
    owner.post(action.get_absolute_url(), {"status": "not_started", "note": "Asked IT for a quote"})
    owner.post(action.get_absolute_url(), {"status": "in_progress", "note": ""})
    slug = action.workshop.slug

    html = client.get(reverse("progress:workshop_progress", kwargs={"slug": slug})).text
    feed = client.get(reverse("progress:workshop_progress_json", kwargs={"slug": slug}))

    assert "In progress" in html
    assert ": Asked IT for a quote</p>" in html
    (listed,) = json.loads(feed.content)["actions"]
    assert listed["status"] == "in_progress"
    assert listed["latest_update"]["note"] == "Asked IT for a quote"
