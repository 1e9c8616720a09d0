import datetime
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from actions.models import QuestionsReminderSent
from actions.services import overdue_questions_remind
from tests.factories import ContributionFactory
from workshops.models import ContributionKind

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2026, 11, 2)


def asked_on(day, text):
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))
    return ContributionFactory(kind=ContributionKind.QUESTION, text=text, entered_at=moment)


def test_organisers_are_told_once_a_day_about_overdue_questions(organiser):
    asked_on(MONDAY - datetime.timedelta(days=10), "Do we have permission?")
    asked_on(MONDAY - datetime.timedelta(days=1), "Asked yesterday: not overdue yet")

    first = overdue_questions_remind(today=MONDAY)
    again = overdue_questions_remind(today=MONDAY)

    assert first.question_count == 1
    assert again is None
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [organiser.email]
    assert email.subject == "1 question waiting too long for an answer"
    assert '"Do we have permission?"' in email.body
    assert "not yet acknowledged" in email.body
    assert "Asked yesterday" not in email.body
    assert "/admin/workshops/openquestion/" in email.body

    assert overdue_questions_remind(today=MONDAY + datetime.timedelta(days=1)).question_count == 1
    assert len(mail.outbox) == 2


def test_nothing_is_sent_when_no_question_is_overdue(organiser):
    asked_on(MONDAY, "Asked today")
    assert overdue_questions_remind(today=MONDAY) is None
    assert not mail.outbox
    assert not QuestionsReminderSent.objects.exists()


def test_send_reminders_includes_overdue_questions_and_sends_nothing_twice(organiser):
    asked_on(timezone.localdate() - datetime.timedelta(days=30), "Who decides?")
    out = io.StringIO()
    call_command("send_reminders", stdout=out)
    call_command("send_reminders", stdout=out)
    assert out.getvalue().count("Told the organisers about 1 overdue questions.") == 1
    assert len(mail.outbox) == 1
