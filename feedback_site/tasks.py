"""The job plumbing's own daily clean-up."""

import datetime

from django.conf import settings
from django.tasks.base import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from feedback_site.jobs import job, scheduled
from feedback_site.models import ScheduledRun


@scheduled(every="day")
@job
def job_records_clean_up_daily() -> dict:
    """Delete finished jobs' records, and the schedulers' records of runs, older than
    JOBS_KEEP_DAYS; jobs waiting or running are never touched."""
    cutoff = timezone.now() - datetime.timedelta(days=settings.JOBS_KEEP_DAYS)
    finished = DBTaskResult.objects.filter(
        status__in=[TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED], finished_at__lt=cutoff
    ).delete()[0]
    runs = ScheduledRun.objects.filter(queued_at__lt=cutoff).delete()[0]
    return {"jobs": finished, "scheduled_runs": runs}
