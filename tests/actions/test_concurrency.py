"""Owners, and cron runs, acting at the same moment: nothing is lost or doubled."""

import datetime
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from actions.models import QuestionsReminderSent, ReminderSent, Status, StatusUpdate
from actions.services import action_post_update
from tests.concurrency import at_once, needs_postgresql
from tests.conftest import restore_data_from_migrations
from tests.factories import ActionItemFactory, ContributionFactory, WorkshopFactory
from workshops.models import ContributionKind, Follower

FAR_AHEAD = datetime.date(2099, 1, 1)

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


RUNS = 3


def test_send_reminders_run_three_times_at_once_sends_each_reminder_once(
    organiser, owner_a, department_a
):
    actions = ActionItemFactory.create_batch(4, owner=department_a, due_date=FAR_AHEAD)
    ContributionFactory(
        kind=ContributionKind.QUESTION, entered_at=timezone.now() - datetime.timedelta(days=60)
    )

    at_once(RUNS, lambda n: call_command("send_reminders", stdout=io.StringIO()))

    sent = len(mail.outbox)
    print(f"\nFIGURE: send_reminders: {RUNS} runs at once, 4 actions + 1 question = {sent} emails")
    assert ReminderSent.objects.count() == len(actions)
    assert QuestionsReminderSent.objects.count() == 1
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [owner_a.email] * len(actions) + [organiser.email]
    )


def test_send_digests_run_three_times_at_once_sends_each_follower_one_digest():
    workshop = WorkshopFactory(is_published=True)
    long_ago = timezone.now() - datetime.timedelta(days=1)
    followers = [
        Follower.objects.create(
            workshop=workshop,
            email=f"follower{n}@example.com",
            consent_at=long_ago,
            digest_sent_up_to=long_ago,
        )
        for n in range(5)
    ]
    action_post_update(
        action=ActionItemFactory(workshop=workshop), by=None, status=Status.IN_PROGRESS
    )

    at_once(RUNS, lambda n: call_command("send_digests", stdout=io.StringIO()))

    sent = len(mail.outbox)
    print(f"\nFIGURE: send_digests: {RUNS} runs at once x {len(followers)} followers = {sent} sent")
    assert sorted(message.to[0] for message in mail.outbox) == sorted(f.email for f in followers)
