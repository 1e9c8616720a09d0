"""Following a workshop: consent recorded and withdrawn; personal data deleted when its time is
up. The report back: written, published (its followers told once) and reminded of."""

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.throttle import sign_in_records_delete
from feedback_site.emails import normalise_email
from feedback_site.jobs import enqueue_on_commit
from progress import reports
from progress.models import ReportNotice, ReportReminderSent, WorkshopReport
from workshops.models import Asker, Follower, Workshop
from workshops.services import workshops_progress_changed

logger = logging.getLogger(__name__)


def follower_confirm(
    *, workshop: Workshop, email: str, language: str = settings.LANGUAGE_CODE
) -> Follower:
    """Record consent to follow a workshop, and the language to write to them in; confirming
    again changes nothing."""
    now = timezone.now()
    follower, _ = Follower.objects.get_or_create(
        workshop=workshop,
        email=normalise_email(email),
        defaults={"consent_at": now, "digest_sent_up_to": now, "language": language},
    )
    return follower


def follower_unsubscribe(*, workshop: Workshop, email: str) -> bool:
    """Forget a follower entirely; whether they followed or not, they no longer do."""
    deleted, _ = Follower.objects.filter(workshop=workshop, email=normalise_email(email)).delete()
    return bool(deleted)


@dataclass(frozen=True)
class RetentionCleanUp:
    followers: int
    askers: int
    sign_in_records: int


@transaction.atomic
def retention_clean_up(*, now: datetime.datetime) -> RetentionCleanUp:
    """Delete the personal data the privacy notice says we no longer keep: followers' addresses
    after FOLLOWER_RETENTION_DAYS from their consent (an unconfirmed address is never stored and
    unsubscribing deletes at once), askers' addresses after ASKER_RETENTION_DAYS from theirs, and
    sign-in records after SIGN_IN_RECORD_RETENTION_DAYS."""
    followers, _ = Follower.objects.filter(
        consent_at__lt=now - datetime.timedelta(days=settings.FOLLOWER_RETENTION_DAYS)
    ).delete()
    askers, _ = Asker.objects.filter(
        consent_at__lt=now - datetime.timedelta(days=settings.ASKER_RETENTION_DAYS)
    ).delete()
    sign_in_records = sign_in_records_delete(
        before=now - datetime.timedelta(days=settings.SIGN_IN_RECORD_RETENTION_DAYS)
    )
    return RetentionCleanUp(followers=followers, askers=askers, sign_in_records=sign_in_records)


# --- The report back ---


def _progress_page_changed(workshop: Workshop) -> None:
    """The progress page says when the report is due, or links it: renew its cache."""
    workshops_progress_changed(workshops=Workshop.objects.filter(pk=workshop.pk))


@transaction.atomic
def report_save(
    *,
    workshop: Workshop,
    by,
    introduction: str,
    next_steps: str,
    moved_due_date: datetime.date | None,
) -> WorkshopReport:
    """Save the narrative the organisers write, and the report-back date if they moved it. A
    published report keeps showing what was published until it is published again."""
    report, _ = WorkshopReport.objects.select_for_update().get_or_create(workshop=workshop)
    report.introduction = introduction
    report.next_steps = next_steps
    report.moved_due_date = moved_due_date
    report.updated_by = by
    report.save()
    _progress_page_changed(workshop)
    return report


@transaction.atomic
def report_publish(*, workshop: Workshop, by, now: datetime.datetime | None = None):
    """Publish the report: its narrative and the figures as they are now, frozen. The first
    publication tells everyone who follows the workshop; publishing again updates the report
    and tells nobody again."""
    # Imported here: progress.tasks runs this module's services.
    from progress.tasks import report_published_tell

    now = now or timezone.now()
    report, _ = WorkshopReport.objects.select_for_update().get_or_create(workshop=workshop)
    report.published = {
        "introduction": report.introduction,
        "next_steps": report.next_steps,
        "figures": reports.report_figures(workshop, now),
    }
    report.published_at = now
    first_time = report.first_published_at is None
    if first_time:
        report.first_published_at = now
    report.updated_by = by
    report.save()
    _progress_page_changed(workshop)
    if first_time:
        enqueue_on_commit(report_published_tell, report_id=report.pk)
    return report


def report_published_tell_all(*, report: WorkshopReport) -> int:
    """Email each recipient of a published report that it is out, each once however often this
    runs: a recipient is recorded and emailed in one transaction, so a failed email is tried
    again on the job's next attempt and a sent one never is. Returns how many were emailed."""
    sent = 0
    for recipient in reports.report_recipients(report.workshop):
        try:
            with transaction.atomic(durable=True):
                ReportNotice.objects.create(
                    report=report, recipient_digest=reports.recipient_digest(recipient.email)
                )
                reports.report_published_email(report, recipient).send()
        except IntegrityError:
            continue
        sent += 1
    return sent


def report_reminders_send(*, today: datetime.date | None = None) -> list[ReportReminderSent]:
    """Remind the organisers of each published workshop whose report is not published yet, at
    the step that has come, once per step and period however often this runs."""
    today = today or timezone.localdate()
    workshops = Workshop.objects.published().select_related("report").order_by("pk")
    sent = []
    to = None  # the organisers' addresses, read once and only if a reminder is due
    for workshop in workshops:
        if reports.published_report(workshop):
            continue
        due_date = reports.report_due_date(workshop)
        found = reports.report_step_due(due_date, today)
        if found is None:
            continue
        step, period = found
        if to is None:
            to = reports.report_reminder_recipients()
        try:
            with transaction.atomic(durable=True):
                record = ReportReminderSent.objects.create(
                    workshop=workshop, step=step.step, period=period, recipients="\n".join(to)
                )
                for message in reports.report_reminder_emails(workshop, step, due_date, today, to):
                    message.send()
        except IntegrityError:
            continue
        except Exception:
            logger.exception("Report reminder %s for workshop %s not sent", step.step, workshop.pk)
            continue
        sent.append(record)
    return sent
