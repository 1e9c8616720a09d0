"""At 320 x 640, as on a small phone, no public page scrolls sideways and axe finds nothing, in
English and in Welsh; the progress page's search works without JavaScript and its contents lead
to the answers."""

import pytest
from playwright.sync_api import Page, expect

from demo.management.commands.seed_demo import DEMO_PASSWORD, DEMO_SLUG
from progress.services import report_publish
from tests.browser.conftest import assert_accessible, sign_in_to_admin
from workshops.models import User

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 320, "height": 640}
WORKSHOP = f"/workshops/{DEMO_SLUG}/"
PROGRESS = f"/workshops/{DEMO_SLUG}/progress/"
PUBLIC_PAGES = [
    "/",
    WORKSHOP,
    PROGRESS,
    f"{PROGRESS}areas/infrastructure/",
    f"{PROGRESS}areas/not-yet-sorted/",
    f"{PROGRESS}search/?q=blocked",
    f"{PROGRESS}search/?q=",
    f"/workshops/{DEMO_SLUG}/follow/",
    "/accessibility/",
    "/privacy/",
    "/cookies/",
    "/feedback/",
    "/themes/",
    "/themes/blocked-access-to-tools/",
]

SIGN_IN_WORDS = {
    "en-GB": ("Email address", "Password", "Sign in"),
    "cy": ("Cyfeiriad e-bost", "Cyfrinair", "Mewngofnodi"),
}


def assert_no_sideways_scroll(page: Page, path: str):
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.evaluate("window.innerWidth")
    assert width <= viewport, f"{path} is {width} px wide at {viewport} px"


@pytest.mark.parametrize("language", ["en-GB", "cy"])
def test_no_public_page_scrolls_sideways_on_a_small_phone_and_axe_finds_nothing(
    page: Page, live_server, demo, language
):
    page.set_viewport_size(PHONE)
    page.set_extra_http_headers({"Accept-Language": language})
    for path in PUBLIC_PAGES:
        page.goto(live_server.url + path)
        expect(page.locator("html")).to_have_attribute("lang", language)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert_no_sideways_scroll(page, path)
        assert_accessible(page)


@pytest.mark.parametrize("language", ["en-GB", "cy"])
def test_a_published_report_back_and_a_board_pack_fit_a_small_phone_and_axe_finds_nothing(
    page: Page, live_server, demo, language
):
    report_publish(workshop=demo, by=User.objects.get(email="organiser@example.gov.uk"))
    page.set_viewport_size(PHONE)
    page.set_extra_http_headers({"Accept-Language": language})
    page.goto(live_server.url + "/account/sign-in/?next=/actions/")
    email, password, sign_in = SIGN_IN_WORDS[language]
    page.get_by_label(email).fill("owner@example.gov.uk")
    page.get_by_label(password).fill(DEMO_PASSWORD)
    page.get_by_role("button", name=sign_in).click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    for path in [f"/workshops/{DEMO_SLUG}/report/", "/actions/packs/digital-leaders-network/"]:
        page.goto(live_server.url + path)
        expect(page.locator("html")).to_have_attribute("lang", language)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert_no_sideways_scroll(page, path)
        assert_accessible(page)


def test_the_run_sheet_does_not_scroll_sideways_on_a_small_phone(page: Page, live_server, demo):
    sign_in_to_admin(page, live_server.url)
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + f"/workshops/{DEMO_SLUG}/run-sheet/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Run sheet")
    assert_no_sideways_scroll(page, "the run sheet")
    assert_accessible(page)


def test_the_contributions_chart_draws_every_bar_wide_enough_to_see(page: Page, live_server, demo):
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + PROGRESS)
    chart = page.get_by_role("table", name="Contributions per area")
    widths = chart.locator("rect").evaluate_all(
        "rects => rects.map(rect => rect.getBoundingClientRect().width)"
    )
    counts = chart.locator("td.govuk-table__cell--numeric").all_inner_texts()
    assert max(widths) >= 200
    assert all(width >= 8 for width, count in zip(widths, counts, strict=True) if int(count))


def test_a_participant_finds_an_answer_by_searching_without_javascript(
    no_js_page: Page, live_server, demo
):
    page = no_js_page
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/")
    listed = page.get_by_role("listitem").filter(
        has=page.get_by_role("heading", name=demo.title, exact=True)
    )
    listed.get_by_role("link", name="You said, we did").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(demo.title)
    page.get_by_role("navigation", name="Contents").get_by_role(
        "link", name="Questions asked"
    ).click()
    assert page.url.endswith("#questions")

    page.get_by_label("Search what was said and done").fill("blocked")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Search this workshop")
    expect(page.get_by_label("Search what was said and done")).to_have_value("blocked")
    expect(page.locator("#search-summary")).to_contain_text("for “blocked”")
    expect(page.get_by_role("main")).not_to_contain_text("A note from another workshop")

    page.get_by_label("Search what was said and done").fill("")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("link", name="Enter words to search for")).to_be_visible()
    assert_no_sideways_scroll(page, "the search page with an error")


def test_every_note_of_an_area_is_reached_from_the_progress_page(page: Page, live_server, demo):
    page.goto(live_server.url + PROGRESS)
    page.get_by_role("link", name="All ", exact=False).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("All notes in")
    assert page.locator("li[id^=note-]").count() >= 1
    assert_accessible(page)
