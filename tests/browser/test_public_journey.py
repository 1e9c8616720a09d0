"""A member of the public finds a workshop from the home page, with and without JavaScript."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible
from tests.factories import FlipchartGroupFactory, WorkshopFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def workshop():
    workshop = WorkshopFactory(title="Social media guidelines: so what?", actual_attendance=40)
    for order, subject in enumerate(["Barriers to using social media", "Skills and tools"]):
        FlipchartGroupFactory(workshop=workshop, subject=subject, order=order)
    WorkshopFactory(title="Unpublished draft", is_published=False)
    return workshop


def find_workshop_from_home(page: Page, base_url: str):
    page.goto(base_url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("You said, we did")
    expect(page.get_by_text("Unpublished draft")).to_have_count(0)
    page.get_by_role("link", name="Social media guidelines: so what?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Social media guidelines: so what?")
    groups = page.get_by_role("table")
    expect(groups.get_by_role("rowheader")).to_have_count(2)
    expect(groups).to_contain_text("Barriers to using social media")
    expect(page.get_by_text("40 people attended")).to_be_visible()


def test_home_to_workshop_with_javascript(page: Page, live_server, workshop):
    find_workshop_from_home(page, live_server.url)
    expect(page.locator("body")).to_have_class(
        "govuk-template__body js-enabled govuk-frontend-supported"
    )


def test_home_to_workshop_without_javascript(no_js_page: Page, live_server, workshop):
    find_workshop_from_home(no_js_page, live_server.url)
    expect(no_js_page.locator("body")).to_have_class("govuk-template__body")


def test_menu_on_a_phone_opens_and_signs_in_without_javascript(no_js_page, live_server, workshop):
    no_js_page.set_viewport_size({"width": 375, "height": 700})
    no_js_page.goto(live_server.url + "/")
    no_js_page.get_by_role("link", name="Sign in").click()
    expect(no_js_page.get_by_role("heading", level=1)).to_have_text("Sign in")


def test_menu_on_a_phone_is_collapsed_behind_a_button_with_javascript(page, live_server, workshop):
    page.set_viewport_size({"width": 375, "height": 700})
    page.goto(live_server.url + "/")
    sign_in = page.get_by_role("link", name="Sign in")
    expect(sign_in).to_be_hidden()
    page.get_by_role("button", name="Menu").click()
    expect(sign_in).to_be_visible()


@pytest.mark.parametrize("path", ["/", "workshop", "/account/sign-in/", "/no-such-page/"])
def test_pages_have_no_accessibility_violations(page: Page, live_server, workshop, path):
    page.goto(live_server.url + (workshop.get_absolute_url() if path == "workshop" else path))
    assert_accessible(page)


def test_sign_in_errors_have_no_accessibility_violations(page: Page, live_server, workshop):
    page.goto(live_server.url + "/account/sign-in/")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter your email address")
    assert_accessible(page)
