"""The report back on a workshop: its figures taken from the data (to preview, or to freeze when
published), who is told when it is published, and the reminders that it is due. Writing and
publishing it are progress.services' report_* functions."""

import datetime
import hashlib
from dataclasses import dataclass
from types import SimpleNamespace

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from actions.dates import default_due_date
from actions.models import Status, rollup_sentence
from actions.reminders import Step, organiser_addresses, when
from feedback_site.emails import normalise_email, subject_line
from progress.following import unsubscribe_path
from progress.models import WorkshopReport
from progress.selectors import workshop_progress
from workshops.askers import forget_path
from workshops.models import Asker, Follower, Workshop


def report_due_date(workshop: Workshop) -> datetime.date:
    """The workshop's report-back date: moved by an organiser, or 3 calendar months after it,
    the rule actions follow. Reads `workshop.report` (select_related it in lists)."""
    report = getattr(workshop, "report", None)
    return report.due_date if report else default_due_date(workshop.date)


def published_report(workshop: Workshop) -> WorkshopReport | None:
    report = getattr(workshop, "report", None)
    return report if report and report.is_published else None


# --- The figures ---


def _day(value: datetime.date | datetime.datetime | None) -> str | None:
    """A date, or the local day of a moment: the report shows days."""
    if isinstance(value, datetime.datetime):
        value = timezone.localdate(value)
    return value.isoformat() if value else None


def report_figures(workshop: Workshop, now: datetime.datetime | None = None) -> dict:
    """What was heard, what was done and the questions, from the public data only (what the
    progress page shows): plain JSON, so that publishing can freeze it."""
    now = now or timezone.now()
    progress = workshop_progress(workshop, today=timezone.localdate(now))
    return {
        "as_at": now.isoformat(),
        "contribution_count": progress.contribution_count,
        "status_counts": progress.status_counts,
        "overdue_count": progress.overdue_count,
        "areas": [
            {
                "name": section.name,
                "contribution_count": section.contribution_count,
                "themes": [
                    {
                        "name": theme.name,
                        "summary": theme.summary,
                        "contribution_count": theme.contribution_count,
                    }
                    for theme in section.themes
                ],
            }
            for section in progress.sections
        ],
        "actions": [
            {
                "title": action.title,
                "owner": action.owner.name,
                "area": action.area.name if action.area else "",
                "status": action.status,
                "due_date": _day(action.due_date),
                "first_promised_date": _day(action.first_promised_due_date),
                "latest_update_at": _day(action.latest_update_at),
                "latest_update_note": action.latest_update_note or "",
                "date_changes": [
                    {
                        "moved_at": _day(change.moved_at),
                        "new_date": _day(change.new_date),
                        "reason": change.reason,
                    }
                    for change in action.date_changes
                ],
                "cascade": {
                    "count": action.cascade_count,
                    "reported": action.cascade_reported,
                    "done": action.cascade_done,
                },
                "copies": [
                    {
                        "owner": copy.owner.name,
                        "status": copy.status,
                        "latest_update_at": _day(copy.latest_update_at),
                        "latest_update_note": copy.latest_update_note or "",
                    }
                    for copy in action.copies
                ],
            }
            for action in progress.actions
        ],
        "questions": [
            {
                "text": question.text,
                "closure": question.closure,
                "answer": question.answer,
                "closure_reason": question.closure_reason,
                "acknowledged": question.acknowledged_at is not None,
                "actions": [
                    {"title": action.title, "status": action.status}
                    for action in question.actions.all()
                ],
            }
            for question in progress.questions
        ],
    }


def _revive(value, key=""):
    """Figures as templates read them: dicts as attributes, dates as dates, statuses with their
    labels, roll-ups in words."""
    if isinstance(value, list):
        return [_revive(item) for item in value]
    if isinstance(value, dict):
        revived = {name: _revive(item, name) for name, item in value.items()}
        if isinstance(value.get("status"), str):
            revived["status_label"] = Status(value["status"]).label
        if "count" in value and "reported" in value:
            revived["sentence"] = rollup_sentence(**value) if value["count"] else ""
        return SimpleNamespace(**revived)
    if isinstance(value, str) and key == "as_at":
        return datetime.datetime.fromisoformat(value)
    if isinstance(value, str) and key.endswith(("_date", "_at")):
        return datetime.date.fromisoformat(value)
    return value


def readable(figures: dict):
    return _revive(figures)


# --- Who is told ---


@dataclass(frozen=True)
class Recipient:
    """An address told that the report is out, with the link that stops what it signed up for:
    a follower's unsubscribe, or an asker's deletion of the address they gave with a question."""

    email: str
    stop_path: str
    is_follower: bool
    language: str = settings.LANGUAGE_CODE


def report_recipients(workshop: Workshop) -> list[Recipient]:
    """Everyone told when the workshop's report is published, each address once: its followers
    and the askers who confirmed an address to hear what became of their question."""
    found = {}
    askers = Asker.objects.filter(question__group__workshop=workshop).select_related(
        "question__group__workshop"
    )
    for asker in askers.order_by("pk"):
        email = normalise_email(asker.email)
        found.setdefault(
            email, Recipient(email, forget_path(asker.question, email), False, asker.language)
        )
    followers = Follower.objects.filter(workshop=workshop).values_list("email", "language")
    for email, language in followers:
        email = normalise_email(email)
        found[email] = Recipient(email, unsubscribe_path(workshop, email), True, language)
    return [found[email] for email in sorted(found)]


def recipient_digest(email: str) -> str:
    return hashlib.sha256(normalise_email(email).encode()).hexdigest()


def report_published_email(report: WorkshopReport, recipient: Recipient) -> EmailMessage:
    """The email telling a recipient the report is out, in the language they confirmed in."""
    workshop = report.workshop
    context = {
        "workshop": workshop,
        "report_url": settings.SITE_URL + report.get_absolute_url(),
        "stop_url": settings.SITE_URL + recipient.stop_path,
        "is_follower": recipient.is_follower,
        "service_name": settings.SERVICE_NAME,
    }
    with translation.override(recipient.language):
        return EmailMessage(
            subject=subject_line(str(_("Report back on %(title)s") % {"title": workshop.title})),
            body=render_to_string("progress/email/report_published.txt", context),
            to=[recipient.email],
        )


# --- Reminders to the organisers ---

# Counted from the report-back date, while the report is not published: 14 days before, on the
# day, then every week from a week late. Subjects and messages may use {title}, {due_date},
# {days} (days late) and {when} ("in 14 days", "today").
REPORT_LADDER = [
    Step(
        step="report_due_in_14_days",
        anchor="due",
        days=-14,
        applies_while="unpublished",
        to=("organisers",),
        subject=_("Report back due {when}: {title}"),
        message=_(
            "The report back on this workshop is due on {due_date}. Write it and publish it so "
            "that everyone who took part hears what was done."
        ),
    ),
    Step(
        step="report_due_today",
        anchor="due",
        days=0,
        applies_while="unpublished",
        to=("organisers",),
        subject=_("Report back due {when}: {title}"),
        message=_("The report back on this workshop is due today, {due_date}. Publish it today."),
    ),
    Step(
        step="report_overdue",
        anchor="due",
        days=7,
        repeat_days=7,
        applies_while="unpublished",
        to=("organisers",),
        subject=_("Report back {days} days late: {title}"),
        message=_(
            "The report back on this workshop was due on {due_date} and is {days} days late. "
            "We will remind you every week until it is published."
        ),
    ),
]


def report_step_due(due_date: datetime.date, today: datetime.date) -> tuple[Step, str] | None:
    """The latest step that has come, with the period that makes it unique; earlier steps
    missed (the scheduler did not run) are skipped rather than sent in a burst."""
    latest = None
    for step in REPORT_LADDER:
        starts = due_date + datetime.timedelta(days=step.days)
        if today < starts:
            continue
        period = due_date.isoformat()
        if step.repeat_days:
            period += f"/{(today - starts).days // step.repeat_days}"
        latest = (step, period)
    return latest


def report_reminder_emails(
    workshop: Workshop, step: Step, due_date: datetime.date, today: datetime.date, to: list[str]
) -> list[EmailMessage]:
    """One plain-text email for each organiser, so nobody sees the others' addresses."""
    days_late = (today - due_date).days
    values = {
        "title": workshop.title,
        "due_date": f"{due_date:%-d %B %Y}",
        "days": days_late,
        "when": when(days_late),
    }
    body = render_to_string(
        "progress/email/report_reminder.txt",
        {
            "message": str(step.message).format(**values),
            "workshop": workshop,
            "url": settings.SITE_URL
            + reverse("progress:report_edit", kwargs={"slug": workshop.slug}),
            "service_name": settings.SERVICE_NAME,
        },
    )
    subject = subject_line(str(step.subject).format(**values))
    return [EmailMessage(subject=subject, body=body, to=[address]) for address in to]


def report_reminder_recipients() -> list[str]:
    return sorted(organiser_addresses())
