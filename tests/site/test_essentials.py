"""The pages every GOV.UK service has: accessibility statement, privacy notice, cookies and
feedback, linked from every page and from where email addresses are collected; and the clean-up
that keeps the privacy notice's promise on retention."""

import datetime

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from feedback_site.pages import duration
from progress.services import follower_confirm, retention_clean_up
from tests.conftest import PASSWORD
from tests.factories import WorkshopFactory
from workshops.models import Follower

pytestmark = pytest.mark.django_db

PAGES = {
    "accessibility": "Accessibility statement",
    "privacy": "Privacy notice",
    "cookies": "Cookies",
    "feedback": "Give feedback",
}


@pytest.mark.parametrize("name", PAGES)
def test_each_essential_page_opens_for_anyone(name):
    response = Client().get(reverse(name))

    assert response.status_code == 200
    assert f'<h1 class="govuk-heading-l">{PAGES[name]}</h1>' in response.text


@pytest.mark.parametrize("name", ["accessibility", "privacy", "cookies", "feedback"])
def test_the_footer_of_every_page_links_each_essential_page(name):
    html = Client().get(reverse("workshops:workshop_list")).text
    footer = html.split('<footer class="govuk-footer">', 1)[1]

    assert f'href="{reverse(name)}"' in footer


def test_the_phase_banner_links_to_feedback():
    html = Client().get(reverse("workshops:workshop_list")).text
    banner = html.split('class="govuk-phase-banner"', 1)[1].split("</div>", 1)[0]

    assert f'<a class="govuk-link" href="{reverse("feedback")}">feedback</a>' in banner


def test_the_get_updates_form_links_the_privacy_notice():
    workshop = WorkshopFactory(is_published=True)

    html = Client().get(reverse("progress:follow", kwargs={"slug": workshop.slug})).text

    assert f'href="{reverse("privacy")}">privacy notice</a>' in html


@pytest.mark.parametrize("name", ["email_sign_in", "login"])
def test_the_sign_in_forms_link_the_privacy_notice(name):
    html = Client().get(reverse(name)).text

    assert f'href="{reverse("privacy")}">privacy notice</a>' in html


def test_the_privacy_notice_gives_retention_from_the_settings(settings):
    settings.FOLLOWER_RETENTION_DAYS = 365
    settings.SIGN_IN_RECORD_RETENTION_DAYS = 90

    html = Client().get(reverse("privacy")).text

    assert "at most 1 year after you confirmed" in html
    assert "90 days, then deleted" in html
    assert f"mailto:{settings.SERVICE_CONTACT_EMAIL}" in html


def test_the_privacy_notice_says_followers_and_askers_language_is_kept_with_their_address():
    html = " ".join(Client().get(reverse("privacy")).text.split())

    assert html.count("when you confirmed it and whether you did so in English or Welsh") == 2


def test_the_cookies_page_lists_every_cookie_a_visit_and_a_sign_in_set(facilitator, group):
    client = Client()
    seen = set()
    responses = [
        client.get(reverse("login")),
        client.post(reverse("login"), {"username": facilitator.email, "password": PASSWORD}),
        client.post(reverse("workshops:group_round_start", kwargs={"pk": group.pk})),
    ]
    for response in responses:
        seen |= set(response.cookies)
    assert {"sessionid", "csrftoken", "messages"} <= seen, "the journey sets every kind"

    html = client.get(reverse("cookies")).text

    for name in seen:
        assert f"<code>{name}</code>" in html
    assert "After 52 weeks" in html  # Django's CSRF cookie age


def test_the_cookies_page_follows_the_cookie_settings(settings):
    settings.SESSION_COOKIE_NAME = "workshop_session"
    settings.CSRF_USE_SESSIONS = True

    html = Client().get(reverse("cookies")).text

    assert "<code>workshop_session</code>" in html
    assert "<code>csrftoken</code>" not in html


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (60, "1 minute"),
        (30 * 60, "30 minutes"),
        (12 * 3600, "12 hours"),
        (90 * 86400, "90 days"),
        (14 * 86400, "2 weeks"),
        (730 * 86400, "2 years"),
    ],
)
def test_durations_read_as_people_say_them(seconds, words):
    assert duration(seconds) == words


# Retention


def test_retention_deletes_followers_past_their_time_and_keeps_the_rest(settings):
    settings.FOLLOWER_RETENTION_DAYS = 730
    now = timezone.now()
    workshop = WorkshopFactory(is_published=True)
    old = follower_confirm(workshop=workshop, email="old@example.com")
    Follower.objects.filter(pk=old.pk).update(consent_at=now - datetime.timedelta(days=731))
    recent = follower_confirm(workshop=workshop, email="recent@example.com")

    result = retention_clean_up(now=now)

    assert result.followers == 1
    assert list(Follower.objects.values_list("pk", flat=True)) == [recent.pk]


def test_retention_deletes_sign_in_records_older_than_90_days():
    now = timezone.now()
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        for age in (91, 89):
            extra = {"failures_since_start": 1} if model is AccessAttempt else {}
            record = model.objects.create(
                username="someone@example.gov.uk",
                ip_address="192.0.2.1",
                user_agent=f"Browser {age}",
                **extra,
            )
            model.objects.filter(pk=record.pk).update(
                attempt_time=now - datetime.timedelta(days=age)
            )

    result = retention_clean_up(now=now)

    assert result.sign_in_records == 3
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        assert model.objects.count() == 1


def test_the_clean_up_command_says_what_it_deleted(capsys):
    call_command("clean_up_retention")

    assert (
        "Deleted 0 follower email addresses, 0 asker email addresses and 0 sign-in records."
        in capsys.readouterr().out
    )
