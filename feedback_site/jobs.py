"""Background jobs: how a job is declared, queued after the change that causes it, retried,
scheduled once per period and recovered when its worker dies.

Jobs run on Django's tasks framework. Production uses django-tasks-db's database backend
(TASKS_BACKEND=database) with `manage.py db_worker`; locally and in tests Django's immediate
backend runs each job as soon as the change that queued it commits."""

import datetime
import functools
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, router, transaction
from django.tasks import task
from django.tasks.base import TaskResultStatus
from django.utils import timezone, translation
from django.utils.module_loading import autodiscover_modules
from django_tasks_db import DatabaseBackend

logger = logging.getLogger(__name__)


def job(function=None, *, attempts: int | None = None, first_retry_after: int | None = None):
    """Declare a background job: a task that, when it fails on a backend that can defer work,
    queues its next attempt after a delay that doubles each time (first_retry_after seconds,
    then twice that, ...), up to `attempts` in all. Each failed attempt is recorded with its
    error; the last one stays failed for the organisers to see. Jobs must be idempotent: an
    attempt may fail after doing part of its work, and a job whose worker died is run again."""

    def declare(function):
        @functools.wraps(function)
        def attempt_once(*args, attempt: int = 1, language: str | None = None, **kwargs):
            try:
                # Emails are written in the language of the page that asked for them.
                with translation.override(language or settings.LANGUAGE_CODE):
                    return function(*args, **kwargs)
            except Exception:
                again = {**kwargs, "language": language} if language else kwargs
                _retry_later(declared, args, again, attempt, attempts, first_retry_after)
                raise

        declared = task(attempt_once)
        return declared

    return declare(function) if function is not None else declare


def retry_delay(attempt: int, first_retry_after: int | None = None) -> datetime.timedelta:
    """How long to wait before the attempt after `attempt`: doubling from the first delay."""
    first = first_retry_after if first_retry_after is not None else settings.JOBS_FIRST_RETRY_AFTER
    return datetime.timedelta(seconds=first * 2 ** (attempt - 1))


def _retry_later(declared, args, kwargs, attempt, attempts, first_retry_after) -> None:
    attempts = attempts if attempts is not None else settings.JOBS_ATTEMPTS
    if attempt >= attempts:
        logger.error(
            "Job %s failed on attempt %s of %s: giving up", declared.name, attempt, attempts
        )
        return
    if not runs_in_background(declared):
        # The immediate backend runs a job inside the request that queued it: no waiting there.
        logger.warning("Job %s failed; this backend cannot retry it later", declared.name)
        return
    run_after = timezone.now() + retry_delay(attempt, first_retry_after)
    declared.using(run_after=run_after).enqueue(*args, attempt=attempt + 1, **kwargs)
    logger.warning(
        "Job %s failed on attempt %s of %s: next attempt after %s",
        declared.name,
        attempt,
        attempts,
        run_after.isoformat(),
    )


def is_transactional(declared) -> bool:
    """True when queueing the job writes a row in the service's own database, so the job is
    queued in the same transaction as the change that causes it."""
    backend = declared.get_backend()
    if not isinstance(backend, DatabaseBackend):
        return False
    from django_tasks_db.models import DBTaskResult

    return router.db_for_write(DBTaskResult) == router.db_for_write(settings.AUTH_USER_MODEL)


def enqueue_on_commit(declared, /, *args, **kwargs) -> None:
    """Queue a job as part of the current change: it runs only if the change commits, never if
    it rolls back. On the database backend the job's row is written in the same transaction;
    on any other backend the job is queued once the transaction has committed. A job queued
    while a page is shown in another language than the default runs in that language."""
    if (language := translation.get_language()) and language != settings.LANGUAGE_CODE:
        kwargs["language"] = language
    if is_transactional(declared):
        declared.enqueue(*args, **kwargs)
    else:
        transaction.on_commit(functools.partial(declared.enqueue, *args, **kwargs), robust=True)


def runs_in_background(declared) -> bool:
    """Whether a job queued now waits for a worker, rather than running in the caller."""
    return declared.get_backend().supports_defer


# --- Jobs queued once for many changes ---

# The slot each coalesced job was last queued for by this process: later changes in the same
# slot skip even the database check.
_queued_slots: dict[str, str] = {}


def enqueue_once_per_slot(declared, /, *, seconds: int, now=None) -> None:
    """Queue a job (taking no arguments) once the current change commits, at most once in each
    slot of `seconds`, to run when its slot ends: a burst of changes (a triage session) queues
    one run for each slot it spans, not one for each change, and each run sees every change of
    its slot. On a backend that cannot defer (immediate) the first change of a slot runs it."""
    now = now or timezone.now()
    start = int(now.timestamp()) // seconds * seconds
    slot_start = datetime.datetime.fromtimestamp(start, tz=datetime.UTC)
    period = f"{timezone.localtime(slot_start):%Y-%m-%dT%H:%M:%S}"
    if _queued_slots.get(declared.name) == period:
        return
    run_after = slot_start + datetime.timedelta(seconds=seconds)
    transaction.on_commit(
        functools.partial(_enqueue_for_slot, declared, period, run_after), robust=True
    )


def _enqueue_for_slot(declared, period: str, run_after: datetime.datetime) -> None:
    from feedback_site.models import ScheduledRun

    if _queued_slots.get(declared.name) == period:
        return
    _queued_slots[declared.name] = period
    try:
        with transaction.atomic():
            ScheduledRun.objects.create(job=declared.name, period=period)
    except IntegrityError:
        return  # another process queued it for this slot
    if runs_in_background(declared):
        declared = declared.using(run_after=run_after)
    declared.enqueue()


# --- Scheduled jobs ---


@dataclass(frozen=True)
class Schedule:
    name: str
    every: str  # "hour", "day" or "month"
    declared: object

    def period(self, now: datetime.datetime) -> str:
        """The period `now` falls in, as stored on ScheduledRun: local hour, day or month."""
        return f"{timezone.localtime(now):{PERIODS[self.every]}}"


SCHEDULE: dict[str, Schedule] = {}
# Each period's name on ScheduledRun, as a format of the local time.
PERIODS = {"hour": "%Y-%m-%dT%H", "day": "%Y-%m-%d", "month": "%Y-%m"}


def scheduled(*, every: str):
    """Register a job (taking no arguments) to be queued once every hour, day or month by
    `manage.py run_scheduler`."""
    if every not in PERIODS:
        raise ValueError(f"every must be one of {tuple(PERIODS)}, not {every!r}")

    def register(declared):
        SCHEDULE[declared.name] = Schedule(name=declared.name, every=every, declared=declared)
        return declared

    return register


def load_schedule() -> dict[str, Schedule]:
    """Every app's scheduled jobs: each app declares them in its own tasks module."""
    autodiscover_modules("tasks")
    return SCHEDULE


def schedule_tick(*, now: datetime.datetime | None = None) -> list[str]:
    """Queue each scheduled job whose period has no run yet, and put back on the queue jobs
    whose worker died. Safe to run from several schedulers at once: the first to record a
    (job, period) queues it, the others find the record and skip it. Returns the jobs queued."""
    from feedback_site.models import ScheduledRun

    now = now or timezone.now()
    queued = []
    for schedule in load_schedule().values():
        period = schedule.period(now)
        if ScheduledRun.objects.filter(job=schedule.name, period=period).exists():
            continue
        try:
            with transaction.atomic():
                ScheduledRun.objects.create(job=schedule.name, period=period)
                enqueue_on_commit(schedule.declared)
        except IntegrityError:
            continue
        queued.append(schedule.name)
    requeue_abandoned(now=now)
    return queued


def requeue_abandoned(*, now: datetime.datetime | None = None) -> int:
    """Put back on the queue jobs that have been running longer than JOBS_RUNNING_TIMEOUT: their
    worker was killed or its machine lost, and no other worker would ever take them. Returns how
    many were put back. A job still running that long is run twice, which jobs must tolerate."""
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    cutoff = now - datetime.timedelta(seconds=settings.JOBS_RUNNING_TIMEOUT)
    abandoned = DBTaskResult.objects.running().filter(started_at__lt=cutoff)
    count = abandoned.update(status=TaskResultStatus.READY)
    if count:
        logger.warning("Put %s abandoned jobs back on the queue", count)
    return count
