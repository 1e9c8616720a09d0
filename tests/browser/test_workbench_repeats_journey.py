"""An organiser puts a group of notes that say much the same into one theme in one move, with
JavaScript (one request, the list stays) and without (one form submit)."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible
from tests.browser.test_workbench_journey import sign_in, workbench
from tests.factories import FlipchartGroupFactory, WorkshopFactory
from workshops.models import Contribution, Theme

pytestmark = pytest.mark.django_db(transaction=True)

REPEATS = [
    ("Barriers", "Access to social media is blocked in my department"),
    ("Barriers", "access to social meda is blocked in my departmnet"),
    ("Ideas", "+1 to access to social media being blocked"),
]
OTHERS = [
    ("Ideas", "We need a digital champion in every team"),
    ("Barriers", "The canteen closes too early"),
]


@pytest.fixture
def workshop(organiser):
    TOTPDevice.objects.create(user=organiser, name="Phone", confirmed=True)
    workshop = WorkshopFactory(title="Online engagement: what next?")
    groups = {
        subject: FlipchartGroupFactory(workshop=workshop, subject=subject, order=n)
        for n, subject in enumerate(["Barriers", "Ideas"])
    }
    for subject, text in REPEATS + OTHERS:
        Contribution.objects.create(group=groups[subject], text=text)
    return workshop


def put_repeats_in_a_new_theme(page):
    group = page.locator(".wb-repeat").first
    expect(group.get_by_role("heading")).to_have_text("3 notes from 2 flipcharts say much the same")
    group.get_by_label("Or a new theme called").fill("Blocked social media")
    group.get_by_label("Area of a new theme").select_option(label="Infrastructure")
    group.get_by_role("button", name="Put these 3 notes in one theme").click()


def assert_in_one_theme(workshop):
    theme = Theme.objects.get(workshop=workshop, name="Blocked social media")
    texts = set(theme.contributions.values_list("text", flat=True))
    assert texts == {text for _, text in REPEATS}
    assert theme.area.name == "Infrastructure"


def test_with_javascript_repeats_go_into_one_theme_in_one_request(
    page, live_server, workshop, organiser
):
    sign_in(page, live_server.url, organiser)
    page.goto(workbench(live_server.url, workshop))
    assert_accessible(page)
    loads = []
    page.on("load", lambda _: loads.append(1))

    put_repeats_in_a_new_theme(page)

    message = "3 notes put in “Blocked social media”, which now holds 3 notes from 2 flipcharts."
    expect(page.locator(".wb-repeat-status").first).to_have_text(message)
    for _, text in REPEATS:
        note = page.locator(".wb-note", has_text=text)
        expect(note.locator(".wb-done-flag")).to_be_visible()
    assert loads == []  # the list never reloaded
    assert_in_one_theme(workshop)
    assert_accessible(page)


def test_without_javascript_repeats_go_into_one_theme_in_one_submit(
    no_js_page, live_server, workshop, organiser
):
    page = no_js_page
    sign_in(page, live_server.url, organiser)
    page.goto(workbench(live_server.url, workshop))

    put_repeats_in_a_new_theme(page)

    expect(page.get_by_text("3 notes put in “Blocked social media”")).to_be_visible()
    expect(page.get_by_text("say much the same")).to_have_count(0)
    assert_in_one_theme(workshop)
