"""A member of staff signs in for the first time, sets up two-factor authentication and
reaches the admin; next time they enter a code. With and without JavaScript."""

import base64
import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from accounts import roles
from tests.browser.conftest import assert_accessible, pass_second_factor
from tests.conftest import PASSWORD
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def staff(db):
    return UserFactory(
        email="new.organiser@example.gov.uk",
        password=PASSWORD,
        is_staff=True,
        roles=[roles.ORGANISERS],
    )


def sign_in_with_password(page: Page, base_url: str, next_path: str = "/admin/"):
    page.goto(f"{base_url}/account/sign-in/?next={next_path}")
    page.get_by_label("Email address").fill("new.organiser@example.gov.uk")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def code_from_typed_key(key_text: str) -> str:
    return f"{totp(base64.b32decode(key_text.replace(' ', ''))):06d}"


def set_up_authenticator(page: Page):
    """Read the key as someone without a camera would, and type the code it gives."""
    page.get_by_text("I cannot scan the QR code").click()
    key = page.locator("#setup-key").inner_text()
    page.get_by_label("Code from your authenticator app").fill(code_from_typed_key(key))
    page.get_by_role("button", name="Continue").click()


def test_first_sign_in_sets_up_two_factor_then_opens_the_admin(page: Page, live_server, staff):
    sign_in_with_password(page, live_server.url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor authentication")
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Code from your authenticator app").fill("000000")
    page.get_by_role("button", name="Continue").click()
    expect(
        page.get_by_role("link", name="Enter the code your authenticator app shows now")
    ).to_be_visible()
    TOTPDevice.objects.filter(user=staff).update(throttling_failure_count=0)
    set_up_authenticator(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("Save your backup codes")
    expect(page.locator(".app-backup-codes li")).to_have_count(10)
    assert_accessible(page)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Workshops, triage and actions")


def test_next_sign_in_asks_for_a_code(page: Page, live_server, staff):
    TOTPDevice.objects.create(user=staff, name="Phone", confirmed=True)
    sign_in_with_password(page, live_server.url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your security code")
    assert_accessible(page)
    pass_second_factor(page, staff)
    expect(page.get_by_role("heading", level=1)).to_have_text("Workshops, triage and actions")


def test_two_factor_set_up_works_without_javascript(no_js_page: Page, live_server, staff):
    sign_in_with_password(no_js_page, live_server.url)
    expect(no_js_page.get_by_role("heading", level=1)).to_have_text(
        "Set up two-factor authentication"
    )
    set_up_authenticator(no_js_page)
    expect(no_js_page.locator(".app-backup-codes li")).to_have_count(10)
    no_js_page.get_by_role("button", name="Continue").click()
    expect(no_js_page.get_by_role("heading", level=1)).to_have_text("Workshops, triage and actions")
