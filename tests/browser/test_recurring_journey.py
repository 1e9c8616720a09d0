"""A triager at a new workshop meets what was said at four earlier ones: the workbench suggests
areas learnt from their notes (three accepted, one changed), a new theme is linked to the
recurring theme the service proposes, and the public recurring-theme page then shows this
workshop too. With JavaScript and without; every page on the way is axe clean."""

import datetime
import json
import re

import pytest
from django.utils.text import slugify
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible
from tests.browser.test_workbench_journey import area, sign_in, workbench
from tests.factories import FlipchartGroupFactory, WorkshopFactory
from tests.workshops.test_workbench_suggestions import LABELLED, past_triage  # noqa: F401
from workshops.models import (
    Contribution,
    RecurringTheme,
    RecurringThemeLink,
    SuggestionOutcome,
    Theme,
)

pytestmark = pytest.mark.django_db(transaction=True)

# The fifth labelled workshop's notes, which the engine is sure of (from the four before it),
# except the fourth: it suggests Training for a network problem, and the triager changes it.
ACCEPTED = [
    "Short practical courses on everyday digital tools",
    "Managers talk about digital but never use it",
    "Unclear who can give permission to try something new",
]
CHANGED = "The network drops out every afternoon"
BLOCKED = "Social media sites are blocked on all counter terminals"
NEW_THEME = "No access on the front line"
RECURRING = "Blocked access to social media"


@pytest.fixture
def workshop(past_triage, organiser):  # noqa: F811
    """The recurring themes of the labelled file over its first four workshops, and a new
    published workshop with five notes to triage."""
    TOTPDevice.objects.create(user=organiser, name="Phone", confirmed=True)
    data = json.loads(LABELLED.read_text())
    for labelled in data["recurring_themes"]:
        themes = Theme.objects.filter(
            name__in=[link["theme"] for link in labelled["themes"]],
            workshop__title__in=[w["title"] for w in data["workshops"][:4]],
        )
        if themes:
            recurring = RecurringTheme.objects.create(
                name=labelled["name"], slug=slugify(labelled["name"]), area=themes[0].area
            )
            for theme in themes:
                RecurringThemeLink.objects.create(recurring_theme=recurring, theme=theme)
    workshop = WorkshopFactory(title="Front-line digital skills", date=datetime.date(2026, 5, 6))
    group = FlipchartGroupFactory(workshop=workshop, subject="What gets in the way?")
    start = datetime.datetime.now(tz=datetime.UTC) - datetime.timedelta(hours=1)
    for n, text in enumerate([*ACCEPTED, CHANGED, BLOCKED]):
        Contribution.objects.create(
            group=group, text=text, entered_at=start + datetime.timedelta(seconds=n)
        )
    return workshop


def assert_triaged_and_linked():
    notes = Contribution.objects.filter(group__workshop__title="Front-line digital skills")
    outcomes = sorted(notes.values_list("suggestion", flat=True))
    assert outcomes == [SuggestionOutcome.ACCEPTED] * 4 + [SuggestionOutcome.CHANGED]
    assert notes.get(text=CHANGED).area == area("infrastructure")
    theme = Theme.objects.get(name=NEW_THEME)
    assert theme.recurring_link.recurring_theme.name == RECURRING


def the_public_page_shows_the_workshop(page: Page, base_url: str):
    page.goto(base_url + "/themes/")
    page.get_by_role("link", name=RECURRING).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(RECURRING)
    expect(
        page.get_by_role("heading", name=re.compile("Front-line digital skills"))
    ).to_be_visible()
    expect(page.get_by_text(f"Theme “{NEW_THEME}”: 1 published note.")).to_be_visible()
    expect(page.get_by_text(BLOCKED)).to_be_visible()


def test_triager_accepts_suggestions_and_links_a_new_theme_with_javascript(
    page, live_server, workshop, organiser
):
    sign_in(page, live_server.url, organiser)
    page.goto(workbench(live_server.url, workshop))
    notes = page.locator(".wb-note")
    expect(notes).to_have_count(5)
    for n in range(4):
        expect(notes.nth(n).locator(".wb-areas input:checked")).to_have_count(1)

    for n in range(3):
        page.keyboard.press("Enter")
        expect(notes.nth(n)).to_have_class(re.compile(r"\bwb-done\b"))
    page.keyboard.press("2")
    page.keyboard.press("Enter")
    expect(notes.nth(3)).to_have_class(re.compile(r"\bwb-done\b"))
    page.keyboard.press("t")
    page.keyboard.type(NEW_THEME)
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")

    offer = page.get_by_role("region", name=f"Was “{NEW_THEME}” said at other workshops too?")
    expect(offer).to_be_visible()
    choices = offer.get_by_role("button")
    expect(choices.first).to_have_text(f"Link to “{RECURRING}”")
    expect(choices).to_have_count(3)  # both recurring themes of Infrastructure, "None of these"
    assert_accessible(page)
    choices.first.click()
    expect(page.locator("#wb-status")).to_have_text(
        f"Linked “{NEW_THEME}” to the recurring theme “{RECURRING}”."
    )
    expect(offer).to_be_hidden()
    assert_triaged_and_linked()

    page.goto(live_server.url + "/admin/workshops/recurringtheme/")
    assert_accessible(page)
    page.get_by_role("link", name="What was said and done each time").click()
    expect(page.get_by_role("link", name=NEW_THEME)).to_be_visible()
    assert_accessible(page)
    theme = Theme.objects.get(name=NEW_THEME)
    page.goto(f"{live_server.url}/admin/workshops/theme/{theme.pk}/recurring/")
    expect(page.get_by_text(f"Linked now to {RECURRING}.")).to_be_visible()
    assert_accessible(page)
    page.goto(f"{live_server.url}/admin/workshops/theme/{theme.pk}/change/")
    expect(page.get_by_text(f"Linked to “{RECURRING}”.")).to_be_visible()
    assert_accessible(page)
    recurring = theme.recurring_link.recurring_theme
    page.goto(f"{live_server.url}/admin/workshops/recurringtheme/{recurring.pk}/change/")
    assert_accessible(page)

    the_public_page_shows_the_workshop(page, live_server.url)
    assert_accessible(page)
    page.goto(live_server.url + "/themes/")
    assert_accessible(page)


def test_triager_accepts_suggestions_and_links_a_new_theme_without_javascript(
    no_js_page, live_server, workshop, organiser
):
    page = no_js_page
    sign_in(page, live_server.url, organiser)
    page.goto(workbench(live_server.url, workshop))
    notes = page.locator(".wb-note")
    expect(notes).to_have_count(5)
    ids = [notes.nth(n).get_attribute("data-note") for n in range(5)]
    for pk in ids:
        expect(page.locator(f"[name='n{pk}-area']:checked")).to_have_count(1)

    page.locator(f"#n{ids[3]}-area-{area('infrastructure').pk}").check()
    page.locator(f"#n{ids[4]}-new_theme").fill(NEW_THEME)
    page.get_by_role("button", name="Save and show the next 20").click()

    expect(page.get_by_text("5 notes saved.")).to_be_visible()
    page.get_by_role("link", name="Link it to a recurring theme").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Link “{NEW_THEME}” to a recurring theme"
    )
    page.get_by_role("button", name=f"Link to “{RECURRING}”").click()
    expect(page.get_by_text(f"Linked “{NEW_THEME}” to the recurring theme")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Triage workbench")
    assert_triaged_and_linked()

    the_public_page_shows_the_workshop(page, live_server.url)
