"""An organiser runs the blog's carousel from the run sheet; a strict round gives late text back."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts import roles
from tests.browser.conftest import assert_accessible
from tests.conftest import PASSWORD, client_for
from tests.factories import FlipchartGroupFactory, UserFactory, WorkshopFactory
from workshops.models import Contribution, LateNotes, RoundsMode, Workshop
from workshops.services import workshop_rounds_start

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def carousel():
    workshop = WorkshopFactory(
        slug="so-what",
        rounds_mode=RoundsMode.ROTATE,
        late_notes=LateNotes.REFUSE,
        visiting_groups="Red\nBlue\nGreen\nYellow",
    )
    facilitator = UserFactory(email="alex@example.gov.uk", roles=[roles.FACILITATORS])
    for order, subject in enumerate(["Barriers", "Positives", "Delivery", "Skills"]):
        group = FlipchartGroupFactory(workshop=workshop, order=order, subject=subject)
        group.facilitators.add(facilitator)
    return workshop


def sign_in(page: Page, base_url: str, path: str):
    page.set_default_timeout(5000)
    page.goto(base_url + path)
    page.get_by_label("Email address").fill("alex@example.gov.uk")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def strict_round_gives_late_text_back(page: Page, base_url: str, workshop, *, javascript: bool):
    workshop_rounds_start(
        workshop=workshop, grace_minutes=2, at=timezone.now() - datetime.timedelta(minutes=8)
    )
    group = workshop.groups.get(order=0)
    sign_in(page, base_url, group.get_absolute_url())
    expect(page.get_by_text("Notes sent now are not added")).to_be_visible()
    page.get_by_label("Notes, one per line").fill("Typed after time\n+ Kept for later")
    page.get_by_role("button", name="Add notes").click()

    expect(page.get_by_role("alert")).to_contain_text("so these notes were not added")
    expect(page.get_by_label("Notes, one per line")).to_have_value(
        "Typed after time\n+ Kept for later"
    )
    assert not Contribution.objects.exists()
    if javascript:
        assert_accessible(page)

    # The next round opens capture again, and the kept text goes in with its round's group.
    workshop_rounds_start(workshop=Workshop.objects.get(pk=workshop.pk), grace_minutes=2)
    page.get_by_role("button", name="Add notes").click()
    expect(page.get_by_text("2 notes added")).to_be_visible()
    assert set(Contribution.objects.values_list("round_number", "visiting_group")) == {
        (2, "Yellow")
    }


def test_a_strict_round_gives_late_text_back_with_javascript(page: Page, live_server, carousel):
    strict_round_gives_late_text_back(page, live_server.url, carousel, javascript=True)


def test_a_strict_round_gives_late_text_back_without_javascript(
    no_js_page: Page, live_server, carousel
):
    strict_round_gives_late_text_back(no_js_page, live_server.url, carousel, javascript=False)


def run_four_rounds(page: Page, base_url: str, workshop, *, javascript: bool):
    organiser = UserFactory(email="org@example.gov.uk", roles=[roles.ORGANISERS])
    # Organisers pass a second factor at sign-in (tested elsewhere); start from their session.
    client = client_for(organiser)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base_url}]
    )
    page.set_default_timeout(5000)
    page.goto(base_url + f"/workshops/{workshop.slug}/run-sheet/")
    expect(page.get_by_role("table", name="Which group is at which flipchart")).to_be_visible()
    if javascript:
        assert_accessible(page)
    page.get_by_role("button", name="Start round 1 at every flipchart").click()
    expect(page.get_by_text("Round 1: Rounds started for all 4 groups")).to_be_visible()
    for number in (2, 3, 4):
        page.get_by_role("button", name=f"Start round {number} at every flipchart").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            f"Start round {number} at every flipchart?"
        )
        if javascript and number == 2:
            assert_accessible(page)
        page.get_by_role("button", name=f"Yes, start round {number}").click()
        expect(page.get_by_text(f"Round {number}: Rounds started for all 4 groups")).to_be_visible()
    assert Workshop.objects.get(pk=workshop.pk).current_round == 4
    expect(page.get_by_text("Blue (now)")).to_be_visible()


def test_four_rounds_from_the_run_sheet_with_javascript(page: Page, live_server, carousel):
    run_four_rounds(page, live_server.url, carousel, javascript=True)


def test_four_rounds_from_the_run_sheet_without_javascript(no_js_page: Page, live_server, carousel):
    run_four_rounds(no_js_page, live_server.url, carousel, javascript=False)
