"""Two owners acting on the same action at the same moment: nothing is lost or doubled."""

import datetime
import threading
from importlib import import_module

import pytest
from django.apps import apps
from django.core import mail
from django.db import connection

from actions.models import ReminderSent, Status, StatusUpdate
from actions.services import action_post_update, reminders_send
from tests.factories import ActionItemFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite has no row locks: run with DATABASE_URL set to PostgreSQL",
    ),
]


@pytest.fixture(autouse=True)
def _data_from_migrations(transactional_db):
    """The database is emptied after each transactional test: put back the areas and roles."""
    import_module("actions.migrations.0003_default_organisations").create_default_owners(apps, None)
    import_module("workshops.migrations.0002_areas").create_areas(apps, None)
    import_module("workshops.migrations.0003_roles").assign_role_permissions(apps)


def at_once(count, work):
    barrier = threading.Barrier(count)
    results, errors = [], []

    def run(n):
        try:
            barrier.wait()
            results.append(work(n))
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return results


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
