"""Which rung of the reminder ladder (LADDER, below) each action has reached, to whom
it goes and what it says. Sending and recording is actions.services.reminders_send."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts.roles import ORGANISERS
from actions.models import CLOSED_STATUSES, ActionItem, Organisation
from feedback_site.emails import subject_line


@dataclass(frozen=True)
class Step:
    step: str
    anchor: str
    days: int
    applies_while: str
    to: tuple[str, ...]
    subject: str
    message: str
    repeat_days: int | None = None


# The reminder ladder: every email `manage.py send_reminders` sends, in one place. Each step
# counts `days` from the day the action was assigned to its organisation ("assigned") or from its
# due date ("due"); it applies while the action is "awaiting_acceptance" or "open" (not done or
# won't do), and a step with `repeat_days` is sent again that often. Of the steps on one track,
# only the latest that has come is sent, once. Recipients: "members" of the owning organisation,
# the "accountable" person (the members until one is named), their "deputy", the "organisers"
# and the "area_owner" (members of the area's default owner). Subjects and messages may use
# {title}, {owner}, {due_date}, {days} (days overdue) and {when} ("in 14 days", "today", ...).
LADDER = [
    Step(
        step="assigned",
        anchor="assigned",
        days=0,
        applies_while="awaiting_acceptance",
        to=("members",),
        subject=_("New action for {owner}: {title}"),
        message=_(
            "{owner} has been given a new action. Accept it to name who is accountable for it, "
            "and confirm it can be done by {due_date} or propose another date."
        ),
    ),
    Step(
        step="not_accepted_7",
        anchor="assigned",
        days=7,
        applies_while="awaiting_acceptance",
        to=("members",),
        subject=_("Action waiting for you to accept it: {title}"),
        message=_("{owner} was given this action a week ago and has not accepted it yet."),
    ),
    Step(
        step="not_accepted_14",
        anchor="assigned",
        days=14,
        applies_while="awaiting_acceptance",
        to=("organisers",),
        subject=_("Action not accepted after 14 days: {title}"),
        message=_("{owner} has not accepted this action 14 days after it was assigned."),
    ),
    Step(
        step="due_in_14_days",
        anchor="due",
        days=-14,
        applies_while="open",
        to=("accountable",),
        subject=_("Action due {when}: {title}"),
        message=_("This action is due on {due_date}. Post an update to say how it is going."),
    ),
    Step(
        step="due_today",
        anchor="due",
        days=0,
        applies_while="open",
        to=("accountable",),
        subject=_("Action due {when}: {title}"),
        message=_(
            "The due date for this action is {due_date} ({when}). Post an update to say whether "
            "it is done."
        ),
    ),
    Step(
        step="overdue_7_days",
        anchor="due",
        days=7,
        applies_while="open",
        to=("accountable", "deputy"),
        subject=_("Action {days} days overdue: {title}"),
        message=_(
            "This action was due on {due_date} and is {days} days overdue. Post an update to say "
            "what is happening."
        ),
    ),
    Step(
        step="overdue_escalation",
        anchor="due",
        days=30,
        repeat_days=7,
        applies_while="open",
        to=("organisers", "area_owner"),
        subject=_("Action {days} days overdue: {title}"),
        message=_(
            "This action, owned by {owner}, was due on {due_date} and is {days} days overdue. We "
            "will remind you every week until it is updated as done or won't do."
        ),
    ),
]


def ladder() -> list[Step]:
    return LADDER


@dataclass(frozen=True)
class Due:
    """A step that has come for an action, and the period that makes it unique."""

    action: ActionItem
    step: Step
    period: str
    today: datetime.date


def anchor_date(action: ActionItem, anchor: str) -> datetime.date:
    if anchor == "assigned":
        return timezone.localdate(action.assigned_at)
    if anchor == "due":
        return action.due_date
    raise ValueError(f"Unknown reminder anchor {anchor!r}")


def applies(action: ActionItem, step: Step) -> bool:
    if action.status in CLOSED_STATUSES:
        return False
    if step.applies_while == "awaiting_acceptance":
        return action.is_awaiting_acceptance
    if step.applies_while == "open":
        return True
    raise ValueError(f"Unknown reminder condition {step.applies_while!r}")


def due_steps(action: ActionItem, today: datetime.date) -> list[Due]:
    """On each track, the latest step that has come. Earlier ones missed (the action arrived
    late, or the command did not run) are skipped rather than sent in a burst."""
    latest: dict[str, Due] = {}
    for step in sorted(ladder(), key=lambda step: step.days):
        anchor = anchor_date(action, step.anchor)
        starts = anchor + datetime.timedelta(days=step.days)
        if today < starts or not applies(action, step):
            continue
        period = anchor.isoformat()
        if step.repeat_days:
            period += f"/{(today - starts).days // step.repeat_days}"
        latest[step.anchor] = Due(action, step, period, today)
    return list(latest.values())


def organisation_addresses(organisation: Organisation | None) -> set[str]:
    if organisation is None:
        return set()
    emails = set(organisation.acting_members().values_list("email", flat=True))
    if not emails and organisation.contact_email:
        emails.add(organisation.contact_email)
    return emails


def organiser_addresses() -> set[str]:
    return set(
        get_user_model()
        .objects.filter(Q(groups__name=ORGANISERS) | Q(is_superuser=True), is_active=True)
        .values_list("email", flat=True)
    )


def recipients(action: ActionItem, step: Step) -> list[str]:
    """Email addresses for a step, each once."""
    emails: set[str] = set()
    for who in step.to:
        if who == "members":
            emails |= organisation_addresses(action.owner)
        elif who == "accountable":
            if action.accountable and action.accountable.is_active:
                emails.add(action.accountable.email)
            else:
                emails |= organisation_addresses(action.owner)
        elif who == "deputy":
            if action.deputy and action.deputy.is_active:
                emails.add(action.deputy.email)
        elif who == "organisers":
            emails |= organiser_addresses()
        elif who == "area_owner":
            emails |= organisation_addresses(action.area.default_owner)
        else:
            raise ValueError(f"Unknown reminder recipient {who!r}")
    return sorted(emails)


def when(days_overdue: int) -> str:
    """The due date relative to today, in words: "in 14 days", "today", "3 days ago"."""
    if days_overdue == 0:
        return gettext("today")
    count = abs(days_overdue)
    if days_overdue < 0:
        return ngettext("in %(count)d day", "in %(count)d days", count) % {"count": count}
    return ngettext("%(count)d day ago", "%(count)d days ago", count) % {"count": count}


def build_emails(due: Due, to: list[str]) -> list[EmailMessage]:
    """One plain-text email for each recipient, so nobody sees the others' addresses."""
    action = due.action
    days_overdue = (due.today - action.due_date).days
    values = {
        "title": action.title,
        "owner": action.owner.name,
        "due_date": date_format(action.due_date),
        "days": days_overdue,
        "when": when(days_overdue),
    }
    body = render_to_string(
        "actions/email/reminder.txt",
        {
            "message": due.step.message.format(**values),
            "action": action,
            "url": settings.SITE_URL + action.get_absolute_url(),
            "service_name": gettext(settings.SERVICE_NAME),
        },
    )
    subject = subject_line(due.step.subject.format(**values))
    return [EmailMessage(subject=subject, body=body, to=[address]) for address in to]
