"""Every page and download that says when an action was first promised reads the same fact."""

import csv
import datetime
import io
import json

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts import roles
from actions.services import action_accept, action_create, due_date_decide
from tests.conftest import client_for
from tests.factories import UserFactory, WorkshopFactory
from workshops.models import Area

pytestmark = pytest.mark.django_db

PROMISED = datetime.date(2012, 10, 4)


@pytest.fixture
def moved_twice(organiser, owner_a, department_a):
    """Promised for 4 October 2012; moved by an approved proposal, then by an organiser."""
    workshop = WorkshopFactory(slug="skills-day", date=datetime.date(2012, 7, 4))
    action = action_create(
        workshop=workshop,
        area=Area.objects.get(slug="infrastructure"),
        title="Unblock social media sites",
        owner=department_a,
        due_date=PROMISED,
        by=organiser,
    )
    deputy = UserFactory(email="deputy.a@example.gov.uk", roles=[roles.OWNERS])
    department_a.members.add(deputy)
    action_accept(
        action=action,
        by=owner_a,
        accountable=owner_a,
        deputy=deputy,
        proposed_due_date=datetime.date(2012, 11, 30),
        reason="Budget comes in November",
    )
    due_date_decide(proposal=action.due_date_changes.get(), by=organiser, approve=True)
    response = client_for(organiser).post(
        reverse("admin:actions_actionitem_move_due_date", args=[action.pk]),
        {"due_date": "2012-12-14", "reason": "Waiting for the new firewall"},
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.due_date == datetime.date(2012, 12, 14)
    return action


def test_every_page_and_download_agrees_on_the_first_promised_date(moved_twice, owner_a, client):
    slug = moved_twice.workshop.slug

    owner_page = client_for(owner_a).get(moved_twice.get_absolute_url()).text
    public_page = client.get(reverse("progress:workshop_progress", kwargs={"slug": slug})).text
    csv_file = client.get(reverse("progress:actions_csv", kwargs={"slug": slug}))
    xlsx_file = client.get(reverse("progress:actions_xlsx", kwargs={"slug": slug}))
    feed = client.get(reverse("progress:workshop_progress_json", kwargs={"slug": slug}))

    assert "Originally 4 October 2012; moved 2 times" in owner_page
    assert "Assigned to Department A, due 4 October 2012." in owner_page
    assert "Due 14 December 2012 (first promised for 4 October 2012)" in public_page
    header, row = csv.reader(io.StringIO(csv_file.content.decode("utf-8-sig"), newline=""))
    assert dict(zip(header, row, strict=True))["First promised due date"] == "2012-10-04"
    sheet = load_workbook(io.BytesIO(xlsx_file.content)).active
    header, row = [[cell.value for cell in line] for line in sheet.iter_rows()]
    # A typed date, which openpyxl reads back as midnight.
    first_promised = dict(zip(header, row, strict=True))["First promised due date"]
    assert first_promised.date() == datetime.date(2012, 10, 4)
    (action,) = json.loads(feed.content)["actions"]
    assert action["original_due_date"] == "2012-10-04"
    assert [(c["to"], c["reason"]) for c in action["date_changes"]] == [
        ("2012-11-30", "Budget comes in November"),
        ("2012-12-14", "Waiting for the new firewall"),
    ]
