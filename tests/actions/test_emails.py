"""A title typed with line breaks reaches every email as one subject line, and the mail goes."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from feedback_site.emails import subject_line
from progress.following import send_confirmation
from tests.factories import ActionItemFactory, WorkshopFactory

pytestmark = pytest.mark.django_db

INJECTION = "Unblock YouTube\r\nBcc: attacker@example.com\u2028<b>now</b>"


def test_line_breaks_of_every_kind_become_single_spaces():
    assert subject_line(INJECTION) == "Unblock YouTube Bcc: attacker@example.com <b>now</b>"


def test_a_reminder_for_an_action_titled_with_line_breaks_is_sent(department_a, owner_a):
    day = datetime.datetime(2027, 1, 4, 9, 30, tzinfo=timezone.get_current_timezone())
    with time_machine.travel(day, tick=False):
        ActionItemFactory(title=INJECTION, owner=department_a, due_date=datetime.date(2027, 6, 1))
        call_command("send_reminders", stdout=None)

    [message] = mail.outbox
    assert message.subject == f"New action for Department A: {subject_line(INJECTION)}"
    assert message.to == [owner_a.email]
    assert "attacker" not in str(message.message()["Bcc"])


def test_a_follow_confirmation_for_a_workshop_titled_with_line_breaks_is_sent():
    workshop = WorkshopFactory(title=INJECTION)

    send_confirmation(workshop=workshop, email="reader@example.com", site_url="https://x.test")

    [message] = mail.outbox
    assert message.subject == f"Confirm you want updates on {subject_line(INJECTION)}"
    assert message.recipients() == ["reader@example.com"]
