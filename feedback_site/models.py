"""The job plumbing's own records: which scheduled job was queued for which period, and the
failed jobs shown to organisers."""

from django.db import models
from django.tasks.base import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult


class ScheduledRun(models.Model):
    """One scheduled job queued for one period (an hour or a day); unique, so that however many
    schedulers run, each job is queued once per period."""

    job = models.CharField(max_length=100)
    period = models.CharField(max_length=20, help_text="The local hour or day it was queued for.")
    queued_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-queued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["job", "period"], name="scheduled_run_once_per_period")
        ]

    def __str__(self):
        return f"{self.job} for {self.period}"


class FailedJobManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(status=TaskResultStatus.FAILED)


class FailedJob(DBTaskResult):
    """A background job whose attempt failed, with its error: what organisers see in the admin."""

    objects = FailedJobManager()

    class Meta:
        proxy = True
        ordering = ["-finished_at"]
        verbose_name = "failed background job"
        verbose_name_plural = "failed background jobs"

    def __str__(self):
        return f"{self.task_name} failed at {self.finished_at:%d %B %Y %H:%M}"

    @property
    def attempt(self) -> int:
        return int(self.args_kwargs.get("kwargs", {}).get("attempt", 1))

    @property
    def error(self) -> str:
        """The exception's last line, e.g. "ConnectionRefusedError: [Errno 111] ..."."""
        lines = [line for line in self.traceback.splitlines() if line.strip()]
        return lines[-1] if lines else self.exception_class_path
