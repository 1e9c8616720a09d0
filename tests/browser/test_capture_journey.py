"""A facilitator captures a round of flipchart notes, fixes them, and never stores one twice."""

import pytest
from playwright.sync_api import Page, expect

from accounts import roles
from tests.browser.conftest import assert_accessible
from tests.conftest import PASSWORD
from tests.factories import FlipchartGroupFactory, UserFactory
from workshops.models import Contribution

pytestmark = pytest.mark.django_db(transaction=True)

TEN_NOTES = "\n".join(
    [
        "Social media is blocked at work",
        "+ Speed of communication",
        "- Lack of control",
        "? Do we have permission?",
        "! Digital champions in every team",
        "Still on Internet Explorer 6",
        "Managers should lead by example",
        "Guidance says what not to do",
        "Yammer is the main tool",
        "Acess to YouTube",
    ]
)


@pytest.fixture
def group():
    facilitator = UserFactory(email="alex@example.gov.uk", roles=[roles.FACILITATORS])
    group = FlipchartGroupFactory(
        subject="Barriers to using social media", prompt="What stops you using it at work?"
    )
    group.facilitators.add(facilitator)
    return group


def sign_in_and_open_group(page: Page, base_url: str, *, check_accessibility: bool):
    page.set_default_timeout(5000)
    page.goto(base_url + "/account/sign-in/")
    page.get_by_label("Email address").fill("alex@example.gov.uk")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Your flipcharts").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your flipcharts")
    if check_accessibility:
        assert_accessible(page)
    page.get_by_role("link", name="Barriers to using social media").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Barriers to using social media")


def capture_edit_remove_and_resubmit(page: Page, base_url: str, *, check_accessibility: bool):
    sign_in_and_open_group(page, base_url, check_accessibility=check_accessibility)
    if check_accessibility:
        assert_accessible(page)

    page.get_by_role("button", name="Add notes").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter at least one note")
    if check_accessibility:
        assert_accessible(page)

    page.get_by_label("Notes, one per line").fill(TEN_NOTES)
    filled_form_history_length = page.evaluate("history.length")
    page.get_by_role("button", name="Add notes").click()
    expect(page.get_by_text("10 notes added")).to_be_visible()
    expect(page.get_by_role("heading", name="Notes (10)")).to_be_visible()
    if check_accessibility:
        assert_accessible(page)

    page.get_by_role("link", name="Change note: Acess to YouTube").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change a note")
    if check_accessibility:
        assert_accessible(page)
    page.get_by_label("Note").fill("Access to YouTube")
    page.get_by_label("Almost everyone").check()
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Note updated")).to_be_visible()
    expect(page.get_by_text("Access to YouTube", exact=True)).to_be_visible()

    page.get_by_role("link", name="Remove note: Yammer is the main tool").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Remove this note?")
    if check_accessibility:
        assert_accessible(page)
    page.get_by_role("button", name="Remove note").click()
    expect(page.get_by_text("Note removed")).to_be_visible()
    expect(page.get_by_role("heading", name="Notes (9)")).to_be_visible()

    # Back through history to the filled-in form, and send it again.
    for _ in range(page.evaluate("history.length") - filled_form_history_length):
        page.go_back()
    expect(page.get_by_label("Notes, one per line")).to_have_value(TEN_NOTES)
    page.get_by_role("button", name="Add notes").click()
    expect(page.get_by_text("10 notes added")).to_be_visible()
    expect(page.get_by_role("heading", name="Notes (9)")).to_be_visible()

    assert Contribution.objects.count() == 10
    assert Contribution.objects.present().count() == 9
    assert Contribution.objects.filter(text="Access to YouTube", reach="almost_everyone").exists()


def test_capture_journey_with_javascript(page: Page, live_server, group):
    capture_edit_remove_and_resubmit(page, live_server.url, check_accessibility=True)


def test_capture_journey_without_javascript(no_js_page: Page, live_server, group):
    capture_edit_remove_and_resubmit(no_js_page, live_server.url, check_accessibility=False)


def test_notes_typed_while_offline_are_kept_and_sent_once(page: Page, live_server, group):
    sign_in_and_open_group(page, live_server.url, check_accessibility=False)
    page.get_by_label("Notes, one per line").fill(TEN_NOTES)

    page.context.set_offline(True)
    page.get_by_role("button", name="Add notes").click()
    expect(page.get_by_text("You seem to be offline")).to_be_visible()
    page.context.set_offline(False)

    page.reload()
    expect(page.get_by_text("You have notes that were not sent")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Put them back in the form").click()
    expect(page.get_by_label("Notes, one per line")).to_have_value(TEN_NOTES)
    page.get_by_role("button", name="Add notes").click()

    expect(page.get_by_text("10 notes added")).to_be_visible()
    expect(page.get_by_text("You have notes that were not sent")).to_be_hidden()
    assert Contribution.objects.count() == 10
    page.reload()
    expect(page.get_by_text("You have notes that were not sent")).to_be_hidden()


def test_a_send_whose_answer_is_lost_is_retried_safely(page: Page, live_server, group):
    sign_in_and_open_group(page, live_server.url, check_accessibility=False)
    page.get_by_label("Notes, one per line").fill(TEN_NOTES)

    def reach_server_then_drop_the_answer(route):
        route.fetch(max_redirects=0)
        route.abort("connectionreset")

    page.route("**/flipcharts/*/", reach_server_then_drop_the_answer)
    page.get_by_role("button", name="Add notes").click()
    page.wait_for_url("chrome-error://**")
    page.unroute("**/flipcharts/*/")
    assert Contribution.objects.count() == 10

    page.goto(live_server.url + group.get_absolute_url())
    page.get_by_role("button", name="Put them back in the form").click()
    page.get_by_role("button", name="Add notes").click()

    expect(page.get_by_text("10 notes added")).to_be_visible()
    assert Contribution.objects.count() == 10


@pytest.mark.parametrize("width", [320, 375])
def test_the_capture_page_fits_a_small_phone(page: Page, live_server, group, width):
    sign_in_and_open_group(page, live_server.url, check_accessibility=False)
    page.set_viewport_size({"width": width, "height": 640})
    page.reload()
    page.get_by_label("Notes, one per line").fill("A very long note " * 20)
    expect(page.get_by_role("button", name="Add notes")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


FOUR_NOTES = "Sites are blocked\n+ Speed of communication\n- Lack of control\n? Who decides?"


def add_notes_then_back_and_add_again(page: Page, base_url: str):
    """Exactly as a facilitator does it: after Back the browser refills the textarea of the
    ordinary capture page, which it fetches again with a new one-time key."""
    sign_in_and_open_group(page, base_url, check_accessibility=False)
    page.get_by_label("Notes, one per line").fill(FOUR_NOTES)
    page.get_by_role("button", name="Add notes").click()
    expect(page.get_by_text("4 notes added")).to_be_visible()
    expect(page.get_by_role("heading", name="Notes (4)")).to_be_visible()

    page.go_back()
    expect(page.get_by_label("Notes, one per line")).to_have_value(FOUR_NOTES)
    page.get_by_role("button", name="Add notes").click()

    expect(page.get_by_text("Nothing new was added")).to_be_visible()
    expect(page.get_by_role("heading", name="Notes (4)")).to_be_visible()
    expect(page.get_by_text("4 notes added")).to_be_hidden()
    assert Contribution.objects.count() == 4


def test_back_and_add_notes_again_stores_nothing_new_with_javascript(
    page: Page, live_server, group
):
    add_notes_then_back_and_add_again(page, live_server.url)
    expect(page.get_by_text("You have notes that were not sent")).to_be_hidden()
    assert_accessible(page)


def test_back_and_add_notes_again_stores_nothing_new_without_javascript(
    no_js_page: Page, live_server, group
):
    add_notes_then_back_and_add_again(no_js_page, live_server.url)
