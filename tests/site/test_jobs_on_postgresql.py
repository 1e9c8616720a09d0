"""Faults with jobs on the durable backend, against real `db_worker` and scheduler processes:
a worker killed mid-job, and two schedulers and two workers for the same hour."""

import datetime
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from actions.models import ReminderSent
from actions.tasks import reminders_send_hourly
from feedback_site.jobs import enqueue_on_commit, requeue_abandoned
from feedback_site.models import ScheduledRun
from tests.concurrency import at_once, needs_postgresql
from tests.conftest import restore_data_from_migrations
from tests.factories import ActionItemFactory
from tests.jobs import DATABASE_TASKS

FAR_AHEAD = datetime.date(2099, 1, 1)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.jobs_queued, needs_postgresql]


@pytest.fixture(autouse=True)
def _jobs_in_the_test_database(transactional_db, settings):
    restore_data_from_migrations()
    settings.TASKS = DATABASE_TASKS


@pytest.fixture
def mail_file(tmp_path) -> Path:
    return tmp_path / "sent.txt"


def database_url_for_workers() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def worker(worker_id: str, mail_file: Path, *extra: str, hang_file: Path | None = None):
    """A `manage.py db_worker` process on the test database, sending mail to mail_file."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url_for_workers(),
        "TASKS_BACKEND": "database",
        "EMAIL_BACKEND": "tests.jobs.RecordingEmailBackend",
        "JOBS_TEST_MAIL_FILE": str(mail_file),
        "JOBS_TEST_HANG_FILE": str(hang_file or ""),
        "DEBUG": "true",
    }
    command = [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay"]
    return subprocess.Popen(
        [*command, "--interval", "0.1", "--worker-id", worker_id, *extra],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wait_for(condition, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def sent(mail_file: Path) -> list[str]:
    return mail_file.read_text().splitlines() if mail_file.exists() else []


def test_a_worker_killed_in_the_middle_of_a_job_leaves_it_to_another_which_completes_it_once(
    owner_a, department_a, mail_file, tmp_path
):
    ActionItemFactory(owner=department_a, due_date=FAR_AHEAD)  # its "assigned" email is due
    enqueue_on_commit(reminders_send_hourly)
    job = DBTaskResult.objects.get()
    hang = tmp_path / "hang"
    hang.touch()

    first = worker("first", mail_file, hang_file=hang)
    try:
        wait_for(Path(f"{hang}.reached").exists)  # mid-job: the reminder recorded, not committed
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
    finally:
        first.kill()
    hang.unlink()
    job.refresh_from_db()
    assert job.status == TaskResultStatus.RUNNING
    wait_for(lambda: not ReminderSent.objects.exists())  # the dead worker's transaction is gone
    assert sent(mail_file) == []

    assert requeue_abandoned(now=job.started_at + datetime.timedelta(hours=1)) == 1
    second = worker("second", mail_file, "--batch")
    output, _ = second.communicate(timeout=120)
    assert second.returncode == 0, output

    job.refresh_from_db()
    print(f"\nFIGURE: killed worker's job: workers {job.worker_ids}, status {job.status}")
    assert job.status == TaskResultStatus.SUCCESSFUL
    assert job.worker_ids == ["first", "second"]
    assert ReminderSent.objects.count() == 1
    assert [line.split("\t")[0] for line in sent(mail_file)] == [owner_a.email]


def test_two_schedulers_and_two_workers_for_the_same_hour_send_each_reminder_once(
    owner_a, department_a, mail_file
):
    actions = ActionItemFactory.create_batch(4, owner=department_a, due_date=FAR_AHEAD)

    at_once(2, lambda n: call_command("run_scheduler", "--once", stdout=io.StringIO()))
    workers = [worker(name, mail_file, "--batch") for name in ("one", "two")]
    for process in workers:
        output, _ = process.communicate(timeout=120)
        assert process.returncode == 0, output

    reminder_jobs = DBTaskResult.objects.filter(task_path=reminders_send_hourly.module_path)
    # The month's board pack is due too, on its own schedule: one email for the one member.
    lines = [line.split("\t") for line in sent(mail_file)]
    packs = [to for to, subject in lines if subject.startswith("Board pack for ")]
    emails = [to for to, subject in lines if not subject.startswith("Board pack for ")]
    print(
        f"\nFIGURE: 2 schedulers + 2 workers, one hour: {reminder_jobs.count()} reminders job, "
        f"{ReminderSent.objects.count()} reminders recorded, {len(emails)} emails"
    )
    assert ScheduledRun.objects.filter(job="reminders_send_hourly").count() == 1
    assert reminder_jobs.get().status == TaskResultStatus.SUCCESSFUL
    assert not DBTaskResult.objects.exclude(status=TaskResultStatus.SUCCESSFUL).exists()
    assert ReminderSent.objects.count() == len(actions)
    assert emails == [owner_a.email] * len(actions)
    assert packs == [owner_a.email]
