"""Questions are answered in the order they were asked: jumping the queue needs a published
reason, and the public page lists them in that order with each one's wait."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.conftest import client_for
from tests.factories import ContributionFactory, FlipchartGroupFactory
from workshops.models import Contribution
from workshops.services import OUT_OF_ORDER, QuestionClosureError, question_answer, question_close

pytestmark = pytest.mark.django_db

LONDON = timezone.get_fixed_timezone(0)


def asked(days_ago: int, group, **kwargs) -> Contribution:
    day = timezone.localdate() - datetime.timedelta(days=days_ago)
    moment = datetime.datetime.combine(day, datetime.time(12), tzinfo=LONDON)
    return ContributionFactory(
        kind=Contribution.Kind.QUESTION, entered_at=moment, group=group, **kwargs
    )


@pytest.fixture
def queue(db):
    """Three open questions of one workshop, asked 10, 5 and 1 days ago, and one of another."""
    group = FlipchartGroupFactory()
    other_group = FlipchartGroupFactory(workshop=group.workshop)
    return {
        "oldest": asked(10, group, text="Oldest question"),
        "middle": asked(5, other_group, text="Middle question"),
        "newest": asked(1, group, text="Newest question"),
        "elsewhere": asked(30, FlipchartGroupFactory(), text="Question of another workshop"),
    }


def test_answering_ahead_of_older_open_questions_without_a_reason_is_refused(queue, organiser):
    with pytest.raises(QuestionClosureError, match="Older questions"):
        question_answer(question=queue["newest"], by=organiser, answer="Soon.")
    with pytest.raises(QuestionClosureError, match="Older questions"):
        question_close(question=queue["middle"], by=organiser, reason="Duplicate")

    assert Contribution.objects.questions_open().count() == 4


def test_with_a_reason_the_question_is_answered_and_the_reason_kept(queue, organiser):
    question_answer(
        question=queue["newest"],
        by=organiser,
        answer="Soon.",
        out_of_order_reason="  the answer was already known  ",
    )

    queue["newest"].refresh_from_db()
    assert queue["newest"].closure == Contribution.Closure.ANSWERED
    assert queue["newest"].out_of_order_reason == "the answer was already known"


def test_the_oldest_open_question_needs_no_reason_and_another_workshop_holds_up_nobody(
    queue, organiser
):
    question_answer(question=queue["oldest"], by=organiser, answer="Yes.")
    question_close(question=queue["middle"], by=organiser, reason="Out of scope")

    assert {q.out_of_order_reason for q in (queue["oldest"], queue["middle"])} == {""}


def test_a_hidden_older_question_holds_up_nobody(organiser):
    group = FlipchartGroupFactory()
    asked(9, group, hidden_from_public=True, hidden_reason="duplicate")
    newer = asked(1, group)

    question_answer(question=newer, by=organiser, answer="Yes.")

    assert newer.closure == Contribution.Closure.ANSWERED


def test_the_admin_asks_for_the_reason_and_refuses_without_it(queue, organiser):
    url = reverse("admin:workshops_openquestion_change", args=[queue["newest"].pk])
    client = client_for(organiser)

    refused = client.post(url, {"outcome": "answer", "answer_text": "Soon."})

    assert OUT_OF_ORDER in refused.text
    assert "Soon." in refused.text
    queue["newest"].refresh_from_db()
    assert queue["newest"].closed_at is None

    client.post(
        url,
        {"outcome": "answer", "answer_text": "Soon.", "out_of_order_reason": "Quick to answer"},
    )
    queue["newest"].refresh_from_db()
    assert queue["newest"].out_of_order_reason == "Quick to answer"


def test_staff_see_open_questions_in_the_order_asked(queue, organiser):
    html = client_for(organiser).get(reverse("admin:workshops_openquestion_changelist")).text

    positions = [html.index(queue[name].text) for name in ("elsewhere", "oldest", "middle")]
    assert positions == sorted(positions)
    assert html.index(queue["middle"].text) < html.index(queue["newest"].text)


def test_the_public_page_lists_questions_in_the_order_asked_with_each_ones_wait(
    client, queue, organiser
):
    # Created out of order: the page orders by when each was asked, not by when it was typed.
    late_typed = asked(20, queue["oldest"].group, text="Asked first, typed last")
    question_answer(question=late_typed, by=organiser, answer="Answered at once.")
    Contribution.objects.filter(pk=late_typed.pk).update(
        closed_at=late_typed.entered_at + datetime.timedelta(days=3)
    )
    question_answer(
        question=queue["newest"],
        by=organiser,
        answer="Yes.",
        out_of_order_reason="it only needed a link",
    )

    html = client.get(
        reverse("progress:workshop_progress", kwargs={"slug": queue["oldest"].group.workshop.slug})
    ).text

    order = [
        html.index(text)
        for text in ("Asked first, typed last", "Oldest question", "Middle question", "Newest")
    ]
    assert order == sorted(order)
    assert "Waited 3 days" in html
    assert "Waiting 10 days" in html
    assert "Waiting 5 days" in html
    assert "Waited 1 day<" in html
    assert "Answered before older questions because: it only needed a link" in html
    feed = client.get(
        reverse(
            "progress:workshop_progress_json", kwargs={"slug": queue["oldest"].group.workshop.slug}
        )
    ).json()
    newest = next(c for c in feed["contributions"] if c["id"] == queue["newest"].pk)
    assert newest["question"]["answered_out_of_order_because"] == "it only needed a link"
    assert newest["question"]["days_waited"] == 1
    assert "Question of another workshop" not in html


def test_the_public_page_makes_the_same_queries_however_many_questions(
    client, organiser, django_assert_num_queries
):
    group = FlipchartGroupFactory()
    url = reverse("progress:workshop_progress", kwargs={"slug": group.workshop.slug})
    for days_ago in range(3):
        asked(days_ago, group)
    cache.clear()
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for days_ago in range(3, 20):
        question = asked(days_ago, group)
    question_answer(question=question, by=organiser, answer="Yes.")
    cache.clear()
    with django_assert_num_queries(len(few.captured_queries)):
        assert client.get(url).text.count("Waiting ") == 19
