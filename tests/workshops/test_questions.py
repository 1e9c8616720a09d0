import datetime
import re

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from actions.services import action_create
from tests.conftest import client_for
from tests.factories import ContributionFactory, FlipchartGroupFactory
from workshops.models import Area, Contribution
from workshops.services import (
    QuestionClosureError,
    question_acknowledge,
    question_answer,
    question_close,
    question_route,
)
from workshops.working_days import add_working_days

pytestmark = pytest.mark.django_db

QUESTION = Contribution.Kind.QUESTION
LONDON = timezone.get_fixed_timezone(0)


def asked_on(day: datetime.date, **kwargs) -> Contribution:
    moment = datetime.datetime.combine(day, datetime.time(12), tzinfo=LONDON)
    return ContributionFactory(kind=QUESTION, entered_at=moment, **kwargs)


# Working days


def test_a_working_day_deadline_skips_the_weekend():
    friday = datetime.date(2026, 11, 20)
    assert add_working_days(friday, 1) == datetime.date(2026, 11, 23)
    assert add_working_days(friday, 5) == datetime.date(2026, 11, 27)


def test_a_working_day_deadline_skips_english_bank_holidays():
    # Christmas Day and Boxing Day fall on Friday and Saturday in 2026: Monday 28th is the
    # substitute bank holiday.
    christmas_eve = datetime.date(2026, 12, 24)
    assert add_working_days(christmas_eve, 1) == datetime.date(2026, 12, 29)


def test_a_question_must_be_acknowledged_in_5_and_closed_in_20_working_days():
    question = asked_on(datetime.date(2026, 12, 21))

    # Christmas, the Boxing Day substitute on the 28th and New Year's Day are skipped.
    assert question.acknowledge_by == datetime.date(2026, 12, 30)
    assert question.close_by == datetime.date(2027, 1, 21)


def test_the_deadlines_are_configurable(settings):
    settings.QUESTION_ACKNOWLEDGE_WORKING_DAYS = 1
    question = asked_on(datetime.date(2026, 11, 20))

    assert question.acknowledge_by == datetime.date(2026, 11, 23)


def test_overdue_questions_are_those_past_either_deadline():
    monday = datetime.date(2026, 11, 2)
    unacknowledged = asked_on(monday, text="Not acknowledged")
    acknowledged = asked_on(monday, text="Acknowledged", acknowledged_at=timezone.now())
    old = asked_on(monday - datetime.timedelta(days=60), text="Old", acknowledged_at=timezone.now())
    answered = asked_on(monday - datetime.timedelta(days=60), text="Answered")
    question_answer(question=answered, by=None, answer="Yes")
    ContributionFactory(kind=Contribution.Kind.COMMENT, entered_at=old.entered_at)

    overdue = Contribution.objects.questions_overdue(datetime.date(2026, 11, 10))

    assert set(overdue) == {unacknowledged, old}
    assert unacknowledged.is_question_overdue(datetime.date(2026, 11, 10))
    assert not acknowledged.is_question_overdue(datetime.date(2026, 11, 10))


def test_a_question_is_not_overdue_on_its_deadline_day():
    question = asked_on(datetime.date(2026, 11, 2))

    assert not Contribution.objects.questions_overdue(question.acknowledge_by).exists()
    next_day = question.acknowledge_by + datetime.timedelta(days=1)
    assert list(Contribution.objects.questions_overdue(next_day)) == [question]


# The three ways to close


def test_a_question_closes_with_an_answer(organiser):
    question = asked_on(datetime.date(2026, 11, 2))

    question_answer(question=question, by=organiser, answer="Yes, from April.")

    question.refresh_from_db()
    assert question.closure == Contribution.Closure.ANSWERED
    assert question.closed_by == organiser
    assert question.acknowledged_at is not None


def test_a_question_closes_with_a_published_reason(organiser):
    question = asked_on(datetime.date(2026, 11, 2))

    question_close(question=question, by=organiser, reason="This is a matter for each department.")

    question.refresh_from_db()
    assert question.closure == Contribution.Closure.CLOSED


def test_a_question_that_becomes_an_action_is_routed_and_follows_it(organiser, client):
    question = asked_on(datetime.date(2026, 11, 2), text="Will Facebook be unblocked?")

    action = action_create(
        workshop=question.group.workshop,
        area=Area.objects.get(slug="infrastructure"),
        title="Unblock social media sites",
        contributions=[question],
        by=organiser,
    )

    question.refresh_from_db()
    assert question.closure == Contribution.Closure.ROUTED
    html = client.get(
        reverse("progress:workshop_progress", kwargs={"slug": question.group.workshop.slug})
    ).text
    assert "Taken forward as an action" in html
    assert f'href="#action-{action.pk}">Unblock social media sites</a>: not started' in html


def test_the_owner_it_was_routed_to_can_still_answer_it(owner_a, department_a):
    question = asked_on(datetime.date(2026, 11, 2))
    action_create(
        workshop=question.group.workshop,
        area=Area.objects.get(slug="infrastructure"),
        title="Unblock social media sites",
        owner=department_a,
        contributions=[question],
    )

    assert list(Contribution.objects.answerable_by(owner_a)) == [question]
    question_answer(question=question, by=owner_a, answer="Unblocked from April.")

    question.refresh_from_db()
    assert question.closure == Contribution.Closure.ANSWERED


@pytest.mark.parametrize(
    ("close", "message"),
    [
        (lambda q: question_answer(question=q, by=None, answer="  "), "Enter an answer"),
        (lambda q: question_close(question=q, by=None, reason=""), "Enter the reason"),
        (lambda q: question_route(question=q, by=None), "Link the question to an action"),
    ],
)
def test_a_question_cannot_close_without_its_answer_reason_or_action(close, message):
    question = asked_on(datetime.date(2026, 11, 2))

    with pytest.raises(QuestionClosureError, match=message):
        close(question)

    question.refresh_from_db()
    assert question.closed_at is None


def test_the_database_refuses_a_closed_question_without_a_closure():
    question = asked_on(datetime.date(2026, 11, 2))

    for changes in [
        {"closed_at": timezone.now()},
        {"closed_at": timezone.now(), "closure": "answered", "answer": " "},
        {"closed_at": timezone.now(), "closure": "closed"},
        {"closure": "answered", "answer": "Yes"},
    ]:
        with pytest.raises(IntegrityError), transaction.atomic():
            Contribution.objects.filter(pk=question.pk).update(**changes)


def test_a_closed_question_cannot_be_closed_again():
    question = asked_on(datetime.date(2026, 11, 2))
    question_close(question=question, by=None, reason="Out of scope")

    with pytest.raises(QuestionClosureError, match="already closed"):
        question_answer(question=question, by=None, answer="Yes")


def test_only_questions_are_closed():
    comment = ContributionFactory()

    with pytest.raises(QuestionClosureError):
        question_acknowledge(question=comment, by=None)


# Public page and admin


def test_the_public_page_lists_every_question_with_its_state(client):
    group = FlipchartGroupFactory()
    today = timezone.localdate()
    waiting = asked_on(today - datetime.timedelta(days=12), group=group, text="Any news?")
    answered = asked_on(today, group=group, text="Is there guidance?")
    question_answer(
        question=answered,
        by=None,
        answer="Yes: <b>see GOV.UK</b>",
        out_of_order_reason="the <i>guidance</i> was already published",
    )
    closed = asked_on(today, group=group, text="Why?")
    question_close(
        question=closed, by=None, reason="Outside this workshop's remit", out_of_order_reason="x"
    )
    asked_on(today, group=group, text="Hidden question", hidden_from_public=True)

    html = client.get(reverse("progress:workshop_progress", kwargs={"slug": group.workshop.slug}))

    assert waiting.text in html.text
    assert "Waiting 12 days, longer than we promised" in html.text
    assert "Yes: &lt;b&gt;see GOV.UK&lt;/b&gt;" in html.text
    assert "Outside this workshop&#x27;s remit" in html.text
    assert "Hidden question" not in html.text
    assert (
        "Answered before older questions because: the &lt;i&gt;guidance&lt;/i&gt; was already "
        "published" in html.text
    )


def open_questions_url():
    return reverse("admin:workshops_openquestion_changelist")


def test_admin_lists_open_questions_oldest_first_with_age_and_overdue(organiser):
    newer = asked_on(timezone.localdate(), text="Newer question")
    older = asked_on(timezone.localdate() - datetime.timedelta(days=40), text="Older question")
    closed = asked_on(timezone.localdate(), text="Closed question")
    question_close(question=closed, by=None, reason="Duplicate")

    html = client_for(organiser).get(open_questions_url()).text

    assert html.index(older.text) < html.index(newer.text)
    assert "Closed question" not in html
    assert "40 days" in html
    assert 'alt="True"' not in html, "no ticks"
    assert 'alt="False"' not in html, "no crosses"
    overdue_row = html.split(older.text, 1)[1].split("</tr>", 1)[0]
    assert '<strong class="app-admin-overdue">Overdue</strong>' in overdue_row
    assert "Acknowledge by" in overdue_row
    newer_row = html.split(newer.text, 1)[1].split("</tr>", 1)[0]
    assert "Overdue" not in newer_row
    assert "Not acknowledged" in newer_row
    assert "css/admin.css" in html


def test_the_open_questions_list_has_few_enough_columns_to_show_overdue(organiser):
    asked_on(timezone.localdate(), text="A question")

    html = client_for(organiser).get(open_questions_url()).text

    headers = re.findall(r'<th scope="col"[^>]*class="[^"]*column-([a-z_]+)', html)
    assert headers[-1] == "state"
    assert len(headers) <= 7


def test_admin_answers_an_open_question_through_its_form(organiser):
    question = asked_on(timezone.localdate())
    url = reverse("admin:workshops_openquestion_change", args=[question.pk])

    refused = client_for(organiser).post(url, {"outcome": "answer", "answer_text": ""})
    assert "Enter an answer" in refused.text
    client_for(organiser).post(url, {"outcome": "answer", "answer_text": "Yes."})

    question.refresh_from_db()
    assert question.closure == Contribution.Closure.ANSWERED
    assert question.answer == "Yes."


def test_admin_acknowledges_selected_questions(organiser):
    question = asked_on(timezone.localdate())

    client_for(organiser).post(
        open_questions_url(), {"action": "acknowledge_selected", "_selected_action": [question.pk]}
    )

    question.refresh_from_db()
    assert question.acknowledged_at is not None


def test_the_open_questions_list_makes_the_same_queries_at_two_sizes(
    organiser, django_assert_num_queries
):
    client = client_for(organiser)
    asked_on(timezone.localdate())
    client.get(open_questions_url())
    with CaptureQueriesContext(connection) as few:
        client.get(open_questions_url())
    for _ in range(20):
        asked_on(timezone.localdate(), group=FlipchartGroupFactory())
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(open_questions_url())
