"""An action's due date moves one way only, with who, when, from, to and why: organisers move it
with a reason, owners propose a new one that organisers approve or reject."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from accounts import roles
from actions.models import DueDateChange
from actions.services import action_accept
from tests.admin_pages import change_form_data
from tests.conftest import client_for
from tests.factories import ActionItemFactory, UserFactory, WorkshopFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2027, 3, 1)
DUE = datetime.date(2027, 6, 1)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2027, 3, 1, 10, 0, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def workshop():
    return WorkshopFactory(date=datetime.date(2027, 2, 1))


@pytest.fixture
def action(workshop, department_a):
    return ActionItemFactory(
        workshop=workshop, title="Unblock YouTube", owner=department_a, due_date=DUE
    )


@pytest.fixture
def accepted(action, owner_a, department_a):
    deputy = UserFactory(email="deputy.a@example.gov.uk", roles=[roles.OWNERS])
    department_a.members.add(deputy)
    return action_accept(action=action, by=owner_a, accountable=owner_a, deputy=deputy)


def change_url(action):
    return reverse("admin:actions_actionitem_change", args=[action.pk])


def move_url(action):
    return reverse("admin:actions_actionitem_move_due_date", args=[action.pk])


def progress_url(action):
    return reverse("progress:workshop_progress", kwargs={"slug": action.workshop.slug})


# Organisers move a due date in the admin, always with a reason


def test_the_admin_change_form_shows_the_due_date_but_does_not_move_it(organiser, action):
    client = client_for(organiser)
    page = client.get(change_url(action))
    assert "due_date" not in page.context["adminform"].form.fields
    assert move_url(action) in page.text
    data = {**change_form_data(page), "due_date": "2027-12-31", "title": "Unblock YouTube now"}

    response = client.post(change_url(action), data)

    assert response.status_code == 302, response.context["errors"]
    action.refresh_from_db()
    assert action.title == "Unblock YouTube now"
    assert action.due_date == DUE
    assert not action.due_date_changes.exists()


def test_moving_the_due_date_in_the_admin_without_a_reason_is_refused(organiser, action):
    response = client_for(organiser).post(
        move_url(action), {"due_date": "2027-09-30", "reason": "  "}
    )

    assert response.status_code == 200
    assert "Enter a reason for the new date" in response.text
    action.refresh_from_db()
    assert action.due_date == DUE
    assert not action.due_date_changes.exists()


def test_a_due_date_moved_in_the_admin_is_one_change_shown_in_public_with_its_reason(
    organiser, action, client
):
    response = client_for(organiser).post(
        move_url(action), {"due_date": "2027-09-30", "reason": "The supplier went bust"}
    )

    assert response.status_code == 302
    assert response.url == change_url(action)
    action.refresh_from_db()
    assert (action.due_date, action.original_due_date) == (datetime.date(2027, 9, 30), DUE)
    change = action.due_date_changes.get()
    assert (change.old_date, change.new_date, change.by, change.reason) == (
        DUE,
        datetime.date(2027, 9, 30),
        organiser,
        "The supplier went bust",
    )
    assert change.state in DueDateChange.MOVED_STATES
    html = client.get(progress_url(action)).text
    assert "Due 30 September 2027 (first promised for 1 June 2027)" in html
    assert "the due date moved to 30 September 2027: The supplier went bust" in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"due_date": "2027-06-01", "reason": "No change"}, "Enter a date other than 1 June 2027"),
        ({"due_date": "2027-01-31", "reason": "Too early"}, "on or after the workshop"),
        ({"due_date": "", "reason": "Forgot"}, "Enter the new due date"),
    ],
)
def test_the_move_form_explains_what_is_wrong(organiser, action, data, message):
    response = client_for(organiser).post(move_url(action), data)
    assert message in response.text
    assert not action.due_date_changes.exists()


@pytest.mark.parametrize("persona", ["owner_a", "facilitator"])
def test_only_organisers_open_the_move_form(request, persona, action):
    client = client_for(request.getfixturevalue(persona))
    response = client.post(move_url(action), {"due_date": "2027-09-30", "reason": "Mine now"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
    action.refresh_from_db()
    assert action.due_date == DUE


# Owners propose; organisers decide


def test_an_owners_new_date_after_acceptance_waits_for_approval(
    owner_a, organiser, accepted, client
):
    owner = client_for(owner_a)
    response = owner.post(
        accepted.get_absolute_url(),
        {"status": "in_progress", "new_due_date": "30 9 2027", "reason": "Contract signed late"},
    )

    assert response.status_code == 302
    accepted.refresh_from_db()
    assert accepted.due_date == DUE
    proposal = accepted.due_date_changes.get()
    assert (proposal.state, proposal.new_date, proposal.by) == (
        DueDateChange.State.PROPOSED,
        datetime.date(2027, 9, 30),
        owner_a,
    )
    assert "An organiser will approve or reject it" in owner.get(response.url).text
    html = client.get(progress_url(accepted)).text
    assert "Due 1 June 2027" in html
    assert "30 September 2027" not in html

    decide = reverse(
        "actions:duedatechange_decide", kwargs={"pk": accepted.pk, "change_pk": proposal.pk}
    )
    client_for(organiser).post(decide, {"decision": "approve"})

    accepted.refresh_from_db()
    assert accepted.due_date == datetime.date(2027, 9, 30)
    change = accepted.due_date_changes.get()
    assert (change.state, change.old_date, change.decided_by) == (
        DueDateChange.State.APPROVED,
        DUE,
        organiser,
    )
    html = client.get(progress_url(accepted)).text
    assert "Due 30 September 2027 (first promised for 1 June 2027)" in html
    assert "moved to 30 September 2027: Contract signed late" in html


def test_before_acceptance_the_update_form_moves_no_date(owner_a, action):
    client = client_for(owner_a)
    assert "new_due_date" not in client.get(action.get_absolute_url()).context["form"].fields

    client.post(
        action.get_absolute_url(),
        {"status": "in_progress", "new_due_date": "30 9 2027", "reason": "Contract signed late"},
    )

    action.refresh_from_db()
    assert action.due_date == DUE
    assert not action.due_date_changes.exists()


def test_a_second_proposal_waits_until_the_first_is_decided(owner_a, accepted):
    client = client_for(owner_a)
    client.post(
        accepted.get_absolute_url(),
        {"status": "in_progress", "new_due_date": "30 9 2027", "reason": "Contract signed late"},
    )
    page = client.get(accepted.get_absolute_url())
    assert "new_due_date" not in page.context["form"].fields

    client.post(
        accepted.get_absolute_url(),
        {"status": "blocked", "note": "Stuck", "new_due_date": "31 12 2027", "reason": "Later"},
    )

    assert [c.new_date for c in accepted.due_date_changes.all()] == [datetime.date(2027, 9, 30)]


def test_organisers_on_the_owner_page_propose_like_anyone_else(organiser, accepted):
    client_for(organiser).post(
        accepted.get_absolute_url(),
        {"status": "in_progress", "new_due_date": "30 9 2027", "reason": "Contract signed late"},
    )
    accepted.refresh_from_db()
    assert accepted.due_date == DUE
    assert accepted.due_date_changes.get().state == DueDateChange.State.PROPOSED
