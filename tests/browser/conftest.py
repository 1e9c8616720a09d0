import os
import shutil

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from demo.management.commands.seed_demo import DEMO_PASSWORD, DEMO_SLUG
from tests.conftest import current_code, restore_data_from_migrations
from tests.factories import ContributionFactory
from workshops.models import User, Workshop

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"

# Playwright's sync API runs an event loop in this thread; the tests still use the ORM.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.path).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.path.exists(CHROMIUM):
        message = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message + ": browser tests must run in CI")
        pytest.skip(message)
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def no_js_page(browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(autouse=True)
def _data_from_migrations(transactional_db):
    """Browser tests run in real transactions and the database is emptied after each one, so
    put back the rows that data migrations create: default owners, areas and roles."""
    restore_data_from_migrations()


# Every rule of WCAG 2.0, 2.1 and 2.2 at levels A and AA, and axe's best practices. Naming the
# tags switches on rules axe leaves off by default, such as WCAG 2.2's target-size.
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}


def assert_accessible(page):
    """axe-core finds no violations on the page, once it has finished loading."""
    page.wait_for_load_state()
    results = Axe().run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, results.generate_report()


def pass_second_factor(page, user):
    """On the security code page, type what the user's authenticator app shows now."""
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    page.get_by_label("Security code").fill(current_code(device))
    page.get_by_role("button", name="Continue").click()


@pytest.fixture
def demo(settings):
    """The demo workshop, and a note from another workshop."""
    settings.DEBUG = True  # seed_demo refuses to publish its password otherwise
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    ContributionFactory(text="A note from another workshop")
    return Workshop.objects.get(slug=DEMO_SLUG)


def sign_in_to_admin(page: Page, base_url: str):
    """Sign in as the demo's organiser, second factor included, and land on the admin's index."""
    page.goto(base_url + "/admin/")
    page.get_by_label("Email address").fill("organiser@example.gov.uk")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    pass_second_factor(page, User.objects.get(email="organiser@example.gov.uk"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Workshops, triage and actions")
