"""Staff pass a second factor (an authenticator app, or a backup code) before any page."""

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import roles
from tests.conftest import PASSWORD, client_for, current_code
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ADMIN = reverse("admin:index")
SET_UP = reverse("two_factor_setup")
VERIFY = reverse("two_factor_verify")


@pytest.fixture(autouse=True)
def _no_wait_after_a_wrong_code(settings):
    """django-otp makes each wrong code double the wait before the next try; tests that type
    a wrong code on purpose need not wait (one test below proves the wait)."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


@pytest.fixture
def staff(db):
    return UserFactory(
        email="staff@example.gov.uk", is_staff=True, password=PASSWORD, roles=[roles.ORGANISERS]
    )


def signed_in_with_password(user) -> Client:
    client = Client()
    response = client.post(reverse("login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def confirmed_device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)


@pytest.mark.parametrize("path", [ADMIN, reverse("workshops:workshop_list"), "/admin/auth/"])
def test_staff_without_an_authenticator_are_sent_to_set_one_up_first(staff, path):
    response = signed_in_with_password(staff).get(path)
    assert response.status_code == 302
    assert response.url.startswith(SET_UP + "?next=")


def test_staff_with_an_authenticator_are_asked_for_a_code_first(staff):
    confirmed_device(staff)
    response = signed_in_with_password(staff).get(ADMIN)
    assert response.url == f"{VERIFY}?next=%2Fadmin%2F"


def test_people_who_are_not_staff_need_no_second_factor(facilitator):
    assert client_for(facilitator).get(reverse("workshops:group_list")).status_code == 200


def test_staff_can_sign_out_before_the_second_factor(staff):
    client = signed_in_with_password(staff)
    assert client.post(reverse("logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_setting_up_shows_a_qr_code_and_the_key_then_backup_codes_once(staff):
    client = signed_in_with_password(staff)
    page = client.get(SET_UP + "?next=/admin/")
    device = TOTPDevice.objects.get(user=staff, confirmed=False)
    assert re.search(r'<img class="app-qr-code" src="data:image/svg\+xml', page.text)
    typed_key = re.search(r'id="setup-key">([A-Z2-7 ]+)<', page.text).group(1)
    assert typed_key.replace(" ", "") in device.config_url

    wrong = client.post(SET_UP + "?next=/admin/", {"code": "000000"})
    assert "Enter the code your authenticator app shows now" in wrong.text
    key_before = client.session.session_key
    done = client.post(SET_UP + "?next=/admin/", {"code": current_code(device)})

    codes = re.findall(r"<li><code>(\w+)</code></li>", done.text)
    assert len(codes) == 10
    assert set(codes) == set(
        StaticToken.objects.filter(device__user=staff).values_list("token", flat=True)
    )
    assert 'href="/admin/"' in done.text
    assert client.session.session_key != key_before
    assert client.get(ADMIN).status_code == 200
    assert client.get(SET_UP).url.startswith(VERIFY), "the codes are not shown again"


def test_an_existing_authenticator_cannot_be_replaced_with_the_password_alone(staff):
    confirmed_device(staff)
    client = signed_in_with_password(staff)
    assert client.get(SET_UP).url.startswith(VERIFY)
    assert not TOTPDevice.objects.filter(user=staff, confirmed=False).exists()


def test_a_code_from_the_app_opens_the_admin_under_a_new_session_key(staff):
    device = confirmed_device(staff)
    client = signed_in_with_password(staff)
    wrong = client.post(f"{VERIFY}?next=/admin/", {"code": "123456"})
    assert wrong.status_code == 200
    assert "Enter a correct security code" in wrong.text
    assert client.get(ADMIN).status_code == 302

    key_before = client.session.session_key
    response = client.post(f"{VERIFY}?next=/admin/", {"code": current_code(device)})
    assert response.url == "/admin/"
    assert client.session.session_key != key_before
    assert client.get(ADMIN).status_code == 200


def test_a_backup_code_works_once(staff):
    confirmed_device(staff)
    backup = staff.staticdevice_set.create(name="Backup codes")
    backup.token_set.create(token="abcd2345")
    first, second = signed_in_with_password(staff), signed_in_with_password(staff)
    assert first.post(VERIFY, {"code": "abcd2345"}).url == reverse("signed_in")
    assert "Enter a correct security code" in second.post(VERIFY, {"code": "abcd2345"}).text


def test_a_code_page_sends_only_to_this_site(staff):
    device = confirmed_device(staff)
    client = signed_in_with_password(staff)
    response = client.post(f"{VERIFY}?next=https://evil.example/", {"code": current_code(device)})
    assert response.url == reverse("signed_in")


def test_a_password_reset_does_not_skip_the_second_factor(staff):
    confirmed_device(staff)
    client = Client()
    client.post(reverse("password_reset"), {"email": staff.email})
    link = re.search(r"http://\S+/account/password/reset/\S+", mail.outbox[0].body).group(0)
    form_page = client.get(urlsplit(link).path, follow=True)
    new_password = "a brand new passphrase 2026"
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )
    assert done.url == reverse("password_reset_complete")
    assert "_auth_user_id" not in client.session, "a reset does not sign anyone in"

    client.post(reverse("login"), {"username": staff.email, "password": new_password})
    assert client.get(ADMIN).url.startswith(VERIFY)


def test_client_for_gives_staff_a_verified_session(organiser):
    assert client_for(organiser).get(ADMIN).status_code == 200


def test_a_wrong_code_makes_the_next_try_wait(staff, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 1
    device = confirmed_device(staff)
    client = signed_in_with_password(staff)
    client.post(VERIFY, {"code": "123456"})
    refused = client.post(VERIFY, {"code": current_code(device)})
    assert "Wait 1 second, then enter the code again" in refused.text
    assert "Enter a correct security code" not in refused.text
    assert client.get(ADMIN).status_code == 302


def test_the_wait_named_after_wrong_codes_grows_with_each_one(staff, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 1
    device = confirmed_device(staff)
    device.throttling_failure_count = 3
    device.throttling_failure_timestamp = timezone.now()
    device.save()
    client = signed_in_with_password(staff)

    refused = client.post(VERIFY, {"code": current_code(device)})

    assert "Wait 4 seconds, then enter the code again" in refused.text


def test_a_wrong_code_with_no_wait_is_simply_wrong(staff, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 1
    confirmed_device(staff)
    client = signed_in_with_password(staff)

    refused = client.post(VERIFY, {"code": "123456"})

    assert "Enter a correct security code" in refused.text
    assert "Wait" not in refused.text


def test_a_new_authenticators_first_code_says_to_wait_after_a_wrong_one(staff, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 1
    client = signed_in_with_password(staff)
    client.get(SET_UP)
    device = TOTPDevice.objects.get(user=staff, confirmed=False)
    client.post(SET_UP, {"code": "123456"})

    refused = client.post(SET_UP, {"code": current_code(device)})

    assert "Wait 1 second, then enter the code again" in refused.text


def test_the_code_field_brings_up_a_numeric_keyboard_and_one_time_code_autofill(staff):
    confirmed_device(staff)
    html = signed_in_with_password(staff).get(VERIFY).text

    field = re.search(r"<input[^>]*name=\"code\"[^>]*>", html).group(0)
    assert 'inputmode="numeric"' in field
    assert 'autocomplete="one-time-code"' in field


def test_backup_codes_have_their_own_field_without_the_numeric_keyboard(staff):
    confirmed_device(staff)
    backup = staff.staticdevice_set.create(name="Backup codes")
    backup.token_set.create(token="abcd2345")
    client = signed_in_with_password(staff)
    page = client.get(VERIFY + "?next=/admin/").text
    assert 'href="?next=%2Fadmin%2F&amp;backup=1">Use a backup code instead</a>' in page

    html = client.get(VERIFY + "?next=/admin/&backup=1").text

    field = re.search(r"<input[^>]*name=\"code\"[^>]*>", html).group(0)
    assert "inputmode" not in field
    assert "Backup code" in html
    assert client.post(VERIFY + "?next=/admin/&backup=1", {"code": "abcd2345"}).url == "/admin/"
