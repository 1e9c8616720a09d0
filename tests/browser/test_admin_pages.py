"""The contribution list fits a 1280 pixel screen with its notes readable, and the admin pages the
project customises pass axe's WCAG 2.2 checks."""

import datetime
import re

import pytest
from playwright.sync_api import Page, expect

from actions.models import ActionItem, Organisation
from actions.services import action_cascade, due_date_propose
from tests.browser.conftest import assert_accessible, sign_in_to_admin
from workshops.admin.widgets import first_words
from workshops.models import Contribution, User, Workshop

pytestmark = pytest.mark.django_db(transaction=True)

CONTRIBUTIONS = "/admin/workshops/contribution/"
# About forty characters a line: a short note on one line, none squeezed into a column of words.
READABLE_NOTE_WIDTH = 280


def scroll_and_client_width(page: Page, selector: str) -> tuple[int, int]:
    return tuple(page.locator(selector).evaluate("box => [box.scrollWidth, box.clientWidth]"))


def check_the_list_fits(page: Page, *, workshop_column: bool):
    expect(page.get_by_role("heading", level=1)).to_have_text("Select contribution to change")
    headings = [
        text.strip().lower() for text in page.locator("#result_list thead th").all_inner_texts()
    ]
    assert headings[1:4] == ["text", "area", "theme"]
    assert ("workshop" in headings) == workshop_column
    first = page.locator("#result_list tbody tr").first
    note = first_words(first.locator(".field-text").inner_text())
    expect(first.get_by_role("combobox", name=f"Area for note: {note}")).to_be_visible()
    expect(first.get_by_role("combobox", name=f"Theme for note: {note}")).to_be_visible()

    page_widths = scroll_and_client_width(page, "html")
    box_widths = scroll_and_client_width(page, "#changelist .results")
    note_box = first.locator(".field-text").bounding_box()
    print(
        f"\n{page.url.split('?')[1]}: page {page_widths[0]} of {page_widths[1]} px, results "
        f"{box_widths[0]} of {box_widths[1]} px, first note {note_box['width']:.0f} px wide"
    )
    assert page_widths[0] <= page_widths[1], "the page scrolls sideways"
    assert box_widths[0] <= box_widths[1], "the list of results scrolls sideways"
    assert note_box["width"] >= READABLE_NOTE_WIDTH


def test_the_contribution_list_fits_1280_pixels_with_its_notes_readable(
    page: Page, live_server, demo: Workshop
):
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in_to_admin(page, live_server.url)

    page.goto(f"{live_server.url}{CONTRIBUTIONS}?triaged=all&removed=no")
    check_the_list_fits(page, workshop_column=True)
    assert_accessible(page)

    page.goto(f"{live_server.url}{CONTRIBUTIONS}?group__workshop__id__exact={demo.pk}&triaged=no")
    check_the_list_fits(page, workshop_column=False)
    assert_accessible(page)


def test_the_admin_pages_the_project_customises_have_no_accessibility_violations(
    page: Page, live_server, demo: Workshop
):
    action = ActionItem.objects.get(
        title="Senior and middle managers to use social media visibly", parent__isnull=True
    )
    proposal = due_date_propose(
        action=action,
        by=action.owner.members.first(),
        new_date=action.due_date + datetime.timedelta(days=28),
        reason="Departments report back at the next Digital Leaders meeting",
    )
    organiser = User.objects.get(email="organiser@example.gov.uk")
    department = Organisation.objects.get(name="Department for Education")  # from the demo
    action_cascade(action=action, owners=[department], by=organiser)
    note = Contribution.objects.filter(group__workshop=demo, area__isnull=False).first()
    sign_in_to_admin(page, live_server.url)
    assert_accessible(page)

    page.goto(f"{live_server.url}/admin/workshops/workshop/{demo.pk}/change/")
    expect(page.get_by_role("link", name="Triage overview")).to_be_visible()
    assert_accessible(page)

    page.goto(f"{live_server.url}/admin/workshops/contribution/{note.pk}/change/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Change contribution")
    assert_accessible(page)

    page.goto(f"{live_server.url}/admin/workshops/contribution/{note.pk}/history/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("View history")
    assert_accessible(page)

    page.goto(f"{live_server.url}/admin/actions/actionitem/{action.pk}/change/")
    expect(page.get_by_role("link", name="Move due date")).to_be_visible()
    expect(page.get_by_role("cell", name=action.title)).not_to_have_count(0)
    expect(page.locator("#id_updates-2-0-note")).to_have_accessible_name("Note:")
    assert_accessible(page)

    page.get_by_role("link", name="Move due date").click()
    page.get_by_label("New due date").fill("")
    page.get_by_role("button", name="Move due date").click()
    expect(page.get_by_text(re.compile("Enter"))).not_to_have_count(0)
    assert_accessible(page)

    page.goto(f"{live_server.url}/actions/{action.pk}/due-date/{proposal.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Decide on a new due date")
    page.get_by_role("button", name="Save decision").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert_accessible(page)
