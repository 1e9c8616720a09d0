import datetime
import re

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.factories import ActionItemFactory, UserFactory

pytestmark = pytest.mark.django_db

START = datetime.datetime(2027, 3, 1, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture
def owner_without_password(department_a):
    user = UserFactory(email="rarely.visits@example.gov.uk", roles=["Owners"], password=None)
    user.set_unusable_password()
    user.save()
    department_a.members.add(user)
    return user


def ask_for_link(client, email, **extra):
    return client.post(reverse("email_sign_in"), {"email": email, **extra})


def emailed_link():
    (message,) = mail.outbox
    return re.search(r"http://\S+", message.body).group(0)


def path_of(link):
    return link.removeprefix("http://127.0.0.1:8000")


def follow_and_confirm(client, link):
    page = client.get(path_of(link))
    if page.status_code != 200:
        return page
    token = re.search(r'name="sesame" value="([^"]+)"', page.text).group(1)
    next_url = re.search(r'name="next" value="([^"]*)"', page.text).group(1)
    return client.post(reverse("email_sign_in_link"), {"sesame": token, "next": next_url})


def test_an_owner_signs_in_with_an_emailed_link(owner_without_password):
    client = Client()
    response = ask_for_link(client, "Rarely.Visits@example.gov.uk ")

    assert response.status_code == 302
    assert response.url == reverse("email_sign_in_sent")
    (message,) = mail.outbox
    assert message.to == ["rarely.visits@example.gov.uk"]
    assert message.subject == "Your sign-in link for Workshop feedback"
    assert "expires after 15 minutes" in message.body
    link = emailed_link()
    assert link.startswith("http://127.0.0.1:8000/account/sign-in/email/link/?sesame=")

    opened = client.get(path_of(link))
    assert "You are signing in as rarely.visits@example.gov.uk" in opened.text
    assert "_auth_user_id" not in client.session

    response = follow_and_confirm(client, link)
    assert response.status_code == 302
    assert response.url == reverse("actions:action_list")
    assert client.session["_auth_user_id"] == str(owner_without_password.pk)


def test_the_link_takes_the_owner_back_to_the_page_they_wanted(owner_without_password):
    action = ActionItemFactory(owner=owner_without_password.organisations.get())
    client = Client()
    login_page = client.get(action.get_absolute_url(), follow=True)
    assert "Sign in with an email link" in login_page.text

    ask_for_link(client, owner_without_password.email, next=action.get_absolute_url())
    response = follow_and_confirm(client, emailed_link())

    assert response.url == action.get_absolute_url()
    assert client.get(response.url).status_code == 200


def test_a_link_to_another_site_is_not_followed(owner_without_password):
    client = Client()
    ask_for_link(client, owner_without_password.email, next="https://evil.example.com/")
    response = follow_and_confirm(client, emailed_link())
    assert response.url == reverse("actions:action_list")


def test_a_link_works_once(owner_without_password):
    ask_for_link(Client(), owner_without_password.email)
    link = emailed_link()
    assert follow_and_confirm(Client(), link).status_code == 302

    second = Client()
    response = follow_and_confirm(second, link)
    assert response.status_code == 400
    assert "This sign-in link has expired or has already been used" in response.text
    assert "_auth_user_id" not in second.session


def test_a_link_expires_after_15_minutes(owner_without_password):
    with time_machine.travel(START, tick=False) as traveller:
        ask_for_link(Client(), owner_without_password.email)
        link = emailed_link()
        traveller.shift(datetime.timedelta(minutes=15, seconds=1))
        client = Client()
        response = client.get(path_of(link))
    assert response.status_code == 400
    assert "expired" in response.text
    assert "_auth_user_id" not in client.session


def test_a_link_still_works_just_before_it_expires(owner_without_password):
    with time_machine.travel(START, tick=False) as traveller:
        ask_for_link(Client(), owner_without_password.email)
        traveller.shift(datetime.timedelta(minutes=14, seconds=50))
        assert follow_and_confirm(Client(), emailed_link()).status_code == 302


def test_a_tampered_link_signs_nobody_in(owner_without_password):
    ask_for_link(Client(), owner_without_password.email)
    link = emailed_link().replace("sesame=", "sesame=x")
    assert Client().get(path_of(link)).status_code == 400
    response = Client().post(reverse("email_sign_in_link"), {"sesame": "forged"})
    assert response.status_code == 400


def test_an_unknown_email_gets_the_same_answer_and_no_email(owner_without_password):
    known = ask_for_link(Client(), owner_without_password.email)
    unknown = ask_for_link(Client(), "nobody@example.gov.uk")
    assert (unknown.status_code, unknown.url) == (known.status_code, known.url)
    assert len(mail.outbox) == 1
    page = Client().get(known.url).text
    assert "If the email address you entered belongs to an account" in page


def test_inactive_people_get_no_link(owner_without_password):
    owner_without_password.is_active = False
    owner_without_password.save()
    response = ask_for_link(Client(), owner_without_password.email)
    assert response.status_code == 302
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("", "Enter your email address"),
        ("not-an-email", "Enter an email address in the correct format"),
    ],
)
def test_a_missing_or_malformed_email_is_explained(email, message):
    response = ask_for_link(Client(), email)
    assert response.status_code == 200
    assert "There is a problem" in response.text
    assert message in response.text
    assert f'value="{email}"' in response.text or not email


def test_links_for_one_address_are_rate_limited(owner_without_password, local_cache):
    with time_machine.travel(START, tick=False) as traveller:
        for n in range(5):
            client = Client(REMOTE_ADDR=f"10.0.0.{n}")
            assert ask_for_link(client, owner_without_password.email).status_code == 302
        response = ask_for_link(Client(REMOTE_ADDR="10.0.0.9"), owner_without_password.email)
        assert response.status_code == 429
        assert "You have asked for too many sign-in links" in response.text
        assert len(mail.outbox) == 5

        traveller.shift(datetime.timedelta(minutes=15, seconds=1))
        assert ask_for_link(Client(), owner_without_password.email).status_code == 302
        assert len(mail.outbox) == 6


def test_unknown_addresses_are_rate_limited_the_same_way():
    for n in range(5):
        ask_for_link(Client(REMOTE_ADDR=f"10.0.0.{n}"), "nobody@example.gov.uk")
    response = ask_for_link(Client(REMOTE_ADDR="10.0.0.9"), "nobody@example.gov.uk")
    assert response.status_code == 429


def test_one_ip_address_is_rate_limited_across_addresses(owner_without_password):
    client = Client(REMOTE_ADDR="10.1.1.1")
    for n in range(5):
        ask_for_link(client, f"guess{n}@example.gov.uk")
    response = ask_for_link(client, owner_without_password.email)
    assert response.status_code == 429
    assert mail.outbox == []
