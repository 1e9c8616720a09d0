"""An organiser triages the 40 notes of a generated workshop in the triage workbench: by
keyboard alone with JavaScript, and in two page submits without it."""

import datetime
import re
import time

import pytest
from axe_playwright_python.sync_playwright import Axe
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible, pass_second_factor
from tests.conftest import PASSWORD
from tests.factories import FlipchartGroupFactory, WorkshopFactory
from workshops.models import Area, Contribution, Reach, Theme

pytestmark = pytest.mark.django_db(transaction=True)

NOTES = 40
SUBJECTS = [
    "Barriers to using social media",
    "Positives and negatives in your department",
    "Implementing service delivery",
    "Skills and tools",
]
SAYINGS = [
    "Twitter is blocked on the office network",
    "Managers worry about what staff might say",
    "Nobody knows which guidance applies to them",
    "We need digital champions in every team",
    "Old browsers break the sites we need",
    "Permission to engage takes weeks to get",
    "Training is all about theory, not practice",
    "Senior leaders should blog themselves",
]


@pytest.fixture
def workshop(organiser):
    TOTPDevice.objects.create(user=organiser, name="Phone", confirmed=True)
    workshop = WorkshopFactory(title="Social media: so what?")
    groups = [
        FlipchartGroupFactory(workshop=workshop, subject=subject, order=n)
        for n, subject in enumerate(SUBJECTS)
    ]
    start = datetime.datetime.now(tz=datetime.UTC) - datetime.timedelta(hours=2)
    Contribution.objects.bulk_create(
        Contribution(
            group=groups[n % 4],
            text=f"{SAYINGS[n % len(SAYINGS)]} (note {n + 1})",
            reach=Reach.SOME if n % 3 == 0 else Reach.UNKNOWN,
            entered_at=start + datetime.timedelta(seconds=n),
        )
        for n in range(NOTES)
    )
    return workshop


def sign_in(page: Page, base_url: str, organiser):
    page.goto(base_url + "/admin/")
    page.get_by_label("Email address").fill(organiser.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    pass_second_factor(page, organiser)
    expect(page.get_by_role("heading", level=1)).to_have_text("Workshops, triage and actions")


def workbench(base_url, workshop, **params) -> str:
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return f"{base_url}/admin/workshops/workshop/{workshop.pk}/workbench/" + (
        f"?{query}" if query else ""
    )


class Keyboard:
    """The organiser's hands: every key pressed is counted, a typed letter as one."""

    def __init__(self, page: Page):
        self.page = page
        self.count = 0

    def press(self, *keys: str):
        for key in keys:
            self.page.keyboard.press(key)
            self.count += 1

    def type(self, text: str):
        self.page.keyboard.type(text)
        self.count += len(text)


def area(slug) -> Area:
    return Area.objects.get(slug=slug)


def test_organiser_triages_40_notes_by_keyboard_alone_and_undoes_one(
    page, live_server, workshop, organiser
):
    sign_in(page, live_server.url, organiser)
    page.goto(workbench(live_server.url, workshop, size=50))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Triage workbench")
    expect(page.get_by_role("heading", name="Keyboard shortcuts")).to_be_visible()
    notes = page.locator(".wb-note")
    expect(notes).to_have_count(NOTES)
    assert_accessible(page)
    target_size = Axe().run(page, options={"runOnly": {"type": "rule", "values": ["target-size"]}})
    assert target_size.violations_count == 0, target_size.generate_report()

    keys = Keyboard(page)
    status = page.locator("#wb-status")

    def saved(n: int):
        expect(notes.nth(n)).to_have_class(re.compile(r"\bwb-done\b"))

    started = time.monotonic()
    # Note 1: Infrastructure, in a new theme.
    keys.press("2", "t")
    keys.type("Blocked sites")
    keys.press("Enter", "Enter")
    saved(0)
    # Notes 2 and 3 join it: a few letters find it, and it brings its area.
    for n in (1, 2):
        keys.press("t")
        keys.type("blo")
        keys.press("Enter", "Enter")
        saved(n)
    # Note 4: Training, in a second new theme.
    keys.press("4", "t")
    keys.type("Champions")
    keys.press("Enter", "Enter")
    saved(3)
    # Note 5 names someone: hidden from the public, for personal data.
    keys.press("h", "Enter")
    saved(4)
    # Notes 6 and 7 join the second theme.
    for n in (5, 6):
        keys.press("t")
        keys.type("cha")
        keys.press("Enter", "Enter")
        saved(n)
    # The rest go into the four areas in turn.
    for n in range(7, NOTES):
        keys.press(str(1 + n % 4), "Enter")
        saved(n)
    expect(status).to_contain_text("Every note on this page is saved")
    seconds = time.monotonic() - started

    # Undo the last save: the note is back to triage, and saved again.
    keys.press("u")
    expect(notes.nth(NOTES - 1)).not_to_have_class(re.compile(r"\bwb-done\b"))
    expect(status).to_contain_text("Undid the save")
    last = Contribution.objects.order_by("-entered_at").first()
    assert last.area is None
    assert last.reviewed_at is None
    keys.press("1", "Enter")
    saved(NOTES - 1)

    per_note = keys.count / NOTES
    print(f"FIGURE: workbench keystrokes per note: {per_note:.2f} ({keys.count} for {NOTES})")
    print(f"FIGURE: workbench seconds per note: {seconds / NOTES:.2f}")
    assert per_note <= 4

    assert not Contribution.objects.to_triage().exists()
    blocked, champions = Theme.objects.order_by("name")
    assert (blocked.name, blocked.area) == ("Blocked sites", area("infrastructure"))
    assert (champions.name, champions.area) == ("Champions", area("training"))
    assert blocked.contributions.count() == 3
    assert champions.contributions.count() == 3
    hidden = Contribution.objects.get(hidden_from_public=True)
    assert hidden.hidden_reason == "personal_data"
    assert Contribution.objects.filter(area__isnull=False).count() == NOTES - 1
    assert not Contribution.objects.filter(reviewed_by__isnull=True).exists()


def test_a_failed_save_keeps_the_choice_and_says_so(page, live_server, workshop, organiser):
    sign_in(page, live_server.url, organiser)
    page.goto(workbench(live_server.url, workshop))
    first = page.locator(".wb-note").first
    expect(first).to_have_class(re.compile(r"\bwb-current\b"))
    page.route("**/workbench/save/", lambda route: route.abort())

    page.keyboard.press("3")
    page.keyboard.press("Enter")

    expect(page.locator("#wb-status")).to_contain_text("was not saved")
    expect(first.locator(".wb-note-status")).to_contain_text("Your choice is kept")
    expect(first.get_by_role("radio", name=re.compile("Empowerment"))).to_be_checked()
    assert not Contribution.objects.filter(area__isnull=False).exists()


def test_shortcuts_do_not_fire_while_typing_a_theme(page, live_server, workshop, organiser):
    sign_in(page, live_server.url, organiser)
    page.goto(workbench(live_server.url, workshop))
    first = page.locator(".wb-note").first

    page.keyboard.press("t")
    page.keyboard.type("4 hot tips")

    expect(first.get_by_role("combobox", name="Theme")).to_have_value("4 hot tips")
    expect(first.get_by_role("radio", name=re.compile("Training"))).not_to_be_checked()
    expect(first.locator(".wb-hide")).to_be_hidden()


def test_organiser_triages_40_notes_in_two_submits_without_javascript(
    no_js_page, live_server, workshop, organiser
):
    page = no_js_page
    sign_in(page, live_server.url, organiser)
    page.goto(workbench(live_server.url, workshop))
    expect(page.get_by_text("40 notes still to triage")).to_be_visible()
    slugs = ["cultural-change", "infrastructure", "empowerment", "training"]

    for submit in range(2):
        notes = page.locator(".wb-note")
        expect(notes).to_have_count(20)
        ids = [notes.nth(i).get_attribute("data-note") for i in range(20)]
        for i, pk in enumerate(ids):
            n = submit * 20 + i
            if n == 4:
                page.locator(f"#n{pk}-hide-personal_data").check()
                continue
            page.locator(f"#n{pk}-area-{area(slugs[n % 4]).pk}").check()
            if n in (0, 1):
                page.locator(f"#n{pk}-area-{area('infrastructure').pk}").check()
                page.locator(f"#n{pk}-new_theme").fill("Blocked sites")
            if n in (20, 21):
                page.locator(f"#n{pk}-area-{area('infrastructure').pk}").check()
                page.locator(f"#n{pk}-theme").select_option(label="Blocked sites")
        page.get_by_role("button", name="Save and show the next 20").click()
        expect(page.get_by_text("20 notes saved.")).to_be_visible()

    expect(page.get_by_text("Every note of this workshop is triaged and reviewed")).to_be_visible()
    assert not Contribution.objects.to_triage().exists()
    assert Theme.objects.get(name="Blocked sites").contributions.count() == 4
    assert Contribution.objects.get(hidden_from_public=True).hidden_reason == "personal_data"


def test_without_javascript_an_error_keeps_every_choice(
    no_js_page, live_server, workshop, organiser
):
    page = no_js_page
    sign_in(page, live_server.url, organiser)
    page.goto(workbench(live_server.url, workshop))
    notes = page.locator(".wb-note")
    first, second = (notes.nth(i).get_attribute("data-note") for i in range(2))
    page.locator(f"#n{first}-area-{area('training').pk}").check()
    page.locator(f"#n{second}-new_theme").fill("A theme without an area")

    page.get_by_role("button", name="Save and show the next 20").click()

    expect(page.get_by_role("alert")).to_contain_text("Note 2: Select an area for the new theme")
    expect(page.locator(f"#n{first}-area-{area('training').pk}")).to_be_checked()
    expect(page.locator(f"#n{second}-new_theme")).to_have_value("A theme without an area")
    assert not Contribution.objects.filter(reviewed_at__isnull=False).exists()
