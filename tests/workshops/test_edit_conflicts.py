"""Two organisers editing the same record in the admin: nobody's changes are silently lost."""

import threading
import time

import pytest
from django.db import transaction
from django.urls import reverse

from accounts import roles
from actions.models import ActionItem, Status
from actions.services import action_post_update
from tests.admin_pages import change_form_data
from tests.concurrency import at_once, needs_postgresql
from tests.conftest import client_for, restore_data_from_migrations
from tests.factories import ActionItemFactory, ContributionFactory, UserFactory, WorkshopFactory
from workshops.models import Contribution


@pytest.fixture
def other_organiser(db):
    return UserFactory(
        email="second.organiser@example.gov.uk", is_staff=True, roles=[roles.ORGANISERS]
    )


def action_url(action):
    return reverse("admin:actions_actionitem_change", args=[action.pk])


def open_action(user, action):
    client = client_for(user)
    return client, change_form_data(client.get(action_url(action)))


def test_the_second_organiser_to_save_an_action_is_told_what_the_first_changed(
    organiser, other_organiser, department_b
):
    action = ActionItemFactory(title="Unblock YouTube", description="")
    first, first_form = open_action(organiser, action)
    second, second_form = open_action(other_organiser, action)

    first_form |= {"title": "Unblock YouTube in every department", "owner": department_b.pk}
    assert first.post(action_url(action), first_form).status_code == 302
    second_form["description"] = "Ask the ICT Strategy Board first"
    response = second.post(action_url(action), second_form)

    assert response.status_code == 200
    assert (
        "Someone else changed the title and owner of this action item while you were "
        "editing it" in response.text
    )
    assert "Ask the ICT Strategy Board first" in response.text
    action.refresh_from_db()
    assert action.title == "Unblock YouTube in every department"
    assert action.description == ""
    print("\nFIGURE: admin edit conflicts: 1 conflicting save refused, 0 silent overwrites")


def test_saving_again_after_seeing_the_conflict_keeps_the_second_version(
    organiser, other_organiser
):
    action = ActionItemFactory(title="Unblock YouTube")
    first, first_form = open_action(organiser, action)
    second, second_form = open_action(other_organiser, action)
    assert first.post(action_url(action), first_form | {"title": "First"}).status_code == 302
    refused = second.post(action_url(action), second_form | {"title": "Second"})

    again = second.post(action_url(action), change_form_data(refused))

    assert again.status_code == 302
    action.refresh_from_db()
    assert action.title == "Second"


def test_two_organisers_editing_a_note_cannot_overwrite_each_other(organiser, other_organiser):
    note = ContributionFactory(text="Sites are blokced")
    url = reverse("admin:workshops_contribution_change", args=[note.pk])
    first, second = client_for(organiser), client_for(other_organiser)
    first_form = change_form_data(first.get(url))
    second_form = change_form_data(second.get(url))

    assert first.post(url, first_form | {"text": "Sites are blocked"}).status_code == 302
    response = second.post(url, second_form | {"text": "Sites are blocked at work"})

    assert response.status_code == 200
    assert "Someone else changed the text of this contribution" in response.text
    assert Contribution.objects.get(pk=note.pk).text == "Sites are blocked"


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_status_an_owner_posts_during_an_organisers_save_is_kept():
    """The admin loads the action before the save locks it: a status committed in between must
    not be written back as it was."""
    restore_data_from_migrations()
    organiser = UserFactory(is_staff=True, roles=[roles.ORGANISERS])
    action = ActionItemFactory(title="Unblock YouTube")
    client, form = open_action(organiser, action)
    owner_holds_the_lock = threading.Event()

    def owner_posts_done(n):
        with transaction.atomic():
            action_post_update(action=action, by=None, status=Status.DONE, note="Unblocked")
            owner_holds_the_lock.set()
            time.sleep(1)  # the organiser's save loads the old status, then waits for the lock

    def organiser_saves(n):
        owner_holds_the_lock.wait()
        return client.post(action_url(action), form | {"title": "Unblock video sites"})

    at_once(2, lambda n: [owner_posts_done, organiser_saves][n](n))

    action.refresh_from_db()
    assert (action.title, action.status) == ("Unblock video sites", Status.DONE)


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_organisers_saving_the_same_action_at_once_one_is_refused():
    restore_data_from_migrations()
    organisers = [
        UserFactory(email=f"organiser{n}@example.gov.uk", is_staff=True, roles=[roles.ORGANISERS])
        for n in range(2)
    ]
    action = ActionItemFactory(title="Unblock YouTube")
    opened = [open_action(organiser, action) for organiser in organisers]

    responses = at_once(
        2,
        lambda n: opened[n][0].post(action_url(action), opened[n][1] | {"title": f"Version {n}"}),
    )

    statuses = sorted(response.status_code for response in responses)
    overwrites = statuses.count(302) - 1
    print(f"\nFIGURE: 2 admin saves at once: {statuses}, silent overwrites {overwrites}")
    assert statuses == [200, 302]
    assert ActionItem.objects.get(pk=action.pk).title in {"Version 0", "Version 1"}


def test_two_organisers_editing_a_workshop_cannot_overwrite_each_other(organiser, other_organiser):
    workshop = WorkshopFactory(title="Social media: so what?", location="Room 2")
    url = reverse("admin:workshops_workshop_change", args=[workshop.pk])
    first, second = client_for(organiser), client_for(other_organiser)
    first_form = change_form_data(first.get(url))
    second_form = change_form_data(second.get(url))

    assert first.post(url, first_form | {"title": "Social media guidelines"}).status_code == 302
    response = second.post(url, second_form | {"location": "Room 3"})

    assert response.status_code == 200
    assert "Someone else changed the title of this workshop" in response.text
    workshop.refresh_from_db()
    assert (workshop.title, workshop.location) == ("Social media guidelines", "Room 2")
