"""Signed-in sessions end after inactivity and after an absolute limit; pages warn, and extend."""

import pytest
import time_machine
from django.urls import reverse

from feedback_site.idle_timeout import LAST_ACTIVITY_KEY
from tests.conftest import PASSWORD, client_for
from tests.factories import FlipchartGroupFactory

pytestmark = pytest.mark.django_db

START = 1_800_000_000  # a fixed moment, in seconds since the epoch
MINUTE = 60


@pytest.fixture
def url():
    return reverse("workshops:group_list")


def at(seconds_after_start):
    return time_machine.travel(START + seconds_after_start, tick=False)


def test_a_session_ends_after_thirty_idle_minutes_with_a_message_saying_why(facilitator, url):
    with at(0):
        client = client_for(facilitator)
        assert client.get(url).status_code == 200
    with at(30 * MINUTE - 1):
        assert client.get(url).status_code == 200
    with at(59 * MINUTE):
        assert client.get(url).status_code == 200, "each visit restarts the clock"
    with at(90 * MINUTE):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url == f"{reverse('login')}?next={url}"
        sign_in = client.get(response.url).text
    assert "signed out because you had not used the service for 30 minutes" in sign_in
    assert client.get(url).status_code == 302, "signed out for good, not just redirected once"


def test_an_ended_session_opening_the_sign_in_page_sees_it_with_the_reason(facilitator, url):
    with at(0):
        client = client_for(facilitator)
        client.get(url)
    with at(31 * MINUTE):
        response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "not used the service for 30 minutes" in response.text


def test_the_idle_limit_comes_from_the_settings(facilitator, url, settings):
    settings.SESSION_IDLE_TIMEOUT = 5 * MINUTE
    with at(0):
        client = client_for(facilitator)
        client.get(url)
    with at(5 * MINUTE):
        assert client.get(url).status_code == 302


def test_a_session_ends_after_twelve_hours_however_active(facilitator, url):
    with at(0):
        client = client_for(facilitator)
        client.get(url)
    for minutes in range(20, 12 * 60, 20):
        with at(minutes * MINUTE):
            assert client.get(url).status_code == 200
    with at(12 * 60 * MINUTE):
        response = client.get(url)
        assert response.status_code == 302
        assert "signed in for 12 hours" in client.get(response.url).text


def test_last_activity_is_written_at_most_once_a_minute(facilitator, url):
    with at(0):
        client = client_for(facilitator)
        client.get(url)
        first = client.session[LAST_ACTIVITY_KEY]
    with at(59):
        client.get(url)
        assert client.session[LAST_ACTIVITY_KEY] == first
    with at(60):
        client.get(url)
        assert client.session[LAST_ACTIVITY_KEY] == first + 60


def test_signed_in_pages_carry_the_warning_and_signed_out_pages_do_not(facilitator, client, url):
    with at(0):
        html = client_for(facilitator).get(url).text
    assert 'data-seconds-left="1800"' in html
    assert 'data-warning-seconds="120"' in html
    assert "Stay signed in" in html
    assert "session-timeout.js" in html
    assert "Stay signed in" not in client.get("/").text


def test_pages_never_say_the_session_ends_before_it_does(facilitator, url):
    """The page's timer announces "you have been signed out": with 1799.5 seconds left it must
    count 1800, or a click in the last half second finds the person still signed in."""
    with at(0):
        client = client_for(facilitator)
        client.get(url)
    with at(0.5):
        html = client.get(url).text
        extended = client.post(reverse("session_extend")).json()
    assert 'data-seconds-left="1800"' in html
    assert extended == {"expires_in": 30 * MINUTE}


def test_staying_signed_in_restarts_the_clock_and_says_when_it_ends(facilitator, url):
    with at(0):
        client = client_for(facilitator)
        client.get(url)
    with at(29 * MINUTE + 30):
        response = client.post(reverse("session_extend"))
        assert response.status_code == 200
        assert response.json() == {"expires_in": 30 * MINUTE}
    with at(58 * MINUTE):
        assert client.get(url).status_code == 200


def test_staying_signed_in_cannot_pass_the_absolute_limit(facilitator, url, settings):
    settings.SESSION_ABSOLUTE_TIMEOUT = 40 * MINUTE
    with at(0):
        client = client_for(facilitator)
        client.get(url)
    with at(25 * MINUTE):
        assert client.post(reverse("session_extend")).json() == {"expires_in": 15 * MINUTE}


def test_only_signed_in_people_can_extend_and_only_by_post(client, facilitator):
    url = reverse("session_extend")
    assert client.post(url).status_code == 302
    assert client_for(facilitator).get(url).status_code == 405


def test_an_ended_session_cannot_be_extended(facilitator, url):
    with at(0):
        client = client_for(facilitator)
        client.get(url)
    with at(31 * MINUTE):
        response = client.post(reverse("session_extend"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_notes_sent_after_the_idle_limit_are_kept_for_after_signing_in(facilitator):
    group = FlipchartGroupFactory()
    group.facilitators.add(facilitator)
    capture = group.get_absolute_url()
    with at(0):
        client = client_for(facilitator)
        client.get(capture)
    with at(31 * MINUTE):
        response = client.post(
            capture,
            {"notes": "Typed over lunch", "kind": "comment"},
            headers={"Origin": "http://testserver"},
        )
        assert response.url == f"{reverse('login')}?next={capture}"
        sign_in = client.get(response.url).text
        assert "not used the service for 30 minutes" in sign_in
        assert "What you typed has been kept" in sign_in
        signed_in = client.post(
            reverse("login"),
            {"username": facilitator.email, "password": PASSWORD, "next": capture},
        )
        assert "Typed over lunch" in client.get(signed_in.url).text
    assert not group.contributions.exists()
