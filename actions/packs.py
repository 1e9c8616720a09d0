"""An organisation's board pack: what it owes across every workshop, read in a fixed number of
queries however many actions it holds, as a page, a PDF laid out for a board meeting and a
spreadsheet. The page and the PDF are rendered from the same included templates."""

import dataclasses
import datetime
import hashlib
import time
from dataclasses import dataclass
from functools import cached_property

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, gettext, gettext_lazy, pgettext

from actions.models import (
    CLOSED_STATUSES,
    ActionItem,
    BoardPackFile,
    BoardPackSent,
    DueDateChange,
    Organisation,
    Status,
)
from feedback_site.jobs import enqueue_on_commit, runs_in_background
from feedback_site.spreadsheets import xlsx_bytes
from workshops.models import Contribution

# An open action due within this many days, today included, is "due soon", as its tags say.
DUE_SOON_DAYS = 14
# "Done since" reaches this far back until the organisation's first monthly pack is sent.
FIRST_PACK_LOOKS_BACK = datetime.timedelta(days=30)


class Standing:
    """Where an action stands in the pack; the pack lists them in this order."""

    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    OPEN = "open"
    DONE = "done"
    ORDER = (OVERDUE, DUE_SOON, OPEN, DONE)


STANDING_HEADINGS = {
    Standing.OVERDUE: gettext_lazy("Overdue"),
    Standing.DUE_SOON: gettext_lazy("Due in the next 14 days"),
    Standing.OPEN: gettext_lazy("Other open actions"),
    Standing.DONE: gettext_lazy("Done since the last pack"),
}


@dataclass
class BoardPack:
    organisation: Organisation
    actions: list[ActionItem]
    since: datetime.datetime
    last_pack_at: datetime.datetime | None
    produced_at: datetime.datetime
    today: datetime.date

    @property
    def is_empty(self) -> bool:
        return not self.actions

    def _with(self, standing: str) -> list[ActionItem]:
        return [action for action in self.actions if action.standing == standing]

    @cached_property
    def standings(self) -> list[tuple[str, str, list[ActionItem]]]:
        """Each standing with its heading and its actions, empty ones left out."""
        found = [(key, STANDING_HEADINGS[key], self._with(key)) for key in Standing.ORDER]
        return [(key, heading, actions) for key, heading, actions in found if actions]

    @cached_property
    def overdue(self) -> list[ActionItem]:
        return self._with(Standing.OVERDUE)

    @cached_property
    def due_soon(self) -> list[ActionItem]:
        return self._with(Standing.DUE_SOON)

    @cached_property
    def done(self) -> list[ActionItem]:
        return self._with(Standing.DONE)

    @cached_property
    def open(self) -> list[ActionItem]:
        return [action for action in self.actions if action.standing != Standing.DONE]

    @cached_property
    def slipped(self) -> list[ActionItem]:
        """Open actions whose due date has moved, each with every move and its reason."""
        return [action for action in self.open if action.moves]

    @cached_property
    def cascaded(self) -> list[ActionItem]:
        """Open actions cascaded to departments, each with its copies and their roll-up."""
        return [action for action in self.open if action.copies]

    @cached_property
    def questions(self) -> list[Contribution]:
        """Questions routed to the organisation's open actions and waiting on them, oldest first."""
        found = {
            question.pk: question for action in self.open for question in action.waiting_questions
        }
        return sorted(found.values(), key=lambda question: (question.entered_at, question.pk))

    @property
    def title(self) -> str:
        return gettext("Board pack: %(organisation)s, %(date)s") % {
            "organisation": self.organisation.name,
            "date": date_format(self.today),
        }

    @property
    def filename_stem(self) -> str:
        return f"{self.organisation.slug}-board-pack-{self.today.isoformat()}"


def last_pack_at(organisation: Organisation, *, before_month: str = "") -> datetime.datetime | None:
    """When the organisation's latest monthly pack was sent (before `before_month`, if given)."""
    sent = BoardPackSent.objects.filter(organisation=organisation)
    if before_month:
        sent = sent.filter(month__lt=before_month)
    return sent.order_by("-sent_at").values_list("sent_at", flat=True).first()


def pack_actions(organisation: Organisation, *, since: datetime.datetime):
    """The organisation's open actions and those done since `since`, with everything the pack
    shows of each: moves of the due date, copies cascaded from it, the questions waiting on it."""
    moves = DueDateChange.objects.filter(state__in=DueDateChange.MOVED_STATES).order_by("at", "pk")
    copies = (
        ActionItem.objects.select_related("owner")
        .with_latest_update(with_a_note=True)
        .order_by("owner__name", "pk")
    )
    waiting = (
        Contribution.objects.questions()
        .filter(closure__in=[Contribution.Closure.OPEN, Contribution.Closure.ROUTED])
        .select_related("group__workshop")
    )
    return (
        ActionItem.objects.filter(owner=organisation)
        .with_done_at()
        .filter(~Q(status__in=CLOSED_STATUSES) | Q(status=Status.DONE, done_at__gte=since))
        .select_related("workshop", "owner", "accountable", "parent__owner")
        .with_latest_update(with_a_note=True)
        .with_cascade_progress()
        .prefetch_related(
            Prefetch("due_date_changes", queryset=moves, to_attr="moves"),
            Prefetch("children", queryset=copies, to_attr="copies"),
            Prefetch("source_contributions", queryset=waiting, to_attr="waiting_questions"),
        )
    )


def standing_of(action: ActionItem, today: datetime.date) -> str:
    if action.status == Status.DONE:
        return Standing.DONE
    if action.is_overdue(today):
        return Standing.OVERDUE
    if action.days_until_due(today) <= DUE_SOON_DAYS:
        return Standing.DUE_SOON
    return Standing.OPEN


def board_pack(
    organisation: Organisation,
    *,
    now: datetime.datetime | None = None,
    before_month: str = "",
) -> BoardPack:
    """The organisation's pack as it stands `now`; "done since" counts from its last monthly
    pack (before `before_month`, when making that month's), or 30 days back if none was sent."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    last = last_pack_at(organisation, before_month=before_month)
    since = last or now - FIRST_PACK_LOOKS_BACK
    actions = list(pack_actions(organisation, since=since))
    for action in actions:
        action.standing = standing_of(action, today)
    actions.sort(
        key=lambda action: (Standing.ORDER.index(action.standing), action.due_date, action.pk)
    )
    return BoardPack(organisation, actions, since, last, now, today)


def pack_context(pack: BoardPack, *, link_prefix: str = "") -> dict:
    """What the page and the print template both give the shared includes; links in a PDF lead
    back to the service, so they carry its address."""
    return {"pack": pack, "link_prefix": link_prefix}


def pack_html_for_print(pack: BoardPack) -> str:
    return render_to_string(
        "actions/organisation_pack_print.html",
        {
            **pack_context(pack, link_prefix=settings.SITE_URL),
            "language": get_language(),
            "service_name": settings.SERVICE_NAME,
        },
    )


def pack_pdf(pack: BoardPack) -> bytes:
    """The pack as a tagged PDF (PDF/UA-1) with its title and language, for a board meeting."""
    return pdf_of(pack_html_for_print(pack))


def pdf_of(html: str) -> bytes:
    from weasyprint import HTML  # Loads Pango: only the processes that make PDFs pay for it.

    return HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")


# An organisation's PDFs kept once rendered: the newest few, for the members downloading them.
PACK_FILES_KEPT = 3


def digest_of(pack: BoardPack) -> str:
    """Names the pack by everything its PDF shows but the minute it was read: the same figures
    on the same day in the same language are the same pack whenever that day it is asked for,
    and its PDF saying when it was made ("as it stood on ... at ...") stays true."""
    start_of_day = timezone.make_aware(datetime.datetime.combine(pack.today, datetime.time()))
    html = pack_html_for_print(dataclasses.replace(pack, produced_at=start_of_day))
    return hashlib.sha256(html.encode()).hexdigest()


def pack_file(pack: BoardPack) -> BoardPackFile:
    """The pack's PDF: as stored when this very pack (same figures, day and language) was
    rendered before, by an earlier download, the job the pack's page queued or the monthly
    email; rendered now and stored otherwise."""
    digest = digest_of(pack)
    stored = BoardPackFile.objects.ready().filter(organisation=pack.organisation, digest=digest)
    return stored.first() or pack_file_store(pack, digest)


def pack_file_store(pack: BoardPack, digest: str) -> BoardPackFile:
    """Lay the pack out as a PDF and keep it under its digest, with the time it took; the
    organisation's older PDFs beyond the newest few go."""
    organisation = pack.organisation
    start = time.perf_counter()
    pdf = pack_pdf(pack)
    fields = {
        "pdf": pdf,
        "rendered_at": timezone.now(),
        "render_seconds": round(time.perf_counter() - start, 3),
    }
    try:
        with transaction.atomic():
            stored, _ = BoardPackFile.objects.update_or_create(
                organisation=organisation, digest=digest, defaults=fields
            )
    except IntegrityError:  # rendered at the same moment elsewhere: theirs is the same PDF
        stored = BoardPackFile.objects.get(organisation=organisation, digest=digest)
    kept = list(organisation.board_pack_files.values_list("pk", flat=True)[:PACK_FILES_KEPT])
    organisation.board_pack_files.exclude(pk__in=kept).delete()
    return stored


def pack_file_prepare(pack: BoardPack) -> None:
    """Queue the pack's PDF to be rendered by a worker while its reader looks at the page, so
    that their download is served as stored; once per pack, however many look. Only where jobs
    run in the background: with jobs run at once, it would be rendered in this very request."""
    from actions.tasks import board_pack_file_render

    if not runs_in_background(board_pack_file_render):
        return
    digest = digest_of(pack)
    if BoardPackFile.objects.filter(organisation=pack.organisation, digest=digest).exists():
        return  # rendered, or queued by an earlier reader
    try:
        with transaction.atomic():
            BoardPackFile.objects.create(organisation=pack.organisation, digest=digest)
    except IntegrityError:
        return  # queued by another reader at the same moment
    enqueue_on_commit(board_pack_file_render, organisation_id=pack.organisation.pk, digest=digest)


def _moves_text(action: ActionItem) -> str:
    return "\n".join(
        gettext("%(old)s to %(new)s: %(reason)s")
        % {
            "old": date_format(move.old_date),
            "new": date_format(move.new_date),
            "reason": move.reason,
        }
        for move in action.moves
    )


def action_rows(pack: BoardPack) -> list[list]:
    headings = [
        gettext("ID"),
        gettext("Standing"),
        gettext("Title"),
        gettext("Workshop"),
        gettext("Owner"),
        gettext("Accountable person"),
        gettext("Due date"),
        gettext("First promised due date"),
        gettext("Status"),
        gettext("Done on"),
        gettext("Due date moves"),
        gettext("Cascaded to departments"),
        gettext("Departments' status"),
        gettext("Latest update on"),
        gettext("Latest update"),
    ]
    rows = [
        [
            action.pk,
            str(STANDING_HEADINGS[action.standing]),
            action.title,
            action.workshop.title,
            action.owner.name,
            action.accountable.get_full_name() if action.accountable else "",
            action.due_date,
            action.first_promised_due_date,
            action.get_status_display(),
            timezone.localdate(action.done_at) if action.done_at else None,
            _moves_text(action),
            action.cascade_rollup,
            "; ".join(f"{copy.owner.name}: {copy.get_status_display()}" for copy in action.copies),
            timezone.localdate(action.latest_update_at) if action.latest_update_at else None,
            action.latest_update_note or "",
        ]
        for action in pack.actions
    ]
    return [headings, *rows]


def question_rows(pack: BoardPack) -> list[list]:
    headings = [
        gettext("ID"),
        gettext("Question"),
        gettext("Workshop"),
        gettext("Asked on"),
        gettext("Days waiting"),
        gettext("Action it waits on"),
    ]
    waiting_on = {
        question.pk: action.title for action in pack.open for question in action.waiting_questions
    }
    rows = [
        [
            question.pk,
            question.text,
            question.group.workshop.title,
            timezone.localdate(question.entered_at),
            question.days_waiting(pack.today),
            waiting_on[question.pk],
        ]
        for question in pack.questions
    ]
    return [headings, *rows]


def pack_xlsx(pack: BoardPack) -> bytes:
    """The pack as a workbook: one sheet of actions, one of questions waiting."""
    return xlsx_bytes(
        {
            pgettext("spreadsheet sheet", "actions"): action_rows(pack),
            pgettext("spreadsheet sheet", "questions"): question_rows(pack),
        }
    )
