import datetime

import pytest
import time_machine
from django.urls import reverse

from accounts import roles
from actions.models import DueDateChange
from actions.services import action_accept
from tests.conftest import client_for
from tests.factories import ActionItemFactory, UserFactory

pytestmark = pytest.mark.django_db

DUE = datetime.date(2027, 6, 1)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2027, 3, 1, 10, 0, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def colleague(department_a):
    user = UserFactory(email="deputy.a@example.gov.uk", full_name="Dee Puty", roles=[roles.OWNERS])
    department_a.members.add(user)
    return user


@pytest.fixture
def action(department_a):
    return ActionItemFactory(title="Unblock YouTube", owner=department_a, due_date=DUE)


def accept_url(action):
    return reverse("actions:action_accept", kwargs={"pk": action.pk})


def accept(client, action, **data):
    return client.post(accept_url(action), {"due_date_choice": "confirm", **data})


def test_a_member_accepts_naming_an_accountable_person_and_a_deputy(owner_a, colleague, action):
    client = client_for(owner_a)
    page = client.get(action.get_absolute_url()).text
    assert "awaiting acceptance by Department A" in page
    assert "Accept this action" in page

    response = accept(client, action, accountable=owner_a.pk, deputy=colleague.pk)

    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.accountable, action.deputy, action.accepted_by) == (owner_a, colleague, owner_a)
    assert action.accepted_at is not None
    assert action.due_date == DUE
    assert not action.due_date_changes.exists()
    page = client.get(response.url).text
    assert "Action accepted" in page
    assert "awaiting acceptance" not in page
    assert "Deputy: Dee Puty" in page


def test_people_outside_the_organisation_cannot_be_named(owner_a, owner_b, action):
    outsider_in_role_less = UserFactory(email="no.role@example.gov.uk")
    action.owner.members.add(outsider_in_role_less)
    client = client_for(owner_a)

    for person in (owner_b, outsider_in_role_less):
        response = accept(client, action, accountable=owner_a.pk, deputy=person.pk)
        assert response.status_code == 200
        assert "Select someone who acts for Department A" in response.text

    html = client.get(accept_url(action)).text
    assert owner_b.get_full_name() not in html
    action.refresh_from_db()
    assert action.is_awaiting_acceptance


def test_the_service_refuses_outsiders_too(owner_a, owner_b, action):
    with pytest.raises(ValueError, match="must act for the organisation"):
        action_accept(action=action, by=owner_a, accountable=owner_a, deputy=owner_b)


def test_the_deputy_must_be_someone_else(owner_a, action):
    response = accept(client_for(owner_a), action, accountable=owner_a.pk, deputy=owner_a.pk)
    assert "The deputy must be someone other than the accountable person" in response.text


def test_nothing_chosen_gets_an_error_summary(owner_a, action):
    response = client_for(owner_a).post(accept_url(action), {})
    assert "There is a problem" in response.text
    assert "Select the accountable person" in response.text
    assert "Select a deputy" in response.text
    assert "Select whether you can meet the due date" in response.text


def test_proposing_another_date_needs_a_future_date_and_a_reason(owner_a, colleague, action):
    client = client_for(owner_a)
    people = {"accountable": owner_a.pk, "deputy": colleague.pk, "due_date_choice": "propose"}
    response = client.post(accept_url(action), people)
    assert "Enter the date you propose" in response.text
    assert "Enter a reason for the new date" in response.text

    response = client.post(
        accept_url(action), {**people, "proposed_due_date": "1 1 2027", "reason": "Budget"}
    )
    assert "Due date must be in the future" in response.text
    assert 'value="1 1 2027"' in response.text
    action.refresh_from_db()
    assert action.is_awaiting_acceptance


@pytest.fixture
def proposal(owner_a, colleague, action):
    client_for(owner_a).post(
        accept_url(action),
        {
            "accountable": owner_a.pk,
            "deputy": colleague.pk,
            "due_date_choice": "propose",
            "proposed_due_date": "30 9 2027",
            "reason": "The new network arrives in August",
        },
    )
    return action.due_date_changes.get()


def decide_url(proposal):
    return reverse(
        "actions:duedatechange_decide",
        kwargs={"pk": proposal.action_id, "change_pk": proposal.pk},
    )


def test_a_proposed_date_waits_for_the_organisers(owner_a, organiser, action, proposal):
    action.refresh_from_db()
    assert not action.is_awaiting_acceptance
    assert action.due_date == DUE
    assert proposal.state == DueDateChange.State.PROPOSED
    assert (proposal.old_date, proposal.new_date) == (DUE, datetime.date(2027, 9, 30))
    assert (
        "An organiser will approve or reject it"
        in client_for(owner_a).get(action.get_absolute_url()).text
    )
    assert "Unblock YouTube" in client_for(organiser).get(reverse("actions:action_list")).text


def test_organisers_approve_a_proposed_date(organiser, action, proposal):
    client = client_for(organiser)
    assert client.get(decide_url(proposal)).status_code == 200
    response = client.post(decide_url(proposal), {"decision": "approve"})
    assert response.status_code == 302
    action.refresh_from_db()
    proposal.refresh_from_db()
    assert action.due_date == datetime.date(2027, 9, 30)
    assert (proposal.state, proposal.decided_by) == (DueDateChange.State.APPROVED, organiser)
    html = client.get(action.get_absolute_url()).text
    assert "Originally 1 June 2027; moved 1 time" in html
    assert "The new network arrives in August" in html


def test_organisers_reject_a_proposed_date(organiser, action, proposal):
    client = client_for(organiser)
    client.post(decide_url(proposal), {"decision": "reject", "note": "Ministers expect June"})
    action.refresh_from_db()
    proposal.refresh_from_db()
    assert action.due_date == DUE
    assert proposal.state == DueDateChange.State.REJECTED
    assert "Ministers expect June" in client.get(action.get_absolute_url()).text
    assert client.get(decide_url(proposal)).status_code == 404


def test_a_decision_must_be_chosen(organiser, proposal):
    response = client_for(organiser).post(decide_url(proposal), {"decision": "maybe"})
    assert "Select whether you approve the new date" in response.text


def test_owners_cannot_decide_on_their_own_dates(owner_a, proposal):
    response = client_for(owner_a).post(decide_url(proposal), {"decision": "approve"})
    assert response.status_code == 404
    proposal.refresh_from_db()
    assert proposal.state == DueDateChange.State.PROPOSED


def test_other_organisations_cannot_accept(owner_b, action):
    response = client_for(owner_b).post(accept_url(action), {})
    assert response.status_code == 404


def test_organisers_who_are_not_members_cannot_accept(organiser, action):
    assert client_for(organiser).get(accept_url(action)).status_code == 403


def test_an_accepted_action_is_not_accepted_twice(owner_a, colleague, action):
    client = client_for(owner_a)
    accept(client, action, accountable=owner_a.pk, deputy=colleague.pk)
    response = accept(client, action, accountable=colleague.pk, deputy=owner_a.pk)
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.accountable == owner_a
