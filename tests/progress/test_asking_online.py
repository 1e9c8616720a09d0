"""The online channel: the public asks a question or adds a view about a workshop's subject,
optionally with an email address (double opt-in) to be told the answer once."""

import datetime
import re

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone, translation

from progress.services import retention_clean_up
from tests.factories import ContributionFactory, FlipchartGroupFactory, WorkshopFactory
from workshops.askers import answer_send, asker_emails
from workshops.models import Asker, Contribution
from workshops.services import contributions_publish, question_answer, question_close

pytestmark = pytest.mark.django_db

EMAIL = "Asker@Example.com"


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()


@pytest.fixture
def open_workshop(db):
    workshop = WorkshopFactory(online_opens_at=timezone.now() - datetime.timedelta(days=1))
    FlipchartGroupFactory(workshop=workshop, subject="Using social media at work")
    return workshop


def ask_url(workshop):
    return reverse("progress:ask", kwargs={"slug": workshop.slug})


def ask(
    client, workshop, *, text="Who decides what I may post?", email="", kind="question", **extra
):
    return client.post(
        ask_url(workshop),
        {
            "kind": kind,
            "group": workshop.groups.get().pk,
            "text": text,
            "email": email,
            **extra,
        },
    )


def link_in(message, kind: str) -> str:
    return re.search(rf"https?://[^/\s]+(/\S+/ask/{kind}/\S+/)", message.body).group(1)


def test_an_anonymous_question_waits_for_review_and_keeps_no_one(client, open_workshop):
    response = ask(client, open_workshop)

    assert response.status_code == 302
    assert "Thank you" in client.get(response.url).text
    question = Contribution.objects.get()
    assert question.channel == Contribution.Channel.ONLINE
    assert question.kind == Contribution.Kind.QUESTION
    assert question.asked_by == ""
    assert question.entered_by is None
    assert question.reviewed_at is None
    assert not Asker.objects.exists()
    assert mail.outbox == []
    progress = reverse("progress:workshop_progress", kwargs={"slug": open_workshop.slug})
    assert "Who decides what I may post?" not in client.get(progress).text


def test_online_notes_wait_for_review_even_where_the_workshop_publishes_at_once(
    client, open_workshop, organiser
):
    open_workshop.notes_public_after_review = False
    open_workshop.save()
    ask(client, open_workshop, text="Guidance was clear to me", kind="comment")
    progress = reverse("progress:workshop_progress", kwargs={"slug": open_workshop.slug})

    assert "Guidance was clear to me" not in client.get(progress).text
    contributions_publish(contributions=Contribution.objects.all(), by=organiser)
    assert "Guidance was clear to me" in client.get(progress).text


def test_with_an_email_the_asker_confirms_then_is_told_the_answer_once(
    client, open_workshop, organiser
):
    ask(client, open_workshop, email=EMAIL)

    question = Contribution.objects.get()
    assert not Asker.objects.exists(), "nothing of the address is kept before it is confirmed"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [EMAIL]
    assert question.text in mail.outbox[0].body
    confirm = link_in(mail.outbox[0], "confirm")
    assert "Confirm" in client.get(confirm).text
    assert not Asker.objects.exists(), "opening the link (a mail scanner) changes nothing"

    client.post(confirm)
    client.post(confirm)

    asker = Asker.objects.get()
    assert (asker.question, asker.email) == (question, EMAIL.lower())
    assert asker_emails(open_workshop) == {EMAIL.lower()}
    question_answer(question=question, by=organiser, answer="Your line manager, within policy.")
    told = [message for message in mail.outbox if message.to == [EMAIL.lower()]]
    assert len(told) == 1
    assert "Your line manager, within policy." in told[0].body
    assert f"#question-{question.pk}" in told[0].body

    assert answer_send(question_id=question.pk) is False, "told once, however often it runs"
    assert len(mail.outbox) == 2


def test_the_asker_deletes_their_address_from_the_link_in_the_answer(
    client, open_workshop, organiser
):
    ask(client, open_workshop, email=EMAIL)
    client.post(link_in(mail.outbox[0], "confirm"))
    question = Contribution.objects.get()
    question_close(question=question, by=organiser, reason="Out of scope for this workshop.")
    assert "Out of scope for this workshop." in mail.outbox[-1].body

    client.post(link_in(mail.outbox[-1], "delete-email"))

    assert not Asker.objects.exists()
    assert Contribution.objects.filter(pk=question.pk).exists()


def test_a_confirmation_link_altered_or_for_another_workshop_is_refused(client, open_workshop):
    ask(client, open_workshop, email=EMAIL)
    confirm = link_in(mail.outbox[0], "confirm")
    other = WorkshopFactory()

    assert client.post(confirm[:-3] + "xx/").status_code == 400
    assert client.post(confirm.replace(open_workshop.slug, other.slug)).status_code == 400
    assert not Asker.objects.exists()


def test_a_view_with_an_email_address_is_refused_with_the_text_kept(client, open_workshop):
    response = ask(client, open_workshop, kind="comment", text="Training helped", email=EMAIL)

    assert response.status_code == 200
    assert "Only questions are answered" in response.text
    assert "Training helped" in response.text
    assert not Contribution.objects.exists()


def test_the_honeypot_stores_nothing_and_sends_nothing(client, open_workshop):
    response = ask(client, open_workshop, email=EMAIL, website="https://spam.example")

    assert response.status_code == 302
    assert not Contribution.objects.exists()
    assert mail.outbox == []


def test_too_many_from_one_address_are_refused_with_the_text_kept(client, open_workshop, settings):
    settings.ONLINE_CONTRIBUTIONS_PER_ADDRESS_PER_HOUR = 2
    ask(client, open_workshop, text="First")
    ask(client, open_workshop, text="Second")

    response = ask(client, open_workshop, text="Third <b>question</b>")

    assert response.status_code == 200
    assert "Too many questions and views" in response.text
    assert "Third &lt;b&gt;question&lt;/b&gt;" in response.text
    assert Contribution.objects.count() == 2


def test_too_many_for_one_workshop_are_refused_from_any_address(client, open_workshop, settings):
    settings.ONLINE_CONTRIBUTIONS_PER_WORKSHOP_PER_HOUR = 1
    ask(client, open_workshop, text="First")

    response = client.post(
        ask_url(open_workshop),
        {"kind": "question", "group": open_workshop.groups.get().pk, "text": "From elsewhere"},
        REMOTE_ADDR="192.0.2.99",
    )

    assert "Too many questions and views" in response.text
    assert Contribution.objects.count() == 1


def test_too_many_confirmation_emails_to_one_address_are_refused(client, open_workshop, settings):
    settings.FOLLOW_REQUESTS_PER_HOUR = 1
    ask(client, open_workshop, email=EMAIL)

    response = ask(client, open_workshop, text="Another one", email=EMAIL)

    assert "Too many emails have been sent to this address" in response.text
    assert "Another one" in response.text
    assert len(mail.outbox) == 1


def test_over_long_text_is_refused_and_kept_in_the_form(client, open_workshop):
    text = "word " * 250

    response = ask(client, open_workshop, text=text)

    assert response.status_code == 200
    assert "must be 1000 characters or fewer" in response.text
    assert text.strip() in response.text
    assert 'maxlength="1000"' not in response.text
    assert not Contribution.objects.exists()


@pytest.mark.parametrize(
    ("opens", "closes", "says"),
    [
        (None, None, "does not take questions or views online"),
        (datetime.timedelta(days=2), None, "can be sent online from"),
        (-datetime.timedelta(days=9), -datetime.timedelta(days=1), "Asking online is now closed"),
    ],
)
def test_a_closed_channel_says_so_and_takes_nothing(client, opens, closes, says):
    now = timezone.now()
    workshop = WorkshopFactory(
        online_opens_at=now + opens if opens is not None else None,
        online_closes_at=now + closes if closes is not None else None,
    )
    group = FlipchartGroupFactory(workshop=workshop)
    progress = reverse("progress:workshop_progress", kwargs={"slug": workshop.slug})

    assert says in client.get(ask_url(workshop)).text
    response = client.post(ask_url(workshop), {"kind": "question", "group": group.pk, "text": "Hi"})
    assert says in response.text
    assert not Contribution.objects.exists()
    assert ask_url(workshop) not in client.get(progress).text


def test_the_progress_page_links_to_the_form_while_open_and_not_after(client, open_workshop):
    progress = reverse("progress:workshop_progress", kwargs={"slug": open_workshop.slug})
    assert ask_url(open_workshop) in client.get(progress).text

    open_workshop.online_closes_at = timezone.now() + datetime.timedelta(seconds=1)
    open_workshop.save()
    assert ask_url(open_workshop) in client.get(progress).text

    closed_at = timezone.now() + datetime.timedelta(minutes=1)
    with time_machine.travel(closed_at):
        assert ask_url(open_workshop) not in client.get(progress).text


def test_drafts_have_no_online_form(client):
    draft = WorkshopFactory(is_published=False, online_opens_at=timezone.now())
    assert client.get(ask_url(draft)).status_code == 404


def test_asker_addresses_go_when_their_time_is_up(settings, open_workshop):
    question = ContributionFactory(group=open_workshop.groups.get(), kind="question")
    now = timezone.now()
    Asker.objects.create(
        question=question, email="old@example.com", consent_at=now - datetime.timedelta(days=400)
    )
    recent = ContributionFactory(group=open_workshop.groups.get(), kind="question")
    Asker.objects.create(question=recent, email="new@example.com", consent_at=now)

    result = retention_clean_up(now=now)

    assert result.askers == 1
    assert asker_emails(open_workshop) == {"new@example.com"}


def test_the_privacy_notice_tells_askers_what_is_kept(client, settings):
    settings.ASKER_RETENTION_DAYS = 365
    text = client.get(reverse("privacy")).text
    assert "If you ask a question online and want to be told the answer" in text
    assert "at most 1 year after you confirmed" in text


def test_an_asker_who_confirmed_in_welsh_is_told_the_answer_in_welsh(
    client, open_workshop, organiser, settings
):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "cy"
    ask(client, open_workshop, email=EMAIL)
    client.post(link_in(mail.outbox[0], "confirm"))
    question = Contribution.objects.get()

    # Answered from the admin, in English.
    with translation.override("en-gb"):
        question_answer(question=question, by=organiser, answer="Your line manager, within policy.")

    assert Asker.objects.get().language == "cy"
    told = mail.outbox[-1]
    assert told.subject.startswith("Eich cwestiwn am")
    assert "Your line manager, within policy." in told.body
