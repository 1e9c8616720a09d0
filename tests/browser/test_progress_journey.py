"""A participant reads the demo workshop's progress, follows it by email, confirms through the
emailed link and downloads the contributions, with and without JavaScript."""

import csv
import io
import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from playwright.sync_api import Page, expect

from demo.management.commands.seed_demo import DEMO_SLUG
from tests.browser.conftest import assert_accessible
from workshops.models import Follower

pytestmark = pytest.mark.django_db(transaction=True)

PROGRESS = f"/workshops/{DEMO_SLUG}/progress/"


@pytest.fixture
def demo(settings):
    settings.DEBUG = True  # seed_demo refuses to publish its password otherwise
    call_command("seed_demo", stdout=io.StringIO())
    settings.DEBUG = False
    cache.clear()


def follow_and_download(page: Page, base_url: str, email: str):
    page.goto(base_url + PROGRESS)
    expect(page.get_by_role("heading", level=1)).to_have_text("Social media guidelines: so what?")
    expect(page.get_by_role("table", name="Contributions per area")).to_be_visible()
    expect(page.get_by_role("heading", name="Questions asked")).to_be_visible()

    page.get_by_role("link", name="Get email updates on this workshop").click()
    page.get_by_label("Email address").fill(email)
    page.get_by_role("button", name="Get updates").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")

    message = next(m for m in mail.outbox if m.to == [email])
    confirm = re.search(r"(http://\S+/follow/confirm/\S+/)", message.body).group(1)
    page.goto(confirm)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You are following this workshop")
    assert Follower.objects.filter(email=email).exists()

    page.get_by_role("link", name="Back to Social media guidelines: so what?").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Contributions (CSV)").click()
    with open(download.value.path(), encoding="utf-8-sig", newline="") as file:
        rows = list(csv.reader(file))
    assert rows[0][:3] == ["ID", "Flipchart group", "Kind"]
    assert len(rows) > 1


def test_follow_and_download_with_javascript(page: Page, live_server, demo):
    follow_and_download(page, live_server.url, "with.js@example.com")


def test_follow_and_download_without_javascript(no_js_page: Page, live_server, demo):
    follow_and_download(no_js_page, live_server.url, "without.js@example.com")


@pytest.mark.parametrize("path", [PROGRESS, f"/workshops/{DEMO_SLUG}/follow/"])
def test_progress_pages_have_no_accessibility_violations(page: Page, live_server, demo, path):
    page.goto(live_server.url + path)
    assert_accessible(page)
