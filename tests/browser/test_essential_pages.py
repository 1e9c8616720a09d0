"""The essentials a visitor reaches from any page's footer and from the phase banner, and the
privacy notice from the form that asks for an email address; axe finds nothing on any of them."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible
from tests.factories import WorkshopFactory

pytestmark = pytest.mark.django_db(transaction=True)

FOOTER_LINKS = {
    "Accessibility statement": "Accessibility statement",
    "Privacy notice": "Privacy notice",
    "Cookies": "Cookies",
    "Feedback": "Give feedback",
}


def test_each_essential_page_from_the_footer_is_accessible(page: Page, live_server):
    for link, heading in FOOTER_LINKS.items():
        page.goto(live_server.url + "/")
        page.get_by_role("contentinfo").get_by_role("link", name=link, exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        assert_accessible(page)


def test_the_cookies_page_names_the_essential_cookies(page: Page, live_server):
    page.goto(live_server.url + "/cookies/")
    table = page.get_by_role("table")
    expect(table.get_by_role("rowheader")).to_have_text(
        ["sessionid", "django_language", "csrftoken", "messages"]
    )


def test_feedback_from_the_phase_banner_and_privacy_from_get_updates(page: Page, live_server):
    workshop = WorkshopFactory(is_published=True)
    page.goto(live_server.url + f"/workshops/{workshop.slug}/follow/")
    page.get_by_role("main").get_by_role("link", name="privacy notice").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Privacy notice")
    page.get_by_role("banner").get_by_role("link", name="feedback", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Give feedback")
