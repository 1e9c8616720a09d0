"""Jobs for tests of the job plumbing, and a failed job made the way a worker records one."""

import os
import time
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django_tasks_db.models import DBTaskResult

from feedback_site.jobs import job
from feedback_site.models import FailedJob
from tests.conftest import run_queued_job

# Jobs wait in the test database for a worker, as in production.
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Jobs run at once, in the code that queues them, as locally.
IMMEDIATE_TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


class MailServerDown(ConnectionRefusedError):
    pass


@job
def mail_server_down(*, to: str) -> None:
    raise MailServerDown(f"Could not reach the mail server to email {to}")


def failed_job(*, to: str = "someone@example.com") -> FailedJob:
    """A job on its last attempt, queued in the database and run by the worker's own code until
    it failed, so its record is exactly what organisers would find."""
    queued = DBTaskResult.objects.create(
        task_path=mail_server_down.module_path,
        args_kwargs={"args": [], "kwargs": {"to": to, "attempt": settings.JOBS_ATTEMPTS}},
        backend_name="default",
    )
    run_queued_job(queued.id)
    return FailedJob.objects.get(pk=queued.pk)


class RecordingEmailBackend(BaseEmailBackend):
    """For worker processes started by tests: appends each message's recipients and subject to
    the file JOBS_TEST_MAIL_FILE names. While the file JOBS_TEST_HANG_FILE names exists, it
    touches "<that file>.reached" and hangs instead, as a worker stuck mid-job would."""

    def send_messages(self, email_messages):
        hang = os.environ.get("JOBS_TEST_HANG_FILE")
        if hang and os.path.exists(hang):
            Path(f"{hang}.reached").touch()
            time.sleep(120)
        with open(os.environ["JOBS_TEST_MAIL_FILE"], "a") as sent:
            for message in email_messages:
                sent.write(f"{','.join(message.to)}\t{message.subject}\n")
        return len(email_messages)
