"""Every way to sign in or reset a password answers the same, and does the same password work,
whether or not the account exists."""

import statistics
import time
from unittest import mock

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD, without_nonces
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# Of equal length, so that the pages that repeat the address typed are of equal length too.
KNOWN = "alex.known@example.gov.uk"
UNKNOWN = "alex.other@example.gov.uk"
INACTIVE = "alex.inact@example.gov.uk"
TIMING_RUNS = 15


@pytest.fixture(autouse=True)
def accounts(settings):
    # Lockouts are the same for everyone too (tests/accounts/test_lockout.py); here they would only
    # stop the repeated timing runs.
    settings.SIGN_IN_FAILURES_PER_USERNAME = 1000
    settings.SIGN_IN_FAILURES_PER_ADDRESS = 1000
    UserFactory(email=KNOWN, password=PASSWORD, roles=["Owners"])
    UserFactory(email=INACTIVE, password=PASSWORD, is_active=False)


def sign_in_with_wrong_password(email):
    return Client().post(reverse("login"), {"username": email, "password": "not the password"})


def sign_in_while_inactive(email):
    return Client().post(reverse("login"), {"username": email, "password": PASSWORD})


def ask_for_sign_in_link(email):
    return Client().post(reverse("email_sign_in"), {"email": email, "next": ""})


def ask_for_password_reset(email):
    return Client().post(reverse("password_reset"), {"email": email})


PATHS = {
    "sign-in form": sign_in_with_wrong_password,
    "email sign-in link": ask_for_sign_in_link,
    "password reset": ask_for_password_reset,
}


def what_the_visitor_sees(response, typed_email):
    """Status, headers and page, less what differs on every response (nonces, tokens, cookies,
    the clock) and the address the visitor typed."""
    headers = {
        name: without_nonces(value)
        for name, value in response.headers.items()
        if name.lower() not in {"set-cookie", "expires"}
    }
    return response.status_code, headers, without_nonces(response.text).replace(typed_email, "")


def hasher_runs(send, email) -> int:
    with mock.patch.object(
        MD5PasswordHasher, "encode", autospec=True, side_effect=MD5PasswordHasher.encode
    ) as encode:
        send(email)
    return encode.call_count


@pytest.mark.parametrize("path", PATHS)
def test_known_and_unknown_accounts_get_the_same_answer(path):
    send = PATHS[path]
    assert what_the_visitor_sees(send(KNOWN), KNOWN) == what_the_visitor_sees(
        send(UNKNOWN), UNKNOWN
    )


def test_an_inactive_account_gets_the_same_answer_as_a_wrong_password():
    assert what_the_visitor_sees(sign_in_while_inactive(INACTIVE), INACTIVE) == (
        what_the_visitor_sees(sign_in_with_wrong_password(UNKNOWN), UNKNOWN)
    )


@pytest.mark.parametrize("path", PATHS)
def test_known_and_unknown_accounts_cost_the_same_password_hashing(path):
    known, unknown = hasher_runs(PATHS[path], KNOWN), hasher_runs(PATHS[path], UNKNOWN)
    print(f"FIGURE: {path}: password hashes for a known account {known}, unknown {unknown}")
    assert known == unknown
    if path == "sign-in form":
        assert known >= 1, "the password is hashed even for an unknown account"


def median_milliseconds(send, email) -> float:
    times = []
    for _ in range(TIMING_RUNS):
        cache.clear()  # rate limits would otherwise refuse later runs
        start = time.perf_counter()
        send(email)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


@pytest.mark.parametrize("path", PATHS)
def test_timing_of_known_and_unknown_accounts_is_reported(path):
    known = median_milliseconds(PATHS[path], KNOWN)
    unknown = median_milliseconds(PATHS[path], UNKNOWN)
    print(
        f"FIGURE: {path}: median response time over {TIMING_RUNS} runs, known account "
        f"{known:.1f} ms, unknown {unknown:.1f} ms (test hasher: MD5)"
    )
    assert min(known, unknown) > 0
