"""Jobs for tests of the job plumbing, and a failed job made the way a worker records one."""

from django.conf import settings
from django_tasks_db.models import DBTaskResult

from feedback_site.jobs import job
from feedback_site.models import FailedJob
from tests.conftest import run_queued_job


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
