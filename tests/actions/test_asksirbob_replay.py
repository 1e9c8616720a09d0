"""The seed's five #asksirbob questions, a Twitter Q&A that went unanswered for months, replayed
through the service: imported from the CSV by the import service, answered in the order asked
(one ahead of its turn, with the reason), two routed to actions whose owners answer them, and
the asker told each outcome once, by email, with the answer and a link."""

import datetime
import re
from pathlib import Path

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from actions.services import action_create, routed_question_answer
from tests.conftest import client_for
from tests.factories import FlipchartGroupFactory, OrganisationFactory, UserFactory, WorkshopFactory
from workshops.askers import answer_send, send_confirmation
from workshops.imports import RowReader, read_table
from workshops.models import Area, Asker, Contribution
from workshops.services import contributions_publish, notes_import, question_answer

pytestmark = pytest.mark.django_db

QUESTIONS = Path(__file__).resolve().parents[1] / "data" / "asksirbob-questions.csv"
ASKER_EMAIL = "baragouiner@example.com"
LONDON = timezone.get_fixed_timezone(60)


def on(day: int, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(2012, 7, day, hour, tzinfo=LONDON)


def told(question: Contribution) -> list:
    return [m for m in mail.outbox if m.to == [ASKER_EMAIL] and question.text in m.body]


def test_the_asksirbob_questions_replayed_from_the_csv_to_told_answers(organiser, client):
    workshop = WorkshopFactory(
        title="Civil Service Reform Plan: #asksirbob",
        slug="asksirbob",
        date=datetime.date(2012, 6, 21),
    )
    FlipchartGroupFactory(workshop=workshop, subject="The Civil Service Reform Plan")
    reform_team = OrganisationFactory(name="Civil Service Reform team")
    devolution = OrganisationFactory(name="Devolution unit", answers_published_at_once=True)
    reform_owner = UserFactory(full_name="Reform team owner", roles=["Owners"])
    devolution_owner = UserFactory(full_name="Devolution unit owner", roles=["Owners"])
    reform_team.members.add(reform_owner)
    devolution.members.add(devolution_owner)

    # Imported through the import service, as the admin page and import_notes do.
    table = read_table(QUESTIONS.name, QUESTIONS.read_bytes())
    reader = RowReader(
        workshop=workshop,
        headings=table.headings,
        mapping={"text": "Tweet", "asked_by": "Handle", "asked_at": "Posted"},
        default_kind=Contribution.Kind.QUESTION,
        default_source="#asksirbob on Twitter",
    )
    with time_machine.travel(on(2, 9), tick=False):
        assert (
            notes_import(workshop=workshop, rows=reader.read(table.rows), by=organiser).added == 5
        )
    q1, q2, q3, q4, q5 = Contribution.objects.questions_open().order_by("entered_at")
    assert {q.asked_by for q in (q1, q2, q3, q4, q5)} == {"@baragouiner"}

    # The asker gives an address for each question and confirms it by the emailed link.
    with time_machine.travel(on(2, 10), tick=False):
        for question in (q1, q2, q3, q4, q5):
            send_confirmation(question=question, email=ASKER_EMAIL, site_url="http://testserver")
        for message in list(mail.outbox):
            client.post(re.search(r"http://testserver(/\S+/ask/confirm/\S+/)", message.body)[1])
        contributions_publish(contributions=Contribution.objects.all(), by=organiser)
    assert Asker.objects.count() == 5
    mail.outbox.clear()

    log = []

    def record(question, who):
        question.refresh_from_db()
        told_at = Asker.objects.get(question=question).told_at
        log.append(
            (question, question.get_closure_display(), who, question.days_waiting(), told_at)
        )

    with time_machine.travel(on(3), tick=False):
        question_answer(
            question=q1,
            by=organiser,
            answer="No bidding war: policy teams will draw on outside expertise where it helps, "
            "through the Contestable Policy Fund.",
        )
        record(q1, "organiser")
        infrastructure = Area.objects.get(slug="infrastructure")
        action_create(
            workshop=workshop,
            area=infrastructure,
            title="Mark which parts of the plan apply to the whole Civil Service",
            owner=reform_team,
            by=organiser,
            contributions=[q2],
        )
        record(q2, "organiser, to the Civil Service Reform team")
        action_create(
            workshop=workshop,
            area=infrastructure,
            title="Ask the devolved administrations which changes they want",
            owner=devolution,
            by=organiser,
            contributions=[q4],
        )
        record(q4, "organiser, to the Devolution unit")

    with time_machine.travel(on(4), tick=False):
        with pytest.raises(Exception, match="Older questions"):
            question_answer(question=q5, by=organiser, answer="Yes.")
        question_answer(
            question=q5,
            by=organiser,
            answer="Yes: the plan commits to moving senior roles out of London.",
            out_of_order_reason="the figures were already published in the plan's annex",
        )
        record(q5, "organiser, ahead of its turn")
        question_answer(
            question=q3,
            by=organiser,
            answer="The UK Government: the plan will say so wherever it means it.",
        )
        record(q3, "organiser")

    with time_machine.travel(on(10), tick=False):
        q2.refresh_from_db()
        q4.refresh_from_db()
        published = routed_question_answer(
            action=q2.actions.get(),
            question=q2,
            by=reform_owner,
            answer="Yes: the next edition marks each change with where it applies.",
        )
        assert not published, "the Reform team's answers wait for an organiser"
        published = routed_question_answer(
            action=q4.actions.get(),
            question=q4,
            by=devolution_owner,
            answer="The devolved administrations have agreed to three of the changes.",
        )
        assert published
        record(q4, "Devolution unit owner (published at once)")

    with time_machine.travel(on(11), tick=False):
        review = reverse("admin:workshops_answertoreview_change", args=[q2.pk])
        client_for(organiser).post(
            review,
            {"answer_text": "Yes: the next edition marks each change with where it applies."},
        )
        record(q2, "Reform team owner, published after the organiser's review")

    # Each outcome told once, and running the jobs again tells nobody anything more.
    for question in (q1, q2, q3, q4, q5):
        question.refresh_from_db()
        assert question.closure == Contribution.Closure.ANSWERED
        assert answer_send(question_id=question.pk) is False
        assert told(question)[-1].body.count(question.answer) == 1
        assert f"#question-{question.pk}" in told(question)[-1].body
    assert [len(told(q)) for q in (q1, q2, q3, q4, q5)] == [1, 2, 1, 2, 1]
    assert len(mail.outbox) == 7

    page = client.get(reverse("progress:workshop_progress", kwargs={"slug": workshop.slug})).text
    positions = [page.index(f'id="question-{q.pk}"') for q in (q1, q2, q3, q4, q5)]
    assert positions == sorted(positions)
    assert "Answered before older questions because: the figures were already published" in page

    print("\nREPLAY: #asksirbob, asked 21 June 2012 by @baragouiner (address confirmed)")
    for question, outcome, who, waited, when in log:
        print(
            f"REPLAY: {question.text[:40]}… | {outcome} by {who} after {waited} days | "
            f"told {when:%d %b %Y %H:%M} UTC"
        )
