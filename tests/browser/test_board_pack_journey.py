"""A Digital Leaders network member opens the network's board pack from Your actions, reads what
it owes and downloads it as a PDF and a spreadsheet, with JavaScript on and off."""

import datetime
import io
from pathlib import Path

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import Browser, expect
from pypdf import PdfReader

from accounts import roles
from actions.models import Organisation, Status
from actions.services import action_cascade, action_post_update, due_date_move
from tests.browser.conftest import assert_accessible
from tests.factories import ActionItemFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a long and memorable passphrase"


@pytest.fixture
def pack_world(live_server):
    network = Organisation.objects.get(name="Digital Leaders network")
    leader = UserFactory(
        email="lee.leader@example.gov.uk", full_name="Lee Leader", roles=[roles.OWNERS]
    )
    leader.set_password(PASSWORD)
    leader.save()
    network.members.add(leader)
    organiser = UserFactory(roles=[roles.ORGANISERS])
    today = timezone.localdate()
    ActionItemFactory(
        title="Publish the guidance", owner=network, due_date=today - datetime.timedelta(days=3)
    )
    slipped = ActionItemFactory(
        title="Train every press office", owner=network, due_date=today + datetime.timedelta(9)
    )
    due_date_move(
        action=slipped,
        by=organiser,
        new_date=today + datetime.timedelta(days=60),
        reason="Budget moves to April",
    )
    cascaded = ActionItemFactory(
        title="Take the guidance to every department",
        owner=network,
        due_date=today + datetime.timedelta(days=5),
    )
    departments = [
        OrganisationFactory(name=f"Pack department {n}", slug=f"pack-department-{n}")
        for n in range(3)
    ]
    copies = action_cascade(action=cascaded, owners=departments, by=leader)
    action_post_update(action=copies[0], by=organiser, status=Status.IN_PROGRESS, note="Begun")


def board_pack_journey(browser: Browser, base_url: str, *, javascript: bool):
    context = browser.new_context(java_script_enabled=javascript, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(20000)
    page.goto(base_url + "/account/sign-in/?next=/actions/")
    page.get_by_label("Email address").fill("lee.leader@example.gov.uk")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your actions")

    page.get_by_role("link", name="Board pack for Digital Leaders network").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Board pack")
    overdue = page.get_by_role("table", name="Overdue (1)")
    expect(overdue.get_by_role("link", name="Publish the guidance")).to_be_visible()
    due_soon = page.get_by_role("table", name="Due in the next 14 days (1)")
    expect(
        due_soon.get_by_role("link", name="Take the guidance to every department")
    ).to_be_visible()
    expect(page.get_by_text("Budget moves to April").first).to_be_visible()
    expect(page.get_by_text("1 of 3 departments have reported; 0 done").first).to_be_visible()
    if javascript:
        assert_accessible(page)

    with page.expect_download() as pdf:
        page.get_by_role("link", name="Download the board pack as a PDF").click()
    reader = PdfReader(pdf.value.path())
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert "Board pack: Digital Leaders network" in text
    assert "Train every press office" in text

    with page.expect_download() as xlsx:
        page.get_by_role("link", name="Download the board pack as a spreadsheet (XLSX)").click()
    # A download is saved without its name's extension, which openpyxl goes by.
    sheet = load_workbook(io.BytesIO(Path(xlsx.value.path()).read_bytes()))["Actions"]
    assert {row[2] for row in sheet.iter_rows(min_row=2, values_only=True)} == {
        "Publish the guidance",
        "Train every press office",
        "Take the guidance to every department",
    }
    context.close()


def test_board_pack_journey_with_javascript(browser, live_server, pack_world):
    board_pack_journey(browser, live_server.url, javascript=True)


def test_board_pack_journey_without_javascript(browser, live_server, pack_world):
    board_pack_journey(browser, live_server.url, javascript=False)
