"""Sessions that end: a warning that lets the person stay, and notes typed before the end that are
waiting in the form after signing in again."""

import time

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from playwright.sync_api import Page, expect

from accounts import roles
from tests.browser.conftest import assert_accessible
from tests.conftest import PASSWORD, client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

NOTES = "+ Yammer works well\n- Facebook is blocked\n? Who decides what is allowed"


@pytest.fixture
def facilitator():
    return UserFactory(email="alex@example.gov.uk", roles=[roles.FACILITATORS])


def sign_in_with_cookie(page: Page, base_url: str, user) -> None:
    session = client_for(user).cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base_url}]
    )
    page.set_default_timeout(5000)


def test_the_warning_before_sign_out_lets_the_person_stay_signed_in(
    page: Page, live_server, settings, facilitator, group
):
    settings.SESSION_IDLE_TIMEOUT = 14
    settings.SESSION_TIMEOUT_WARNING = 8
    sign_in_with_cookie(page, live_server.url, facilitator)
    signed_in_at = time.monotonic()
    page.goto(live_server.url + group.get_absolute_url())
    dialog = page.get_by_role("dialog", name="You are about to be signed out")
    notes = page.get_by_label("Notes, one per line")
    expect(dialog).to_be_hidden()
    notes.fill("Typed before the warning")

    expect(dialog).to_be_visible(timeout=15000)  # opens 6 s after signing in
    stay = dialog.get_by_role("button", name="Stay signed in")
    expect(stay).to_be_focused()
    assert_accessible(page)
    stay.click()

    expect(dialog).to_be_hidden()
    expect(notes).to_be_focused()
    expect(notes).to_have_value("Typed before the warning")
    # Past the end the session had before it was extended.
    time.sleep(max(0.0, signed_in_at + settings.SESSION_IDLE_TIMEOUT + 1 - time.monotonic()))
    page.goto(live_server.url + group.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text("Barriers to using social media")


def test_the_warning_says_when_the_session_has_ended_and_offers_to_sign_in_again(
    page: Page, live_server, settings, facilitator, group
):
    settings.SESSION_IDLE_TIMEOUT = 3
    settings.SESSION_TIMEOUT_WARNING = 2
    sign_in_with_cookie(page, live_server.url, facilitator)
    page.goto(live_server.url + group.get_absolute_url())

    ended = page.get_by_role("dialog", name="You have been signed out")
    expect(ended).to_be_visible(timeout=10000)
    sign_in = ended.get_by_role("link", name="Sign in again")
    expect(sign_in).to_be_focused()
    assert_accessible(page)
    sign_in.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")


def notes_survive_the_end_of_the_session(page: Page, base_url: str, facilitator, group) -> None:
    sign_in_with_cookie(page, base_url, facilitator)
    page.goto(base_url + group.get_absolute_url())
    page.get_by_label("Notes, one per line").fill(NOTES)
    Session.objects.all().delete()  # the session ends on the server while the page is open

    page.get_by_role("button", name="Add notes").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(page.get_by_text("What you typed has been kept")).to_be_visible()
    page.get_by_label("Email address").fill(facilitator.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Barriers to using social media")
    expect(page.get_by_label("Notes, one per line")).to_have_value(NOTES)
    page.get_by_role("button", name="Add notes").click()
    expect(page.get_by_text("Yammer works well", exact=True)).to_be_visible()
    assert group.contributions.count() == 3


def test_notes_typed_before_the_session_ended_are_kept_with_javascript(
    page: Page, live_server, facilitator, group
):
    notes_survive_the_end_of_the_session(page, live_server.url, facilitator, group)


def test_notes_typed_before_the_session_ended_are_kept_without_javascript(
    no_js_page: Page, live_server, facilitator, group
):
    notes_survive_the_end_of_the_session(no_js_page, live_server.url, facilitator, group)
