"""The public sees a cascaded action once, with how the departments it went to are doing."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions.models import Organisation, Status
from actions.services import action_cascade, action_post_update
from tests.factories import ActionItemFactory, OrganisationFactory, WorkshopFactory

pytestmark = pytest.mark.django_db


def url(name, workshop):
    return reverse(f"progress:{name}", kwargs={"slug": workshop.slug})


@pytest.fixture
def network(db):
    return OrganisationFactory(
        name="Test leaders network", slug="test-leaders", kind=Organisation.Kind.NETWORK
    )


@pytest.fixture
def cascaded(workshop, network, department_a, department_b):
    """A network's action cascaded to three departments: one done, one still to report."""
    department_c = OrganisationFactory(name="Department C", slug="department-c")
    action = ActionItemFactory(workshop=workshop, owner=network, title="Tell every department")
    copy_a, copy_b, _ = action_cascade(
        action=action, owners=[department_a, department_b, department_c], by=None
    )
    action_post_update(action=copy_a, by=None, status=Status.DONE, note="Briefed all staff")
    action_post_update(action=copy_b, by=None, status=Status.IN_PROGRESS, note="")
    return action


def test_the_public_page_shows_a_cascaded_action_once_with_each_departments_status(
    client, cascaded
):
    html = client.get(url("workshop_progress", cascaded.workshop)).text
    assert html.count("Tell every department") == 1
    assert "Cascaded to departments: 2 of 3 departments have reported; 1 done" in html
    assert "Department A: done, " in html
    assert "Briefed all staff" in html
    assert "Department B: in progress" in html
    assert "Department C: not started" in html
    assert "1 action:" in html


def test_a_departments_report_shows_on_the_public_page_at_once(client, cascaded, department_a):
    page = url("workshop_progress", cascaded.workshop)
    assert "2 of 3 departments have reported" in client.get(page).text
    copy_c = cascaded.children.get(owner__name="Department C")
    action_post_update(action=copy_c, by=None, status=Status.DONE, note="Done here too")
    html = client.get(page).text
    assert "3 of 3 departments have reported; 2 done" in html
    assert "Done here too" in html


def progress_queries(client, workshop) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url("workshop_progress", workshop)).status_code == 200
    return len(queries)


def test_the_progress_page_costs_the_same_queries_however_many_departments(client):
    departments = [OrganisationFactory() for _ in range(12)]
    small, large = WorkshopFactory(), WorkshopFactory()
    for workshop, count in [(small, 1), (large, 12)]:
        for n in range(3):
            action = ActionItemFactory(workshop=workshop, title=f"Action {n}")
            for copy in action_cascade(action=action, owners=departments[:count], by=None):
                action_post_update(action=copy, by=None, status=Status.IN_PROGRESS, note="Going")
    assert progress_queries(client, small) == progress_queries(client, large)


def test_the_actions_download_lists_a_cascaded_action_once_with_the_roll_up(client, cascaded):
    rows = list(csv.reader(io.StringIO(client.get(url("actions_csv", cascaded.workshop)).text)))
    assert rows[0][-2:] == ["Cascaded to departments", "Departments' status"]
    assert len(rows) == 2
    assert rows[1][2] == "Tell every department"
    assert rows[1][-2] == "2 of 3 departments have reported; 1 done"
    assert rows[1][-1] == (
        "Department A: done; Department B: in progress; Department C: not started"
    )


def test_the_json_feed_nests_the_departments_copies_under_the_action(client, cascaded):
    (action,) = client.get(url("workshop_progress_json", cascaded.workshop)).json()["actions"]
    assert action["title"] == "Tell every department"
    cascade = action["cascade"]
    assert (cascade["departments"], cascade["reported"], cascade["done"]) == (3, 2, 1)
    assert [(copy["owner"], copy["status"]) for copy in cascade["copies"]] == [
        ("Department A", "done"),
        ("Department B", "in_progress"),
        ("Department C", "not_started"),
    ]
    assert cascade["copies"][0]["latest_update"]["note"] == "Briefed all staff"
