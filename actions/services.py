import datetime
import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.defaultfilters import date as format_date
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_create_with_history

from accounts.roles import is_organiser
from actions import reminders
from actions.dates import default_due_date
from actions.models import (
    ActionItem,
    ActionSource,
    BoardPackSent,
    DueDateChange,
    Organisation,
    QuestionsReminderSent,
    ReminderSent,
    Status,
    StatusUpdate,
)
from actions.packs import board_pack, pack_file
from feedback_site.emails import subject_line
from workshops.models import Area, Contribution, Theme, Workshop
from workshops.services import (
    MixedWorkshopsError,
    QuestionClosureError,
    question_answer,
    question_answer_propose,
    question_route,
    workshops_progress_changed,
)


class NoOwnerError(ValueError):
    pass


class Refused(ValueError):
    """A write the rules refuse, naming the form field it is about (None for the whole form)."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


NOTHING_CHANGED = _("Select a new status, add a note or propose a new due date")


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
    sources_check(workshop=workshop, contributions=contributions)
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
    _route_questions(contributions, by=by)
    return action


def sources_check(*, workshop: Workshop, contributions: Iterable[Contribution]) -> None:
    """Refuse contributions from another workshop than the action's."""
    pks = [contribution.pk for contribution in contributions]
    if Contribution.objects.filter(pk__in=pks).exclude(group__workshop=workshop).exists():
        raise MixedWorkshopsError("An action's source contributions must come from its workshop.")


def _route_questions(contributions: Iterable[Contribution], *, by) -> None:
    """A question that becomes an action's source is routed: it follows that action from now."""
    pks = [contribution.pk for contribution in contributions]
    for question in Contribution.objects.filter(pk__in=pks).questions_open():
        question_route(question=question, by=by)


@transaction.atomic
def action_sources_add(
    *, action: ActionItem, contributions: Iterable[Contribution], by
) -> list[ActionSource]:
    """Link more contributions to an action as what it came from, routing any open question."""
    contributions = list(contributions)
    sources_check(workshop=action.workshop, contributions=contributions)
    # One save each, not a bulk create: the public page's cache hears of every new link.
    links = [
        ActionSource.objects.create(action=action, contribution=contribution)
        for contribution in contributions
    ]
    _route_questions(contributions, by=by)
    return links


def routed_questions(action: ActionItem):
    """The questions routed to an action, in the order they were asked, for its owners to
    answer."""
    return (
        Contribution.objects.questions()
        .filter(action_sources__action=action)
        .exclude(closure=Contribution.Closure.OPEN)
        .select_related("group")
        .order_by("entered_at", "pk")
    )


@transaction.atomic
def routed_question_answer(*, action: ActionItem, question: Contribution, by, answer: str) -> bool:
    """An answer from the action's page to a question routed to the action. An organiser's, or
    one from an organisation trusted to publish its own, is published (and the asker told) at
    once; any other waits for an organiser to review it. Returns whether it was published."""
    try:
        if is_organiser(by) or action.owner.answers_published_at_once:
            question_answer(question=question, by=by, answer=answer)
            return True
        question_answer_propose(question=question, by=by, answer=answer)
        return False
    except QuestionClosureError as error:
        raise Refused(str(error), field="answer") from error


def action_update_check(
    *,
    action: ActionItem,
    status: str,
    note: str = "",
    new_due_date: datetime.date | None = None,
    reason: str = "",
) -> None:
    """Refuse an update that says nothing, or a new due date that may not be proposed now.
    Reads the action's waiting proposal only when a date is given."""
    status = Status(status)
    if new_due_date is not None:
        due_date_propose_check(action=action, new_date=new_due_date, reason=reason)
    elif status == action.status and not note.strip():
        raise Refused(NOTHING_CHANGED, field="status")


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
    date is a proposal for the organisers to approve or reject: the date stays until then."""
    locked = ActionItem.objects.select_for_update().get(pk=action.pk)
    action_update_check(
        action=locked, status=status, note=note, new_due_date=new_due_date, reason=reason
    )
    update = StatusUpdate.objects.create(
        action=locked,
        author=by,
        status=Status(status),
        note=note,
        new_due_date=new_due_date,
        created_at=at or timezone.now(),
    )
    locked.status = locked.updates.latest().status
    locked._history_user = by
    locked.save(update_fields=["status", "updated_at"])
    if new_due_date is not None:
        due_date_propose(
            action=locked,
            by=by,
            new_date=new_due_date,
            reason=reason,
            update=update,
            at=update.created_at,
        )
    action.status = locked.status
    return update


def action_cascade_choices(*, action: ActionItem):
    """The departments an action may still be cascaded to: every department but its owner and
    those that already have a copy."""
    return (
        Organisation.objects.filter(kind=Organisation.Kind.DEPARTMENT)
        .exclude(pk=action.owner_id)
        .exclude(pk__in=action.children.values("owner"))
    )


@transaction.atomic
def action_cascade(*, action: ActionItem, owners: Iterable[Organisation], by) -> list[ActionItem]:
    """Cascade an action to organisations: each gets its own copy, due the same day, to report
    on; an organisation that already has one gets no second. A copy is not cascaded again."""
    if action.parent_id is not None:
        raise Refused(_("This action was cascaded to you: it cannot be cascaded again"))
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
        due_date_propose(action=locked, by=by, new_date=proposed_due_date, reason=reason, at=now)
    for name in ("accepted_at", "accepted_by", "accountable", "deputy"):
        setattr(action, name, getattr(locked, name))
    return action


def due_date_move_check(*, action: ActionItem, new_date: datetime.date, reason: str) -> None:
    """Refuse a new due date that is no change, before the workshop, or has no reason."""
    if new_date == action.due_date:
        raise Refused(
            _("Enter a date other than %(date)s") % {"date": format_date(action.due_date)},
            field="due_date",
        )
    if new_date < action.workshop.date:
        raise Refused(
            _("The due date must be on or after the workshop, %(date)s")
            % {"date": format_date(action.workshop.date)},
            field="due_date",
        )
    if not reason.strip():
        raise Refused(_("Enter a reason for the new date"), field="reason")


@transaction.atomic
def due_date_move(
    *,
    action: ActionItem,
    by,
    new_date: datetime.date,
    reason: str,
    approving: DueDateChange | None = None,
) -> DueDateChange:
    """The one way an action's due date changes, recording who moved it, when, from what, to
    what and why: an organiser's move, or the approval of a proposal (`approving`)."""
    locked = ActionItem.objects.select_for_update().select_related("workshop").get(pk=action.pk)
    if approving is None:
        due_date_move_check(action=locked, new_date=new_date, reason=reason)
        change = DueDateChange(
            action=locked, new_date=new_date, reason=reason, state=DueDateChange.State.MADE, by=by
        )
    else:
        change = approving
        change.state = DueDateChange.State.APPROVED
    # The date may have moved since a proposal was made; the change starts from today's.
    change.old_date = locked.due_date
    change.save()
    locked.due_date = change.new_date
    locked._history_user = by
    locked.save(update_fields=["due_date", "updated_at"])
    action.due_date = locked.due_date
    return change


def due_date_propose_check(*, action: ActionItem, new_date: datetime.date, reason: str) -> None:
    """Refuse a proposal before acceptance (the accept form proposes then), while another
    waits for a decision, for the current date, or without a reason."""
    if action.is_awaiting_acceptance:
        raise Refused(
            _("Accept the action first: the accept form is where you propose another due date"),
            field="new_due_date",
        )
    if new_date == action.due_date:
        raise Refused(
            _("Enter a date other than %(date)s") % {"date": format_date(action.due_date)},
            field="new_due_date",
        )
    if not reason.strip():
        raise Refused(_("Enter a reason for the new date"), field="reason")
    if action.due_date_changes.filter(state=DueDateChange.State.PROPOSED).exists():
        raise Refused(
            _("A new due date is already waiting for an organiser's decision"),
            field="new_due_date",
        )


@transaction.atomic
def due_date_propose(
    *,
    action: ActionItem,
    by,
    new_date: datetime.date,
    reason: str,
    update: StatusUpdate | None = None,
    at: datetime.datetime | None = None,
) -> DueDateChange:
    """Propose a new due date for the organisers to approve or reject; the action keeps its
    date, and its reminders, until they approve it."""
    due_date_propose_check(action=action, new_date=new_date, reason=reason)
    return DueDateChange.objects.create(
        action=action,
        old_date=action.due_date,
        new_date=new_date,
        reason=reason,
        state=DueDateChange.State.PROPOSED,
        by=by,
        at=at or timezone.now(),
        update=update,
    )


@transaction.atomic
def due_date_decide(*, proposal: DueDateChange, by, approve: bool, note: str = "") -> DueDateChange:
    """Approve a proposed due date, moving the action's date, or reject it."""
    action = ActionItem.objects.select_for_update().get(pk=proposal.action_id)
    proposal = DueDateChange.objects.select_for_update().get(pk=proposal.pk)
    if proposal.state != DueDateChange.State.PROPOSED:
        raise ValueError("This proposal has already been decided")
    proposal.decided_by, proposal.decided_at, proposal.decision_note = by, timezone.now(), note
    if approve:
        return due_date_move(
            action=action,
            by=by,
            new_date=proposal.new_date,
            reason=proposal.reason,
            approving=proposal,
        )
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
    subject = ngettext(
        "%(count)d question waiting too long for an answer",
        "%(count)d questions waiting too long for an answer",
        count,
    ) % {"count": count}
    body = render_to_string(
        "actions/email/questions_overdue.txt",
        {
            "questions": [(question, question.days_waiting(today)) for question in questions],
            "url": settings.SITE_URL + reverse("admin:workshops_openquestion_changelist"),
            "service_name": _(settings.SERVICE_NAME),
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


def pack_month(now: datetime.datetime | None = None) -> str:
    """The month a monthly board pack is for, as BoardPackSent records it: "2026-12"."""
    return f"{timezone.localtime(now or timezone.now()):%Y-%m}"


def board_pack_send(
    *, organisation: Organisation, month: str, now: datetime.datetime | None = None
) -> BoardPackSent | None:
    """Email the organisation's members this month's board pack, the PDF attached and the page
    linked, and record it; None when it was sent already, or there is nothing to send or no one
    to send it to. Safe to run twice or at once: the record is unique per month."""
    if BoardPackSent.objects.filter(organisation=organisation, month=month).exists():
        return None
    to = sorted(reminders.organisation_addresses(organisation))
    pack = board_pack(organisation, now=now, before_month=month)
    if not to or pack.is_empty:
        return None
    attachment = (f"{pack.filename_stem}.pdf", pack_file(pack).pdf_bytes, "application/pdf")
    subject = subject_line(
        gettext("Board pack for %(organisation)s: %(date)s")
        % {"organisation": organisation.name, "date": date_format(pack.today)}
    )
    body = render_to_string(
        "actions/email/board_pack.txt",
        {
            "pack": pack,
            "url": settings.SITE_URL + organisation.get_absolute_url(),
            "service_name": settings.SERVICE_NAME,
        },
    )
    try:
        # As for reminders: the emails go before the record commits, so a failed send leaves no
        # record and the next attempt sends again, while a concurrent one waits, then skips.
        with transaction.atomic(durable=True):
            record = BoardPackSent.objects.create(
                organisation=organisation, month=month, recipients="\n".join(to)
            )
            for address in to:
                EmailMessage(
                    subject=subject, body=body, to=[address], attachments=[attachment]
                ).send()
    except IntegrityError:
        return None
    return record
