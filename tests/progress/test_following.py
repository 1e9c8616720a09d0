import datetime
import io
import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from actions.services import action_post_update, due_date_decide
from progress.following import digests_send
from tests.factories import (
    ActionItemFactory,
    ContributionFactory,
    FlipchartGroupFactory,
    WorkshopFactory,
)
from workshops.models import Contribution, Follower
from workshops.services import question_answer

pytestmark = pytest.mark.django_db

EMAIL = "Participant@Example.com"


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()


def follow_url(workshop):
    return reverse("progress:follow", kwargs={"slug": workshop.slug})


def link_in(message, kind: str) -> str:
    return re.search(rf"http://testserver(/\S+/{kind}/\S+/)", message.body).group(1)


def ask_to_follow(client, workshop, email=EMAIL):
    return client.post(follow_url(workshop), {"email": email})


def test_following_sends_a_confirmation_link_and_stores_nothing_yet(client, workshop):
    response = ask_to_follow(client, workshop)

    assert response.status_code == 302
    assert client.get(response.url).text.count("Check your email") >= 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [EMAIL]
    assert "/follow/confirm/" in mail.outbox[0].body
    assert "/follow/unsubscribe/" in mail.outbox[0].body
    assert not Follower.objects.exists()


def test_confirming_records_only_the_address_and_consent_time(client, workshop):
    ask_to_follow(client, workshop)
    confirm = link_in(mail.outbox[0], "confirm")

    assert "Confirm updates" in client.get(confirm).text
    response = client.post(confirm)

    assert "You are following this workshop" in response.text
    follower = Follower.objects.get()
    assert follower.email == "participant@example.com"
    assert follower.consent_at is not None


def test_confirming_twice_keeps_one_follower(client, workshop):
    ask_to_follow(client, workshop)
    confirm = link_in(mail.outbox[0], "confirm")
    client.post(confirm)
    consented = Follower.objects.get().consent_at

    response = client.post(confirm)

    assert response.status_code == 200
    assert Follower.objects.get().consent_at == consented


def test_an_expired_confirmation_link_is_refused(client, workshop, settings):
    ask_to_follow(client, workshop)
    confirm = link_in(mail.outbox[0], "confirm")
    settings.FOLLOW_CONFIRM_MAX_AGE_HOURS = -1

    response = client.post(confirm)

    assert response.status_code == 400
    assert "This link has expired" in response.text
    assert not Follower.objects.exists()


def test_a_tampered_or_other_workshops_link_is_refused(client, workshop):
    ask_to_follow(client, workshop)
    confirm = link_in(mail.outbox[0], "confirm")
    other = WorkshopFactory()

    assert client.post(confirm.replace("/follow/confirm/", "/follow/confirm/x")).status_code == 400
    assert client.post(confirm.replace(workshop.slug, other.slug)).status_code == 400
    assert not Follower.objects.exists()


def test_the_answer_is_the_same_whether_or_not_the_address_already_follows(client, workshop):
    first = ask_to_follow(client, workshop)
    client.post(link_in(mail.outbox[0], "confirm"))

    again = ask_to_follow(client, workshop)

    assert again.status_code == first.status_code
    assert again.url == first.url


def test_an_email_address_is_required_in_the_right_format(client, workshop):
    response = ask_to_follow(client, workshop, email="not an email")

    assert "Enter an email address in the correct format" in response.text
    assert not mail.outbox


def test_follow_requests_are_limited(client, workshop, settings):
    settings.FOLLOW_REQUESTS_PER_HOUR = 2
    for _ in range(2):
        ask_to_follow(client, workshop)

    response = ask_to_follow(client, workshop)

    assert "You have asked too many times" in response.text
    assert len(mail.outbox) == 2
    assert ask_to_follow(client, workshop, email="someone.else@example.com").status_code == 302


def test_an_unpublished_workshop_cannot_be_followed(client):
    assert client.get(follow_url(WorkshopFactory(is_published=False))).status_code == 404


def follower_of(workshop, email="participant@example.com", at=None):
    at = at or timezone.now() - datetime.timedelta(days=1)
    return Follower.objects.create(
        workshop=workshop, email=email, consent_at=at, digest_sent_up_to=at
    )


def test_the_digest_has_status_changes_and_new_answers_with_an_unsubscribe_link(workshop):
    follower_of(workshop)
    action = ActionItemFactory(workshop=workshop, title="Unblock social media sites")
    action_post_update(action=action, by=None, status="in_progress", note="Asked IT")
    question = ContributionFactory(
        group=FlipchartGroupFactory(workshop=workshop),
        kind=Contribution.Kind.QUESTION,
        text="Any news?",
    )
    question_answer(question=question, by=None, answer="Yes: it is being done.")
    hidden = ContributionFactory(
        group=question.group, kind="question", text="Secret", hidden_from_public=True
    )
    question_answer(question=hidden, by=None, answer="Hidden answer")

    call_command("send_digests", stdout=io.StringIO())

    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "Unblock social media sites" in body
    assert "in progress" in body
    assert "Asked IT" in body
    assert '"Any news?" Answer: Yes: it is being done.' in body
    assert "Hidden answer" not in body
    assert "/follow/unsubscribe/" in body


def test_the_digest_tells_of_a_due_date_when_it_moves_not_when_it_is_proposed(workshop, organiser):
    follower_of(workshop)
    action = ActionItemFactory(
        workshop=workshop,
        title="Unblock social media sites",
        due_date=datetime.date(2012, 10, 4),
        accepted_at=timezone.now(),
    )
    action_post_update(
        action=action,
        by=None,
        status="in_progress",
        new_due_date=datetime.date(2012, 12, 14),
        reason="Waiting for the new firewall",
    )

    call_command("send_digests", stdout=io.StringIO())
    assert "14 December 2012" not in mail.outbox[0].body

    due_date_decide(proposal=action.due_date_changes.get(), by=organiser, approve=True)
    call_command("send_digests", stdout=io.StringIO())

    assert len(mail.outbox) == 2
    assert "Unblock social media sites (Department " in mail.outbox[1].body
    assert "due date moved to 14 December 2012: Waiting for the new firewall" in mail.outbox[1].body


def test_a_change_is_never_sent_twice(workshop):
    follower_of(workshop)
    action = ActionItemFactory(workshop=workshop)
    action_post_update(action=action, by=None, status="in_progress")

    assert digests_send() == 1
    assert digests_send() == 0
    action_post_update(action=action, by=None, status="done", note="Finished")
    assert digests_send() == 1

    assert "Finished" in mail.outbox[1].body
    assert "in progress" not in mail.outbox[1].body


def test_a_failed_digest_is_sent_on_the_next_run(workshop, settings):
    follower_of(workshop)
    action_post_update(action=ActionItemFactory(workshop=workshop), by=None, status="in_progress")
    settings.MAILERS = {"default": {"BACKEND": "tests.actions.failing_mail.FailingBackend"}}

    assert digests_send() == 0

    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    assert digests_send() == 1
    assert "in progress" in mail.outbox[0].body


def test_digests_inside_a_transaction_that_rolls_back_send_nothing(workshop):
    follower = follower_of(workshop)
    action_post_update(action=ActionItemFactory(workshop=workshop), by=None, status="in_progress")

    with transaction.atomic():
        assert digests_send() == 0
        transaction.set_rollback(True)

    assert mail.outbox == []
    follower.refresh_from_db()
    assert follower.digest_sent_up_to == follower.consent_at


def test_changes_before_following_are_not_sent(workshop):
    action = ActionItemFactory(workshop=workshop)
    action_post_update(
        action=action, by=None, status="in_progress", at=timezone.now() - datetime.timedelta(days=2)
    )
    follower_of(workshop)

    assert digests_send() == 0


def test_unsubscribing_forgets_the_follower(client, workshop):
    ask_to_follow(client, workshop)
    client.post(link_in(mail.outbox[0], "confirm"))
    unsubscribe = link_in(mail.outbox[0], "unsubscribe")

    assert "Stop emails" in client.get(unsubscribe).text
    response = client.post(unsubscribe)

    assert "You will get no more emails" in response.text
    assert not Follower.objects.exists()
    assert client.post(unsubscribe).status_code == 200


def test_a_title_ending_in_a_question_mark_gets_no_second_full_stop(client, workshop):
    workshop.title = "Social media guidelines: so what?"
    workshop.save(update_fields=["title"])
    sent_page = client.get(ask_to_follow(client, workshop).url).text
    confirm_page = client.get(link_in(mail.outbox[0], "confirm")).text

    for page in (sent_page, confirm_page):
        assert "so what?</p>" in page
        assert "so what?." not in page


def test_a_title_without_an_end_gets_a_full_stop(client, workshop):
    workshop.title = "Skills for digital engagement"
    workshop.save(update_fields=["title"])

    sent_page = client.get(ask_to_follow(client, workshop).url).text

    assert "Skills for digital engagement.</p>" in sent_page


def test_a_follower_who_confirmed_in_welsh_gets_the_digest_in_welsh(client, workshop, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "cy"
    ask_to_follow(client, workshop)
    client.post(link_in(mail.outbox[0], "confirm"))
    follower = Follower.objects.get()
    Follower.objects.filter(pk=follower.pk).update(
        digest_sent_up_to=timezone.now() - datetime.timedelta(days=1)
    )
    action = ActionItemFactory(workshop=workshop, title="Unblock social media sites")
    action_post_update(action=action, by=None, status="in_progress", note="Asked IT")
    mail.outbox.clear()

    with translation.override("en-gb"):  # as the scheduler runs it
        digests_send()

    assert follower.language == "cy"
    assert mail.outbox[0].subject.startswith("Cynnydd ar")
    assert "Unblock social media sites" in mail.outbox[0].body
