"""Sign-in throttling: five failures lock a username, fifty lock an address, for 15 minutes,
on every way in; the usual tricks to dodge the count do not work."""

from io import StringIO

import pytest
import time_machine
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import PASSWORD, without_nonces
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SIGN_IN = reverse("login")
ADMIN_SIGN_IN = reverse("admin:login")
LOCKED_OUT_TITLE = "You have tried to sign in too many times"


@pytest.fixture
def alex(db):
    return UserFactory(email="alex@example.gov.uk", password=PASSWORD)


def sign_in(username, password="wrong password", *, address="203.0.113.7", path=SIGN_IN, **meta):
    return Client(REMOTE_ADDR=address, **meta).post(
        path, {"username": username, "password": password}
    )


def signed_in(response) -> bool:
    return response.status_code == 302 and "_auth_user_id" in response.client.session


def test_five_wrong_passwords_lock_the_account_with_a_429_page(alex):
    for _ in range(4):
        assert sign_in("alex@example.gov.uk").status_code == 200
    response = sign_in("alex@example.gov.uk")
    assert response.status_code == 429
    assert LOCKED_OUT_TITLE in response.text
    assert "govuk-template" in response.text
    assert not signed_in(sign_in("alex@example.gov.uk", PASSWORD))


def test_the_lockout_page_does_not_say_whether_the_account_exists(alex):
    pages = {}
    for username in ["alex@example.gov.uk", "nobody@example.gov.uk"]:
        for _ in range(5):
            response = sign_in(username, address=f"198.51.100.{len(pages) + 1}")
        pages[username] = (response.status_code, without_nonces(response.text))
    assert pages["alex@example.gov.uk"] == pages["nobody@example.gov.uk"]


def test_the_lock_lifts_after_15_minutes(alex):
    for _ in range(5):
        sign_in("alex@example.gov.uk")
    with time_machine.travel(timezone.now() + timezone.timedelta(minutes=16)):
        assert signed_in(sign_in("alex@example.gov.uk", PASSWORD))


def test_fifty_failures_from_one_address_lock_that_address(alex):
    for number in range(50):
        sign_in(f"guess{number}@example.gov.uk", address="192.0.2.50")
    assert sign_in("alex@example.gov.uk", PASSWORD, address="192.0.2.50").status_code == 429
    assert signed_in(sign_in("alex@example.gov.uk", PASSWORD, address="192.0.2.51"))


def test_a_bystander_on_the_same_address_is_not_locked_out_by_an_attack_on_another_account(alex):
    bystander = UserFactory(email="bystander@example.gov.uk", password=PASSWORD)
    for _ in range(6):
        sign_in("alex@example.gov.uk", address="192.0.2.10")
    assert signed_in(sign_in(bystander.email, PASSWORD, address="192.0.2.10"))


def test_the_admin_login_is_throttled_by_the_same_counter(alex):
    for _ in range(3):
        sign_in("alex@example.gov.uk")
    for _ in range(2):
        sign_in("alex@example.gov.uk", path=ADMIN_SIGN_IN)
    assert sign_in("alex@example.gov.uk", PASSWORD, path=ADMIN_SIGN_IN).status_code == 429
    assert sign_in("alex@example.gov.uk", PASSWORD).status_code == 429


def test_bad_sign_in_links_count_against_the_address(settings):
    settings.SIGN_IN_FAILURES_PER_ADDRESS = 3
    client = Client(REMOTE_ADDR="192.0.2.77")
    link = reverse("email_sign_in_link")
    statuses = [client.post(link, {"sesame": f"forged-{n}"}).status_code for n in range(4)]
    assert statuses == [400, 400, 429, 429]


def test_behind_one_proxy_the_address_is_the_one_the_proxy_saw(alex, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(50):
        sign_in("x@example.gov.uk", address="10.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.99")
    blocked = sign_in(alex.email, PASSWORD, address="10.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.99")
    other_client = sign_in(
        alex.email, PASSWORD, address="10.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.100"
    )
    assert blocked.status_code == 429
    assert signed_in(other_client)


def bypass_attempts():
    """Ways an attacker might try to get a sixth (and later) guess at one account counted
    somewhere else, each with the correct password at the end."""
    spoofed = [f"203.0.113.{n}" for n in range(1, 8)]
    return {
        "rotating X-Forwarded-For": [
            ("alex@example.gov.uk", {"HTTP_X_FORWARDED_FOR": f"{ip}, 192.0.2.1"}) for ip in spoofed
        ],
        "case variants": [
            (name, {})
            for name in ["ALEX@example.gov.uk", "Alex@Example.gov.uk", "alex@EXAMPLE.GOV.UK"] * 2
        ],
        "surrounding spaces": [
            (name, {})
            for name in [" alex@example.gov.uk", "alex@example.gov.uk ", "\talex@example.gov.uk"]
            * 2
        ],
    }


@pytest.mark.parametrize("trusted_proxies", [0, 1])
def test_no_bypass_attempt_gets_past_the_lockout(alex, settings, trusted_proxies):
    settings.TRUSTED_PROXY_COUNT = trusted_proxies
    successes = {}
    for strategy, attempts in bypass_attempts().items():
        for username, meta in attempts:
            sign_in(username, address="192.0.2.1", **meta)
        username, meta = attempts[-1]
        successes[strategy] = int(
            signed_in(sign_in(username, PASSWORD, address="192.0.2.1", **meta))
        )
        AccessAttempt.objects.all().delete()  # each strategy starts from a clean count
    requests = sum(len(attempts) + 1 for attempts in bypass_attempts().values())
    print(
        f"FIGURE: sign-in lockout bypass ({trusted_proxies} trusted proxies): "
        f"{len(successes)} strategies, {requests} requests, "
        f"sign-ins that got through: {sum(successes.values())}"
    )
    assert successes == dict.fromkeys(bypass_attempts(), 0)


@pytest.mark.parametrize("path", ["email_sign_in", "password_reset"])
def test_emailed_links_are_limited_per_address_even_with_a_rotating_forwarded_for(
    alex, settings, path
):
    settings.TRUSTED_PROXY_COUNT = 1
    statuses = [
        Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, 192.0.2.8")
        .post(reverse(path), {"email": f"person{n}@example.gov.uk"})
        .status_code
        for n in range(6)
    ]
    assert statuses == [302] * 5 + [429]


def test_password_reset_emails_are_limited_per_account_whoever_asks(alex):
    statuses = [
        Client(REMOTE_ADDR=f"192.0.2.{n}")
        .post(reverse("password_reset"), {"email": " ALEX@example.gov.uk"})
        .status_code
        for n in range(6)
    ]
    assert statuses == [302] * 5 + [429]


def test_the_documented_clean_up_removes_sign_in_records_older_than_90_days(alex):
    long_ago = timezone.now() - timezone.timedelta(days=91)
    with time_machine.travel(long_ago, tick=False):
        sign_in("alex@example.gov.uk", PASSWORD)
        sign_in("alex@example.gov.uk")
    sign_in("alex@example.gov.uk", PASSWORD, address="203.0.113.8")
    sign_in("alex@example.gov.uk", address="203.0.113.8")
    assert (AccessLog.objects.count(), AccessFailureLog.objects.count()) == (2, 2)

    # As the README's step for running the service says, once a day.
    call_command("axes_reset_logs", age=90, stdout=StringIO())
    call_command("axes_reset_failure_logs", age=90, stdout=StringIO())

    assert list(AccessLog.objects.values_list("ip_address", flat=True)) == ["203.0.113.8"]
    assert list(AccessFailureLog.objects.values_list("ip_address", flat=True)) == ["203.0.113.8"]
