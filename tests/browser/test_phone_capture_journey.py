"""On a 320 x 640 phone a facilitator opens their flipchart's link, signs in and saves a first
batch without scrolling, then fixes how a line was read with one tap."""

import pytest
from playwright.sync_api import Page, expect

from accounts import roles
from tests.browser.conftest import assert_accessible
from tests.conftest import PASSWORD
from tests.factories import FlipchartGroupFactory, UserFactory
from workshops.models import Contribution

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 320, "height": 640}
NOTES = "Sites are blocked\n+1 to the buddy idea\n- Bulleted out of habit"


@pytest.fixture
def group():
    facilitator = UserFactory(email="alex@example.gov.uk", roles=[roles.FACILITATORS])
    group = FlipchartGroupFactory(
        subject="Barriers to using social media", prompt="What stops you using it at work?"
    )
    group.facilitators.add(facilitator)
    return group


def within_first_screen(page: Page, locator) -> bool:
    box = locator.bounding_box()
    return (
        page.evaluate("window.scrollY") == 0 and box["y"] >= 0 and box["y"] + box["height"] <= 640
    )


def in_view(page: Page, locator) -> bool:
    box = locator.bounding_box()
    return box["y"] >= 0 and box["y"] + min(box["height"], 60) <= page.viewport_size["height"]


def capture_a_first_batch_on_a_phone(page: Page, base_url: str, group, *, javascript: bool):
    page.set_default_timeout(5000)
    page.set_viewport_size(PHONE)
    page.goto(base_url + group.get_absolute_url())
    page.get_by_label("Email address").fill("alex@example.gov.uk")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Barriers to using social media")

    notes = page.get_by_label("Notes, one per line")
    button = page.get_by_role("button", name="Add notes")
    assert within_first_screen(page, notes), notes.bounding_box()
    assert within_first_screen(page, button), button.bounding_box()
    if javascript:
        expect(notes).to_be_focused()
        assert_accessible(page)
    # Typed without moving: the cursor is already in the notes.
    notes.fill(NOTES)
    button.click()

    expect(page.get_by_text("3 notes added")).to_be_visible()
    assert in_view(page, page.get_by_text("3 notes added"))
    read = page.locator("#notes-read").locator("xpath=following-sibling::ul[1]")
    expect(read).to_contain_text("Comment “+1 to the buddy idea”")
    expect(read).to_contain_text("Negative “Bulleted out of habit”")
    if javascript:
        assert_accessible(page)

    page.get_by_role("button", name="Comment instead: Bulleted out of habit").click()
    expect(page.get_by_text("Changed to comment")).to_be_visible()
    assert in_view(page, page.get_by_text("Changed to comment"))
    assert Contribution.objects.get(text="Bulleted out of habit").kind == "comment"

    page.get_by_role("link", name="Change note: Sites are blocked").click()
    page.get_by_label("Note", exact=True).fill("Social media sites are blocked")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Note updated")).to_be_visible()
    assert in_view(page, page.get_by_text("Note updated"))


def test_a_first_batch_on_a_phone_with_javascript(page: Page, live_server, group):
    capture_a_first_batch_on_a_phone(page, live_server.url, group, javascript=True)


def test_a_first_batch_on_a_phone_without_javascript(no_js_page: Page, live_server, group):
    capture_a_first_batch_on_a_phone(no_js_page, live_server.url, group, javascript=False)
