"""Feedback upwards: the owner of an action cascades it to departments, each reports on its own
copy, and the owner sees the roll-up of how they are doing."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from accounts import roles
from actions.models import ActionItem, Organisation, Status
from actions.services import Refused, action_cascade, action_post_update
from tests.conftest import client_for
from tests.factories import ActionItemFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2027, 3, 1)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2027, 3, 1, 10, 0, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def network(db):
    return OrganisationFactory(
        name="Test leaders network", slug="test-leaders", kind=Organisation.Kind.NETWORK
    )


@pytest.fixture
def network_member(network):
    user = UserFactory(email="leader@example.gov.uk", roles=[roles.OWNERS])
    network.members.add(user)
    return user


@pytest.fixture
def network_action(network):
    return ActionItemFactory(
        title="Take the social media guidance to every department",
        owner=network,
        due_date=TODAY + datetime.timedelta(days=60),
    )


@pytest.fixture
def department_c(db):
    return OrganisationFactory(name="Department C", slug="department-c")


def cascade_url(action):
    return reverse("actions:action_cascade", kwargs={"pk": action.pk})


def detail_url(action):
    return action.get_absolute_url()


def test_a_network_member_cascades_an_action_to_departments(
    network_member, network_action, department_a, department_b, department_c
):
    client = client_for(network_member)
    page = client.get(cascade_url(network_action))
    assert page.status_code == 200
    assert 'type="checkbox"' in page.text
    for name in ("Department A", "Department B", "Department C"):
        assert name in page.text

    response = client.post(
        cascade_url(network_action), {"owners": [department_a.pk, department_b.pk]}, follow=True
    )

    assert response.redirect_chain[-1][0] == f"{detail_url(network_action)}#cascade"
    assert "Cascaded to 2 departments" in response.text
    assert "0 of 2 departments have reported; 0 done" in response.text
    copies = ActionItem.objects.filter(parent=network_action).order_by("owner__name")
    assert [(c.owner, c.due_date, c.created_by) for c in copies] == [
        (department_a, network_action.due_date, network_member),
        (department_b, network_action.due_date, network_member),
    ]
    again = client.get(cascade_url(network_action)).text
    assert f'value="{department_c.pk}"' in again
    assert f'value="{department_a.pk}"' not in again


def test_cascading_without_choosing_a_department_says_what_to_do(network_member, network_action):
    OrganisationFactory(name="Department Z")
    response = client_for(network_member).post(cascade_url(network_action), {})
    assert response.status_code == 200
    assert "Error: Cascade to departments" in response.text
    assert "Select at least one department" in response.text
    assert not network_action.children.exists()


def test_only_departments_other_than_the_owner_are_offered(
    network_member, network_action, department_a
):
    OrganisationFactory(name="Some board", slug="some-board", kind=Organisation.Kind.BOARD)
    html = client_for(network_member).get(cascade_url(network_action)).text
    assert "Department A" in html
    assert "Some board" not in html
    assert f'value="{network_action.owner_id}"' not in html


def test_a_board_cannot_be_chosen_by_posting_its_id(network_member, network_action):
    board = OrganisationFactory(name="Some board", slug="some-board", kind=Organisation.Kind.BOARD)
    response = client_for(network_member).post(cascade_url(network_action), {"owners": [board.pk]})
    assert "Select departments from the list" in response.text
    assert not network_action.children.exists()


def test_members_of_another_organisation_cannot_cascade_or_see_the_action(
    owner_b, network_action, department_a
):
    client = client_for(owner_b)
    assert client.get(cascade_url(network_action)).status_code == 404
    assert (
        client.post(cascade_url(network_action), {"owners": [department_a.pk]}).status_code == 404
    )
    assert client.get(detail_url(network_action)).status_code == 404
    assert not network_action.children.exists()


def test_a_departments_copy_is_not_cascaded_again(
    owner_a, organiser, network_member, network_action, department_a, department_b
):
    (copy,) = action_cascade(action=network_action, owners=[department_a], by=network_member)
    assert client_for(owner_a).get(cascade_url(copy)).status_code == 404
    assert client_for(organiser).get(cascade_url(copy)).status_code == 404
    assert "Cascade to" not in client_for(owner_a).get(detail_url(copy)).text
    with pytest.raises(Refused):
        action_cascade(action=copy, owners=[department_b], by=organiser)


def test_organisers_cascade_from_the_action_page_too(organiser, network_action, department_a):
    assert cascade_url(network_action) in client_for(organiser).get(detail_url(network_action)).text
    response = client_for(organiser).post(
        cascade_url(network_action), {"owners": [department_a.pk]}
    )
    assert response.status_code == 302
    assert network_action.children.get().owner == department_a


def test_the_owners_action_page_rolls_up_what_the_departments_reported(
    network_member, network_action, owner_a, department_a, department_b, department_c
):
    copy_a, copy_b, _copy_c = action_cascade(
        action=network_action, owners=[department_a, department_b, department_c], by=network_member
    )
    action_post_update(action=copy_a, by=owner_a, status=Status.IN_PROGRESS, note="Briefed")
    html = client_for(network_member).get(detail_url(network_action)).text
    assert "1 of 3 departments have reported; 0 done" in html
    assert "Briefed" in html
    assert "Not reported yet" in html

    action_post_update(action=copy_a, by=owner_a, status=Status.DONE, note="All staff told")
    action_post_update(action=copy_b, by=None, status=Status.BLOCKED, note="No budget")
    html = client_for(network_member).get(detail_url(network_action)).text
    assert "2 of 3 departments have reported; 1 done" in html
    assert "All staff told" in html


def test_your_actions_shows_the_roll_up_and_keeps_it_current(
    network_member, network_action, owner_a, department_a, department_b
):
    copy_a, _ = action_cascade(
        action=network_action, owners=[department_a, department_b], by=network_member
    )
    client = client_for(network_member)
    assert (
        "0 of 2 departments have reported; 0 done"
        in client.get(reverse("actions:action_list")).text
    )
    # The row is kept in the cache by what it shows: a department's report names a new row.
    action_post_update(action=copy_a, by=owner_a, status=Status.DONE, note="Done")
    html = client.get(reverse("actions:action_list")).text
    assert "1 of 2 departments have reported; 1 done" in html
    assert "0 of 2 departments" not in html


def test_a_department_sees_its_own_copy_and_the_parent_and_no_other_copy(
    network_member, network_action, owner_a, department_a, department_b
):
    copy_a, copy_b = action_cascade(
        action=network_action, owners=[department_a, department_b], by=network_member
    )
    action_post_update(action=copy_b, by=None, status=Status.IN_PROGRESS, note="B's secret")
    client = client_for(owner_a)

    own = client.get(detail_url(copy_a)).text
    assert "Cascaded from" in own
    assert detail_url(network_action) in own
    assert "Post an update" in own

    parent = client.get(detail_url(network_action))
    assert parent.status_code == 200
    assert detail_url(copy_a) in parent.text
    assert detail_url(copy_b) not in parent.text
    assert "B's secret" not in parent.text
    assert "departments have reported" not in parent.text
    assert "Post an update" not in parent.text

    assert client.get(detail_url(copy_b)).status_code == 404
    listed = client.get(reverse("actions:action_list")).text
    assert detail_url(copy_a) in listed
    assert detail_url(network_action) not in listed


def test_a_department_cannot_post_updates_on_the_action_it_was_cascaded_from(
    network_member, network_action, owner_a, department_a
):
    action_cascade(action=network_action, owners=[department_a], by=network_member)
    response = client_for(owner_a).post(
        detail_url(network_action), {"status": Status.DONE, "note": "Not ours to say"}
    )
    assert response.status_code == 403
    assert not network_action.updates.exists()


def test_the_network_member_reads_a_departments_copy_but_does_not_update_it(
    network_member, network_action, department_a
):
    (copy,) = action_cascade(action=network_action, owners=[department_a], by=network_member)
    client = client_for(network_member)
    page = client.get(detail_url(copy)).text
    assert "Post an update" not in page
    assert "Department A posts the updates on this action" in page
    response = client.post(detail_url(copy), {"status": Status.DONE, "note": "Done for them"})
    assert response.status_code == 403
    assert not copy.updates.exists()
