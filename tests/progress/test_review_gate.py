"""Nothing published unreviewed: a note waiting for review, or hidden, is on no public page, feed,
export or email, and each says how many notes are still being reviewed."""

import csv
import datetime
import io
import json
import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from progress.following import digests_send
from tests.conftest import client_for
from tests.factories import (
    ContributionFactory,
    FlipchartGroupFactory,
    ThemeFactory,
    UserFactory,
    WorkshopFactory,
)
from workshops.models import Area, Contribution, Follower
from workshops.services import (
    contributions_hide,
    contributions_move_to_area,
    contributions_publish,
    question_answer,
)

pytestmark = pytest.mark.django_db

SECRETS = ["Waiting: Jo Bloggs in IT", "Hidden: call Jo on 07700 900123"]


@pytest.fixture
def workshop():
    return WorkshopFactory(slug="social-media")


@pytest.fixture
def gate(workshop):
    """A workshop with a published note, 12 notes waiting for review (one in a theme of its
    own, one a question already answered), a hidden note and a hidden question answered."""
    group = FlipchartGroupFactory(workshop=workshop, subject="Barriers")
    training = Area.objects.get(slug="training")
    ContributionFactory(group=group, text="Published note", area=training)
    waiting_theme = ThemeFactory(workshop=workshop, name="Secret theme", area=training)
    ContributionFactory(
        group=group, text=SECRETS[0], reviewed_at=None, area=training, theme=waiting_theme
    )
    ContributionFactory.create_batch(10, group=group, reviewed_at=None)
    question = ContributionFactory(
        group=group, text="Waiting question?", kind="question", reviewed_at=None
    )
    question_answer(question=question, by=None, answer="Waiting answer")
    ContributionFactory(
        group=group,
        text=SECRETS[1],
        hidden_from_public=True,
        hidden_reason=Contribution.HiddenReason.PERSONAL_DATA,
    )
    hidden_question = ContributionFactory(
        group=group, text="Hidden question?", kind="question", hidden_from_public=True
    )
    question_answer(question=hidden_question, by=None, answer="Hidden answer")
    # Removed notes are neither public nor waiting.
    ContributionFactory(group=group, reviewed_at=None, removed_at="2012-07-05T10:00Z")
    return group


SHOWN_NOWHERE = [*SECRETS, "Secret theme", "Waiting question?", "Waiting answer", "Hidden"]
UNDER_REVIEW = "12 notes are still being reviewed and will be published once they have been."


def url(name, workshop):
    return reverse(f"progress:{name}", kwargs={"slug": workshop.slug})


def assert_nothing_unreviewed_in(text):
    for secret in SHOWN_NOWHERE:
        assert secret not in text
    assert "personal data" not in text.lower()


def test_the_progress_page_shows_only_reviewed_notes_and_counts_those_under_review(
    client, workshop, gate
):
    html = client.get(url("workshop_progress", workshop)).text

    assert "Published note" in html
    assert_nothing_unreviewed_in(html)
    assert "1 contribution published." in html
    assert UNDER_REVIEW in html
    # The chart counts only what is published.
    assert re.search(r"Training</th>\s*<td[^>]*>\s*1\b", html)


def test_the_organisers_view_of_the_progress_page_shows_no_more(workshop, gate, organiser):
    html = Client().get(url("workshop_progress", workshop)).text
    signed_in = client_for(organiser).get(url("workshop_progress", workshop)).text

    assert_nothing_unreviewed_in(html)
    assert_nothing_unreviewed_in(signed_in)


def test_the_contributions_csv_lists_only_reviewed_notes_and_says_how_many_wait(
    client, workshop, gate
):
    body = client.get(url("contributions_csv", workshop)).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))

    assert_nothing_unreviewed_in(body)
    assert [row[6] for row in rows[1:-2]] == ["Published note"]
    assert rows[-2:] == [[], [UNDER_REVIEW]]


@pytest.mark.parametrize("name", ["contributions_xlsx", "workshop_xlsx"])
def test_the_spreadsheets_list_only_reviewed_notes_and_say_how_many_wait(
    client, workshop, gate, name
):
    book = load_workbook(io.BytesIO(client.get(url(name, workshop)).content))

    cells = [
        str(cell)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if cell is not None
    ]
    assert_nothing_unreviewed_in("\n".join(cells))
    sheet = book["Contributions"]
    texts = [row[6] for row in sheet.iter_rows(min_row=2, values_only=True) if len(row) > 6]
    assert [text for text in texts if text] == ["Published note"]
    assert list(sheet.iter_rows(values_only=True))[-1][0] == UNDER_REVIEW


def test_the_actions_csv_names_no_unreviewed_note(client, workshop, gate):
    assert_nothing_unreviewed_in(client.get(url("actions_csv", workshop)).text)


def test_the_json_feed_lists_only_reviewed_notes_and_counts_those_under_review(
    client, workshop, gate
):
    response = client.get(url("workshop_progress_json", workshop))

    assert_nothing_unreviewed_in(response.text)
    feed = json.loads(response.text)
    assert [note["text"] for note in feed["contributions"]] == ["Published note"]
    assert feed["notes_under_review"] == 12


def test_the_feed_counts_no_notes_under_review_where_the_workshop_asks_for_none(client):
    workshop = WorkshopFactory(notes_public_after_review=False)
    ContributionFactory(group=FlipchartGroupFactory(workshop=workshop), reviewed_at=None)

    feed = client.get(url("workshop_progress_json", workshop)).json()

    assert feed["notes_under_review"] == 0
    assert len(feed["contributions"]) == 1


def test_the_page_and_csv_say_nothing_of_review_when_no_note_waits(client, workshop):
    ContributionFactory(group=FlipchartGroupFactory(workshop=workshop))

    assert "still being reviewed" not in client.get(url("workshop_progress", workshop)).text
    assert "still being reviewed" not in client.get(url("contributions_csv", workshop)).text


def test_one_note_under_review_is_counted_in_the_singular(client, workshop):
    ContributionFactory(group=FlipchartGroupFactory(workshop=workshop), reviewed_at=None)

    html = client.get(url("workshop_progress", workshop)).text

    assert "1 note is still being reviewed and will be published once it has been." in html


def test_the_digest_email_tells_no_answer_to_an_unreviewed_or_hidden_question(workshop, gate):
    at = timezone.now() - datetime.timedelta(days=2)
    Follower.objects.create(
        workshop=workshop, email="participant@example.com", consent_at=at, digest_sent_up_to=at
    )
    shown = ContributionFactory(group=gate, kind="question", text="Shown question?")
    question_answer(question=shown, by=None, answer="Shown answer")

    assert digests_send() == 1

    body = mail.outbox[0].body
    assert "Shown answer" in body
    assert_nothing_unreviewed_in(body)


def test_the_workshop_page_counts_only_notes_the_public_may_see(client, workshop, gate):
    html = client.get(workshop.get_absolute_url()).text

    assert re.search(r"numeric\">\s*1\s*</td>", html)


def test_reviewing_a_note_publishes_it_everywhere_and_counts_one_fewer(client, workshop, gate):
    triager = UserFactory()
    waiting = Contribution.objects.awaiting_review().filter(group__workshop=workshop)
    contributions_move_to_area(
        contributions=waiting.filter(text=SECRETS[0]),
        area=Area.objects.get(slug="training"),
        by=triager,
    )
    contributions_publish(contributions=waiting.filter(kind="question"), by=triager)
    off_topic = waiting.filter(text__startswith="Note number").first()
    contributions_hide(
        contributions=Contribution.objects.filter(pk=off_topic.pk),
        by=triager,
        reason=Contribution.HiddenReason.OFF_TOPIC,
    )

    html = client.get(url("workshop_progress", workshop)).text
    feed = client.get(url("workshop_progress_json", workshop)).json()

    assert SECRETS[0] in html
    assert "Secret theme" in html
    assert "Waiting answer" in html
    assert "9 notes are still being reviewed" in html
    assert feed["notes_under_review"] == 9
    assert len(feed["contributions"]) == 3
