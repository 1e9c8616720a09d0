import datetime
import io

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from accounts import roles
from actions.models import Organisation, ReminderSent, Status
from actions.services import action_accept, action_post_update, due_date_decide, reminders_send
from tests.conftest import client_for
from tests.factories import ActionItemFactory, UserFactory

pytestmark = pytest.mark.django_db

ASSIGNED = datetime.date(2027, 1, 4)
DUE = datetime.date(2027, 6, 1)


def at(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(
        day, datetime.time(9, 30), tzinfo=timezone.get_current_timezone()
    )


@pytest.fixture
def deputy(department_a):
    user = UserFactory(email="deputy.a@example.gov.uk", roles=[roles.OWNERS])
    department_a.members.add(user)
    return user


@pytest.fixture
def ict_member(db):
    user = UserFactory(email="ict.board@example.gov.uk", roles=[roles.OWNERS])
    Organisation.objects.get(slug="ict-strategy-board").members.add(user)
    return user


@pytest.fixture
def action(department_a):
    with time_machine.travel(at(ASSIGNED), tick=False):
        return ActionItemFactory(title="Unblock YouTube", owner=department_a, due_date=DUE)


def run_twice(day: datetime.date) -> list[tuple[str, list[str]]]:
    """Run the command twice on `day`; what the first run sent, and check the second sent none."""
    mail.outbox.clear()
    with time_machine.travel(at(day), tick=False):
        out = io.StringIO()
        call_command("send_reminders", stdout=out)
        first = [(message.subject, message.to) for message in mail.outbox]
        call_command("send_reminders", stdout=out)
    assert len(mail.outbox) == len(first), f"the second run on {day} sent more"
    return sorted(first)


def walk(start: datetime.date, end: datetime.date) -> dict[datetime.date, list]:
    """Every day from start to end, the emails sent that day (days with none are left out)."""
    sent = {}
    day = start
    while day <= end:
        if emails := run_twice(day):
            sent[day] = emails
        day += datetime.timedelta(days=1)
    return sent


def test_an_action_not_accepted_reminds_the_members_then_the_organisers(
    action, owner_a, deputy, organiser
):
    sent = walk(ASSIGNED - datetime.timedelta(days=1), ASSIGNED + datetime.timedelta(days=20))

    members = [["deputy.a@example.gov.uk"], ["owner.a@example.gov.uk"]]
    assert sent == {
        ASSIGNED: [("New action for Department A: Unblock YouTube", to) for to in members],
        ASSIGNED + datetime.timedelta(days=7): [
            ("Action waiting for you to accept it: Unblock YouTube", to) for to in members
        ],
        ASSIGNED + datetime.timedelta(days=14): [
            ("Action not accepted after 14 days: Unblock YouTube", ["organiser@example.gov.uk"])
        ],
    }
    assert list(
        ReminderSent.objects.order_by("sent_at").values_list("step", "period", "recipients")
    ) == [
        ("assigned", "2027-01-04", "deputy.a@example.gov.uk\nowner.a@example.gov.uk"),
        ("not_accepted_7", "2027-01-04", "deputy.a@example.gov.uk\nowner.a@example.gov.uk"),
        ("not_accepted_14", "2027-01-04", "organiser@example.gov.uk"),
    ]


def test_accepting_stops_the_acceptance_reminders(action, owner_a, deputy, organiser):
    run_twice(ASSIGNED)
    action_accept(action=action, by=owner_a, accountable=owner_a, deputy=deputy)
    assert walk(ASSIGNED + datetime.timedelta(days=1), ASSIGNED + datetime.timedelta(days=20)) == {}


def test_an_accepted_action_is_reminded_before_on_and_after_its_due_date(
    action, owner_a, deputy, organiser, ict_member
):
    with time_machine.travel(at(ASSIGNED), tick=False):
        action_accept(action=action, by=owner_a, accountable=owner_a, deputy=deputy)

    sent = walk(DUE - datetime.timedelta(days=15), DUE + datetime.timedelta(days=44))

    def days(n):
        return DUE + datetime.timedelta(days=n)

    escalation = [["ict.board@example.gov.uk"], ["organiser@example.gov.uk"]]
    assert sent == {
        days(-14): [("Action due in 14 days: Unblock YouTube", ["owner.a@example.gov.uk"])],
        days(0): [("Action due today: Unblock YouTube", ["owner.a@example.gov.uk"])],
        days(7): [
            ("Action 7 days overdue: Unblock YouTube", ["deputy.a@example.gov.uk"]),
            ("Action 7 days overdue: Unblock YouTube", ["owner.a@example.gov.uk"]),
        ],
        days(30): [("Action 30 days overdue: Unblock YouTube", to) for to in escalation],
        days(37): [("Action 37 days overdue: Unblock YouTube", to) for to in escalation],
        days(44): [("Action 44 days overdue: Unblock YouTube", to) for to in escalation],
    }


def test_reminders_stop_when_the_action_is_done(action, owner_a, deputy):
    action_post_update(action=action, by=owner_a, status=Status.DONE, note="Unblocked")
    assert walk(DUE - datetime.timedelta(days=14), DUE + datetime.timedelta(days=31)) == {}


def test_a_proposed_date_leaves_the_reminders_on_the_current_date_until_approved(
    action, owner_a, deputy, organiser
):
    with time_machine.travel(at(ASSIGNED), tick=False):
        action_accept(action=action, by=owner_a, accountable=owner_a, deputy=deputy)
    assert run_twice(DUE - datetime.timedelta(days=14))
    action_post_update(
        action=action,
        by=owner_a,
        status=Status.IN_PROGRESS,
        new_due_date=DUE + datetime.timedelta(days=28),
        reason="Contract signed late",
    )
    assert run_twice(DUE) == [("Action due today: Unblock YouTube", ["owner.a@example.gov.uk"])]
    due_date_decide(proposal=action.due_date_changes.get(), by=organiser, approve=True)
    assert run_twice(DUE + datetime.timedelta(days=7)) == []
    assert run_twice(DUE + datetime.timedelta(days=14)) == [
        ("Action due in 14 days: Unblock YouTube", ["owner.a@example.gov.uk"])
    ]


def test_a_late_arrival_gets_only_the_latest_step_not_a_burst(owner_a, department_a):
    with time_machine.travel(at(DUE + datetime.timedelta(days=10)), tick=False):
        ActionItemFactory(title="Already late", owner=department_a, due_date=DUE)
    sent = run_twice(DUE + datetime.timedelta(days=10))
    assert sent == [
        ("Action 10 days overdue: Already late", ["owner.a@example.gov.uk"]),
        ("New action for Department A: Already late", ["owner.a@example.gov.uk"]),
    ]


def test_without_an_accountable_person_the_members_are_reminded(action, owner_a, deputy):
    assert run_twice(DUE) == [
        ("Action due today: Unblock YouTube", ["deputy.a@example.gov.uk"]),
        ("Action due today: Unblock YouTube", ["owner.a@example.gov.uk"]),
    ]


def test_an_organisation_without_members_is_reached_at_its_contact_address(action):
    action.owner.contact_email = "digital@department-a.gov.uk"
    action.owner.save()
    assert run_twice(ASSIGNED) == [
        ("New action for Department A: Unblock YouTube", ["digital@department-a.gov.uk"])
    ]


def test_the_email_is_plain_and_links_to_the_action(action, owner_a):
    run_twice(ASSIGNED)
    (message,) = mail.outbox
    assert message.content_subtype == "plain"
    assert f"http://127.0.0.1:8000/actions/{action.pk}/" in message.body
    assert "Due date: 1 June 2027" in message.body
    assert "awaiting acceptance" in message.body


def test_a_failed_send_is_not_recorded_and_is_tried_again(action, owner_a, settings):
    settings.MAILERS = {"default": {"BACKEND": "tests.actions.failing_mail.FailingBackend"}}
    with time_machine.travel(at(ASSIGNED), tick=False):
        assert reminders_send() == []
    assert not ReminderSent.objects.exists()
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    assert len(run_twice(ASSIGNED)) == 1


def test_reminders_inside_a_transaction_that_rolls_back_send_nothing(action, owner_a):
    with time_machine.travel(at(ASSIGNED), tick=False), transaction.atomic():
        sent = reminders_send()
        transaction.set_rollback(True)

    print(f"\nFIGURE: reminders sent inside a rolled-back transaction: {len(mail.outbox)} emails")
    assert sent == []
    assert mail.outbox == []
    assert not ReminderSent.objects.exists()


def test_the_command_says_what_it_sent(action, owner_a):
    out = io.StringIO()
    with time_machine.travel(at(ASSIGNED), tick=False):
        call_command("send_reminders", stdout=out)
        call_command("send_reminders", stdout=out)
    assert out.getvalue().splitlines() == [
        f"assigned for action {action.pk}: 1 emails",
        "Sent 1 reminders.",
        "Sent 0 reminders.",
    ]


def test_the_reminders_sent_show_read_only_on_the_actions_admin_page(action, owner_a, organiser):
    run_twice(ASSIGNED)

    html = client_for(organiser).get(f"/admin/actions/actionitem/{action.pk}/change/").text

    assert "Reminders sent" in html
    assert "owner.a@example.gov.uk" in html
    assert 'name="reminders-0-step"' not in html


def test_a_step_sent_late_says_when_the_action_was_due(action, owner_a):
    assert run_twice(DUE + datetime.timedelta(days=2)) == [
        ("Action due 2 days ago: Unblock YouTube", ["owner.a@example.gov.uk"])
    ]
    assert "The due date for this action is 1 June 2027 (2 days ago)" in mail.outbox[0].body
