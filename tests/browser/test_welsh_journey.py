"""A Welsh reader: the browser's language chooses Welsh on a first visit, the header's
"English | Cymraeg" toggle works without JavaScript and the choice sticks from page to page, and
axe finds nothing on a signed-in page in Welsh."""

import pytest
from playwright.sync_api import Browser, Page, expect

from demo.management.commands.seed_demo import DEMO_PASSWORD, DEMO_SLUG
from tests.browser.conftest import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)


def toggle(page: Page):
    return page.get_by_role("navigation", name="Iaith").or_(
        page.get_by_role("navigation", name="Language")
    )


def test_a_first_visit_in_a_welsh_browser_is_in_welsh(browser: Browser, live_server, demo):
    context = browser.new_context(locale="cy-GB")
    page = context.new_page()

    page.goto(live_server.url + f"/workshops/{DEMO_SLUG}/progress/")

    expect(page.locator("html")).to_have_attribute("lang", "cy")
    expect(page.get_by_text("Dywedoch chi, gwnaethom ni", exact=True)).to_be_visible()
    expect(toggle(page).get_by_text("Cymraeg")).to_have_attribute("aria-current", "true")
    assert_accessible(page)
    context.close()


def test_the_toggle_works_without_javascript_and_the_choice_sticks(no_js_page: Page, live_server):
    page = no_js_page
    page.goto(live_server.url + "/privacy/")
    expect(page.locator("html")).to_have_attribute("lang", "en-GB")

    welsh = toggle(page).get_by_role("link", name="Cymraeg")
    expect(welsh).to_have_attribute("hreflang", "cy")
    welsh.click()

    expect(page).to_have_url(live_server.url + "/privacy/")
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hysbysiad preifatrwydd")
    page.get_by_role("contentinfo").get_by_role("link", name="Cwcis", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cwcis")
    expect(page.locator("html")).to_have_attribute("lang", "cy")

    toggle(page).get_by_role("link", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cookies")
    page.goto(live_server.url + "/")
    expect(page.locator("html")).to_have_attribute("lang", "en-GB")


def test_a_facilitator_captures_notes_in_welsh_and_what_they_typed_stays_as_typed(
    page: Page, live_server, demo
):
    page.set_extra_http_headers({"Accept-Language": "cy"})
    page.goto(live_server.url + "/account/sign-in/")
    page.get_by_label("Cyfeiriad e-bost").fill("facilitator@example.gov.uk")
    page.get_by_label("Cyfrinair").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Mewngofnodi").click()
    page.get_by_role("link", name="Eich siartiau troi").click()
    page.get_by_role("table").get_by_role("link").first.click()

    page.get_by_label("Nodiadau, un ar bob llinell").fill(
        "+ Mae'r canllawiau'n glir\nNeeds more training"
    )
    page.get_by_role("button", name="Ychwanegu nodiadau").click()

    expect(page.get_by_text("2 nodyn wedi'u hychwanegu")).to_be_visible()
    expect(page.get_by_text("“Needs more training”")).to_be_visible()
    assert_accessible(page)
