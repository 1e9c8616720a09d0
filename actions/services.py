import datetime
import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from actions import reminders
from actions.dates import default_due_date
from actions.models import (
    ActionItem,
    ActionSource,
    DueDateChange,
    Organisation,
    QuestionsReminderSent,
    ReminderSent,
    Status,
    StatusUpdate,
)
from workshops.models import Area, Contribution, Theme, Workshop
from workshops.services import MixedWorkshopsError, question_route, workshops_progress_changed


class NoOwnerError(ValueError):
    pass


@transaction.atomic
def action_create(
    *,
    workshop: Workshop,
    area: Area,
    title: str,
    by=None,
    owner: Organisation | None = None,
    due_date: datetime.date | None = None,
    description: str = "",
    theme: Theme | None = None,
    contributions: Iterable[Contribution] = (),
) -> ActionItem:
    """Create an action owned by the area's default owner and due 3 months after the workshop,
    unless told otherwise, linked to the contributions it came from."""
    owner = owner or area.default_owner
    if owner is None:
        raise NoOwnerError(f"Choose an owner: {area} has no default owner")
    contributions = list(contributions)
    sources = Contribution.objects.filter(pk__in=[c.pk for c in contributions])
    if sources.exclude(group__workshop=workshop).exists():
        raise MixedWorkshopsError("An action's source contributions must come from its workshop.")
    due_date = due_date or default_due_date(workshop.date)
    action = ActionItem(
        workshop=workshop,
        area=area,
        title=title,
        description=description,
        owner=owner,
        due_date=due_date,
        original_due_date=due_date,
        theme=theme,
        created_by=by,
    )
    action._history_user = by
    action.save()
    ActionSource.objects.bulk_create(
        ActionSource(action=action, contribution=contribution) for contribution in contributions
    )
    for question in sources.questions_open():
        question_route(question=question, by=by)
    return action


@transaction.atomic
def action_post_update(
    *,
    action: ActionItem,
    by,
    status: str,
    note: str = "",
    new_due_date: datetime.date | None = None,
    reason: str = "",
    at: datetime.datetime | None = None,
) -> StatusUpdate:
    """Append a status update; the action's status is always its latest update's. A new due
    date is kept as a due-date change, with the reason (the note if no reason is given)."""
    if new_due_date is not None and not (reason or note).strip():
        raise ValueError("Give a reason for the new due date")
    locked = ActionItem.objects.select_for_update().get(pk=action.pk)
    update = StatusUpdate.objects.create(
        action=locked,
        author=by,
        status=Status(status),
        note=note,
        new_due_date=new_due_date,
        created_at=at or timezone.now(),
    )
    locked.status = locked.updates.latest().status
    if new_due_date is not None and new_due_date != locked.due_date:
        DueDateChange.objects.create(
            action=locked,
            old_date=locked.due_date,
            new_date=new_due_date,
            reason=reason or note,
            state=DueDateChange.State.MADE,
            by=by,
            at=update.created_at,
            update=update,
        )
        locked.due_date = new_due_date
    locked._history_user = by
    locked.save(update_fields=["status", "due_date", "updated_at"])
    action.status, action.due_date = locked.status, locked.due_date
    return update


@transaction.atomic
def action_cascade(*, action: ActionItem, owners: Iterable[Organisation], by) -> list[ActionItem]:
    """Cascade an action to organisations: each gets its own copy, due the same day, to report
    on; an organisation that already has one gets no second."""
    already = set(action.children.values_list("owner_id", flat=True))
    children = [
        ActionItem(
            workshop_id=action.workshop_id,
            area_id=action.area_id,
            title=action.title,
            description=action.description,
            owner=owner,
            due_date=action.due_date,
            original_due_date=action.due_date,
            theme_id=action.theme_id,
            parent=action,
            created_by=by,
        )
        for owner in owners
        if owner.pk not in already
    ]
    workshops_progress_changed(workshops=Workshop.objects.filter(pk=action.workshop_id))
    return bulk_create_with_history(
        children, ActionItem, default_user=by, default_change_reason=f"Cascaded from {action}"
    )


class AlreadyAccepted(ValueError):
    pass


@transaction.atomic
def action_accept(
    *,
    action: ActionItem,
    by,
    accountable,
    deputy,
    proposed_due_date: datetime.date | None = None,
    reason: str = "",
) -> ActionItem:
    """Accept an action for its organisation, naming who is accountable and their deputy, and
    optionally propose another due date for the organisers to decide on."""
    locked = ActionItem.objects.select_for_update().get(pk=action.pk)
    if locked.accepted_at is not None:
        raise AlreadyAccepted(f"{locked.owner} has already accepted this action")
    members = locked.owner.acting_members()
    if not {accountable.pk, deputy.pk} <= set(members.values_list("pk", flat=True)):
        raise ValueError("The accountable person and deputy must act for the organisation")
    if accountable.pk == deputy.pk:
        raise ValueError("The deputy must be someone other than the accountable person")
    now = timezone.now()
    locked.accepted_at, locked.accepted_by = now, by
    locked.accountable, locked.deputy = accountable, deputy
    locked.save(update_fields=["accepted_at", "accepted_by", "accountable", "deputy", "updated_at"])
    if proposed_due_date is not None and proposed_due_date != locked.due_date:
        DueDateChange.objects.create(
            action=locked,
            old_date=locked.due_date,
            new_date=proposed_due_date,
            reason=reason,
            state=DueDateChange.State.PROPOSED,
            by=by,
            at=now,
        )
    for name in ("accepted_at", "accepted_by", "accountable", "deputy"):
        setattr(action, name, getattr(locked, name))
    return action


@transaction.atomic
def due_date_decide(*, proposal: DueDateChange, by, approve: bool, note: str = "") -> DueDateChange:
    """Approve a proposed due date, moving the action's date, or reject it."""
    action = ActionItem.objects.select_for_update().get(pk=proposal.action_id)
    proposal = DueDateChange.objects.select_for_update().get(pk=proposal.pk)
    if proposal.state != DueDateChange.State.PROPOSED:
        raise ValueError("This proposal has already been decided")
    proposal.decided_by, proposal.decided_at, proposal.decision_note = by, timezone.now(), note
    if approve:
        proposal.state = DueDateChange.State.APPROVED
        # The date may have moved since the proposal was made; the change starts from today's.
        proposal.old_date = action.due_date
        action.due_date = proposal.new_date
        action.save(update_fields=["due_date", "updated_at"])
    else:
        proposal.state = DueDateChange.State.REJECTED
    proposal.save()
    return proposal


logger = logging.getLogger(__name__)


def reminders_send(*, today: datetime.date | None = None) -> list[ReminderSent]:
    """Send every reminder step that has come and was not sent before, and record each one.
    Safe to run often and at the same time as itself: a step is recorded once per period."""
    today = today or timezone.localdate()
    actions = ActionItem.objects.open().select_related(
        "owner", "area__default_owner", "accountable", "deputy"
    )
    already = set(
        ReminderSent.objects.filter(action__in=actions).values_list("action_id", "step", "period")
    )
    sent = []
    for action in actions:
        for due in reminders.due_steps(action, today):
            if (action.pk, due.step.step, due.period) in already:
                continue
            try:
                record = reminder_send(due=due)
            except Exception:
                logger.exception("Reminder %s for action %s not sent", due.step.step, action.pk)
                continue
            if record is not None:
                sent.append(record)
    return sent


def reminder_send(*, due: reminders.Due) -> ReminderSent | None:
    """Record one step and send its emails in one transaction; None if it was already sent."""
    to = reminders.recipients(due.action, due.step)
    try:
        # The emails go out before the record commits: a failed send leaves no record, so the
        # next run tries again, and a concurrent run waits on the unique record, then skips it.
        with transaction.atomic(durable=True):
            record = ReminderSent.objects.create(
                action=due.action, step=due.step.step, period=due.period, recipients="\n".join(to)
            )
            for message in reminders.build_emails(due, to):
                message.send()
    except IntegrityError:
        return None
    return record


def overdue_questions_remind(*, today: datetime.date | None = None) -> QuestionsReminderSent | None:
    """Once a day, email the organisers the questions waiting past their deadline for an
    acknowledgement or an answer; None when there are none or today's email was sent."""
    today = today or timezone.localdate()
    questions = list(
        Contribution.objects.questions_overdue(today)
        .select_related("group__workshop")
        .order_by("entered_at", "pk")
    )
    to = sorted(reminders.organiser_addresses())
    if not questions or not to:
        return None
    count = len(questions)
    subject = f"{count} question{'' if count == 1 else 's'} waiting too long for an answer"
    body = render_to_string(
        "actions/email/questions_overdue.txt",
        {
            "questions": [(question, question.days_waiting(today)) for question in questions],
            "url": settings.SITE_URL + reverse("admin:workshops_openquestion_changelist"),
            "service_name": settings.SERVICE_NAME,
        },
    )
    try:
        with transaction.atomic(durable=True):
            record = QuestionsReminderSent.objects.create(
                day=today, question_count=count, recipients="\n".join(to)
            )
            for address in to:
                EmailMessage(subject=subject, body=body, to=[address]).send()
    except IntegrityError:
        return None
    return record
