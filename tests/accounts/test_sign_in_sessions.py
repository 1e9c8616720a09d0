"""Sessions begin afresh at sign-in and end at sign-out, on deactivation and on a password
change elsewhere."""

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client
from django.urls import reverse

from accounts import roles
from tests.conftest import PASSWORD, client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SIGNED_IN_PAGE = reverse("workshops:group_list")


@pytest.fixture
def alex(db):
    return UserFactory(email="alex@example.gov.uk", password=PASSWORD, roles=["Facilitators"])


def is_signed_in(client) -> bool:
    return client.get(SIGNED_IN_PAGE).status_code == 200


def client_with_session_key(key: str) -> Client:
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = key
    return client


def test_signing_in_gives_a_new_session_key(alex):
    client = Client()
    session = client.session
    session["seen_before_sign_in"] = True
    session.save()
    key_before = session.session_key

    client.post(reverse("login"), {"username": alex.email, "password": PASSWORD})

    assert client.session.session_key != key_before
    assert not SessionStore().exists(key_before)
    assert is_signed_in(client)
    assert not is_signed_in(client_with_session_key(key_before))


def test_signing_out_ends_the_session_for_good(alex):
    client = client_for(alex)
    key = client.session.session_key
    client.post(reverse("logout"))
    assert not SessionStore().exists(key)
    assert not is_signed_in(client_with_session_key(key))


@pytest.mark.parametrize("path", [SIGNED_IN_PAGE, reverse("admin:index")])
def test_a_deactivated_user_is_signed_out_on_their_very_next_request(alex, path):
    alex.is_staff = True
    alex.save()
    alex.groups.add(Group.objects.get(name=roles.ORGANISERS))
    client = client_for(alex)
    assert client.get(path).status_code == 200
    alex.is_active = False
    alex.save()
    response = client.get(path)
    assert response.status_code == 302
    assert "sign-in" in response.url or "login" in response.url


def test_changing_the_password_signs_out_every_other_session(alex):
    here, elsewhere = client_for(alex), client_for(alex)
    new_password = "a brand new passphrase 2026"
    response = here.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password},
    )
    assert response.url == reverse("password_change_done")
    assert is_signed_in(here)
    assert not is_signed_in(elsewhere)
