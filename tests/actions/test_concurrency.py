"""Two owners acting on the same action at the same moment: nothing is lost or doubled."""

import datetime

import pytest
from django.core import mail

from actions.models import ReminderSent, Status, StatusUpdate
from actions.services import action_post_update, reminders_send
from tests.concurrency import at_once, needs_postgresql, restore_data_from_migrations
from tests.factories import ActionItemFactory

pytestmark = [pytest.mark.django_db(transaction=True), needs_postgresql]


@pytest.fixture(autouse=True)
def _data_from_migrations(transactional_db):
    restore_data_from_migrations()


def test_two_updates_at_once_both_land_and_the_status_is_the_latest(owner_a, department_a):
    action = ActionItemFactory(owner=department_a)
    statuses = [Status.IN_PROGRESS, Status.BLOCKED]

    at_once(
        2,
        lambda n: action_post_update(
            action=action, by=owner_a, status=statuses[n], note=f"Update from owner {n}"
        ),
    )

    updates = list(StatusUpdate.objects.filter(action=action).order_by("created_at", "pk"))
    assert sorted(update.note for update in updates) == [
        "Update from owner 0",
        "Update from owner 1",
    ]
    action.refresh_from_db()
    assert action.status == updates[-1].status


def test_reminders_sent_twice_at_once_go_out_once(owner_a, department_a):
    ActionItemFactory(owner=department_a, due_date=datetime.date(2099, 1, 1))

    at_once(3, lambda n: reminders_send())

    assert ReminderSent.objects.count() == 1
    assert len(mail.outbox) == 1
