import datetime
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from workshops.capture import ParsedNote, notes_digest
from workshops.models import (
    Area,
    CaptureBatch,
    Contribution,
    FlipchartGroup,
    FlipchartPhoto,
    Theme,
    Workshop,
)
from workshops.photos import CheckedPhoto


def workshops_progress_changed(*, workshops: QuerySet[Workshop]) -> None:
    """Give these workshops a new progress version, so their cached public pages are dropped.
    Every write that changes what a progress page shows calls this in its transaction."""
    workshops.update(progress_version=uuid.uuid4())


def _contributions_change(
    contributions: QuerySet[Contribution],
    *,
    by,
    now: datetime.datetime,
    reason: str,
    change: Callable[[Contribution], dict[str, Any]],
) -> list[Contribution]:
    """The one way to change many notes at once: lock them, ask `change` which fields each row
    takes (nothing if it returns {}), store the changed rows with one history row each (who, when
    and `reason`, or the row's own `_change_reason`) and drop their workshops' cached progress
    pages. Returns the changed notes. Call it inside a transaction."""
    changed, fields = [], {"updated_at"}
    locked = Contribution.objects.select_for_update().filter(
        pk__in=contributions.order_by().values("pk")
    )
    for contribution in locked:
        changes = change(contribution)
        if not changes:
            continue
        for name, value in changes.items():
            setattr(contribution, name, value)
        contribution.updated_at = now
        fields.update(changes)
        changed.append(contribution)
    if not changed:
        return changed
    workshops_progress_changed(
        workshops=Workshop.objects.filter(groups__in={c.group_id for c in changed})
    )
    bulk_update_with_history(
        changed,
        Contribution,
        sorted(fields),
        default_user=by,
        default_change_reason=reason,
        default_date=now,
    )
    return changed


@transaction.atomic
def contributions_remove(*, contributions: QuerySet[Contribution], by) -> int:
    """Soft-remove contributions, recording who and when in the note and its history; returns
    how many were removed."""
    now = timezone.now()
    removed = _contributions_change(
        contributions,
        by=by,
        now=now,
        reason="Removed",
        change=lambda note: (
            {}
            if note.is_removed
            else {"removed_at": now, "removed_by": by, "restored_at": None, "restored_by": None}
        ),
    )
    return len(removed)


@transaction.atomic
def contributions_restore(*, contributions: QuerySet[Contribution], by) -> int:
    """Bring soft-removed contributions back, recording who and when; the note keeps who removed
    it and its history keeps when. Returns how many were restored."""
    now = timezone.now()
    restored = _contributions_change(
        contributions,
        by=by,
        now=now,
        reason="Restored",
        change=lambda note: (
            {"removed_at": None, "restored_at": now, "restored_by": by} if note.is_removed else {}
        ),
    )
    return len(restored)


# After Back, Chromium refills the textarea but fetches the page again, with a new one-time key,
# so the key alone cannot recognise "Add notes" pressed again on the same notes. The same notes
# (every line and kind, in order) from the same person for the same flipchart within this window
# are taken as the same submit. After it they are new notes: a deliberate repeat such as "+1" in
# a later round. Sooner, a repeat goes in with another note, as only whole batches are compared.
REPEAT_WINDOW = datetime.timedelta(minutes=30)


@dataclass(frozen=True)
class CaptureResult:
    batch: CaptureBatch
    created: bool
    # Nothing stored because a fresh form sent notes this person added here within
    # REPEAT_WINDOW; `batch` is that earlier submit. False for the same form sent again.
    repeated: bool = False


class CaptureKeyReused(Exception):
    """A form's one-time key came back with different notes from those it first sent."""


def earlier_capture(*, key: uuid.UUID, group: FlipchartGroup, digest: str) -> CaptureResult | None:
    """The batch this key stored before, if any (a query); see same_form_again."""
    batch = CaptureBatch.objects.filter(key=key).first()
    return same_form_again(batch, group=group, digest=digest) if batch else None


def same_form_again(batch: CaptureBatch, *, group: FlipchartGroup, digest: str) -> CaptureResult:
    """The batch a key stored, sent again; the key with another group or other notes is refused."""
    if batch.group_id != group.pk or batch.content_digest != digest:
        raise CaptureKeyReused
    return CaptureResult(batch=batch, created=False)


def _notes_show_before_review(workshop_id: int) -> bool:
    """Whether new notes show on the workshop's public page at once (a query). Only then does a
    capture renew the page's version: renewing it takes the workshop's row lock until commit,
    which would queue every submit of a busy workshop behind the one before. Read under a share
    lock, which submits do not wait for but a change to the setting does, so a workshop switched
    to showing notes at once cannot have its new page rendered before this submit's notes."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT notes_public_after_review FROM {Workshop._meta.db_table} "
                "WHERE id = %s FOR SHARE",
                [workshop_id],
            )
            row = cursor.fetchone()
        return row is not None and not row[0]
    # SQLite: this submit already holds the database's only write lock.
    return (
        not Workshop.objects.filter(pk=workshop_id)
        .values_list("notes_public_after_review", flat=True)
        .get()
    )


def notes_capture(
    *,
    group: FlipchartGroup,
    by,
    key: uuid.UUID,
    notes: list[ParsedNote],
    at: datetime.datetime | None = None,
) -> CaptureResult:
    """Store a submit's notes in one transaction, once. The same form sent again (its key) stores
    nothing and returns the first batch; so do the same notes from the same person for the same
    group within REPEAT_WINDOW, as `repeated`. Select `group.workshop` with the group."""
    digest = notes_digest(notes)
    at = at or timezone.now()
    # One look-up answers both questions: this key, or these notes from this person lately.
    earlier = list(
        CaptureBatch.objects.filter(
            Q(key=key)
            | Q(
                group=group,
                submitted_by=by,
                content_digest=digest,
                submitted_at__gt=at - REPEAT_WINDOW,
            )
        )
    )
    for batch in earlier:
        if batch.key == key:
            return same_form_again(batch, group=group, digest=digest)
    if earlier:
        return CaptureResult(batch=earlier[0], created=False, repeated=True)
    late = group.is_late(at)
    try:
        with transaction.atomic():
            batch = CaptureBatch.objects.create(
                key=key,
                group=group,
                submitted_by=by,
                submitted_at=at,
                note_count=len(notes),
                content_digest=digest,
            )
            Contribution.objects.bulk_create(
                Contribution(
                    group=group,
                    batch=batch,
                    text=note.text,
                    kind=note.kind,
                    entered_by=by,
                    entered_at=at,
                    entered_after_round=late,
                )
                for note in notes
            )
            if _notes_show_before_review(group.workshop_id):
                workshops_progress_changed(workshops=Workshop.objects.filter(pk=group.workshop_id))
    except IntegrityError:
        # The same form sent twice at once: the other request stored the key after our look-up.
        earlier_by_key = earlier_capture(key=key, group=group, digest=digest)
        if earlier_by_key is None:
            raise
        return earlier_by_key
    return CaptureResult(batch=batch, created=True)


def rounds_start(
    *, groups: QuerySet[FlipchartGroup], at: datetime.datetime | None = None
) -> datetime.datetime:
    """Start the timed round of every given group at the same moment; returns that moment."""
    at = at or timezone.now()
    groups.update(round_started_at=at)
    return at


@transaction.atomic
def workshop_rounds_start(
    *, workshop: Workshop, grace_minutes: int, at: datetime.datetime | None = None
) -> datetime.datetime:
    """Start every group's round together, with the grace period the organiser chose."""
    Workshop.objects.filter(pk=workshop.pk).update(grace_minutes=grace_minutes)
    workshop.grace_minutes = grace_minutes
    return rounds_start(groups=workshop.groups.all(), at=at)


def photo_add(*, group: FlipchartGroup, by, photo: CheckedPhoto) -> FlipchartPhoto:
    """Store a checked photo of the flipchart under a random name."""
    stored = FlipchartPhoto(
        group=group,
        image_format=photo.image_format,
        width=photo.width,
        height=photo.height,
        size_bytes=len(photo.content),
        uploaded_by=by,
    )
    stored.image.save(f"photo.{photo.image_format}", ContentFile(photo.content), save=False)
    stored.save()
    return stored


class MixedWorkshopsError(ValueError):
    """Contributions from different workshops cannot be triaged together."""


def contributions_workshop(contributions: QuerySet[Contribution]) -> Workshop:
    """The one workshop all the contributions come from, found in one query."""
    workshops = list(
        Workshop.objects.filter(pk__in=contributions.order_by().values("group__workshop"))[:2]
    )
    if not workshops:
        raise ValueError("No contributions were given.")
    if len(workshops) > 1:
        raise MixedWorkshopsError(
            "The selected contributions come from more than one workshop: "
            "choose contributions from one workshop at a time."
        )
    return workshops[0]


class ThemeAreaError(ValueError):
    """A theme's area and its notes' areas would contradict each other, or cannot be known."""


def _triage(area: Area | None, by, now) -> dict[str, Any]:
    """The fields a note takes when it moves into `area` (None untriages it)."""
    return {
        "area": area,
        "triaged_by": by if area else None,
        "triaged_at": now if area else None,
    }


@transaction.atomic
def contribution_save(*, contribution: Contribution, by) -> Contribution:
    """Save a contribution edited by staff; a change of area records who triaged it and when.
    A note in a theme with an area is in that area: without an area it takes the theme's, and
    another area is refused (the form says so first)."""
    theme_area_id = contribution.theme.area_id if contribution.theme_id else None
    if theme_area_id and contribution.area_id is None:
        contribution.area_id = theme_area_id
    if theme_area_id and contribution.area_id != theme_area_id:
        raise ThemeAreaError(f"“{contribution.theme}” is in {contribution.theme.area}.")
    stored_area_id = (
        Contribution.objects.filter(pk=contribution.pk).values_list("area_id", flat=True).first()
        if contribution.pk
        else None
    )
    if contribution.area_id != stored_area_id:
        triaged = contribution.area_id is not None
        contribution.triaged_by = by if triaged else None
        contribution.triaged_at = timezone.now() if triaged else None
    contribution._history_user = by
    contribution.save()
    return contribution


@dataclass(frozen=True)
class NotesMoved:
    moved: int
    left_theme: int


@transaction.atomic
def contributions_move_to_area(
    *, contributions: QuerySet[Contribution], area: Area, by
) -> NotesMoved:
    """Sort contributions into an area, recording who triaged them and when. A note in a theme
    of another area leaves that theme, so a theme and its notes never disagree."""
    now = timezone.now()
    themes_elsewhere = dict(
        Theme.objects.filter(contributions__in=contributions.order_by().values("pk"))
        .exclude(area__isnull=True)
        .exclude(area=area)
        .values_list("pk", "name")
    )

    left_theme = []

    def change(note):
        if note.area_id == area.pk:
            return {}
        changes = _triage(area, by, now)
        if note.theme_id in themes_elsewhere:
            changes["theme"] = None
            note._change_reason = f"Moved to {area}, out of theme {themes_elsewhere[note.theme_id]}"
            left_theme.append(note.pk)
        return changes

    moved = _contributions_change(
        contributions, by=by, now=now, reason=f"Moved to {area}", change=change
    )
    return NotesMoved(moved=len(moved), left_theme=len(left_theme))


@dataclass(frozen=True)
class ThemeAdded:
    theme: Theme
    selected: int
    given_area: int
    moved_area: int


def theme_area_for(
    *, contributions: QuerySet[Contribution], theme: Theme | None, area: Area | None
) -> Area:
    """The area a theme holding these notes is in: its own, else the one chosen, else the one
    area its notes and these share; ThemeAreaError if it has none and they share none."""
    if theme is not None and theme.area_id:
        if area is not None and area.pk != theme.area_id:
            raise ThemeAreaError(
                f"“{theme}” is in {theme.area}: leave the area blank or choose {theme.area}"
            )
        return theme.area
    if area is not None:
        return area
    notes = Contribution.objects.filter(pk__in=contributions.order_by().values("pk"))
    if theme is not None and theme.pk:
        notes = notes | Contribution.objects.filter(theme=theme)
    areas = list(
        Area.objects.filter(pk__in=notes.order_by().values("area").distinct()).order_by()[:2]
    )
    if len(areas) == 1:
        return areas[0]
    if areas:
        raise ThemeAreaError("Select an area for the theme: its notes are in different areas")
    raise ThemeAreaError("Select an area for the theme: its notes have no area yet")


@transaction.atomic
def contributions_add_to_theme(
    *,
    contributions: QuerySet[Contribution],
    by,
    theme: Theme | None = None,
    new_theme_name: str = "",
    area: Area | None = None,
) -> ThemeAdded:
    """Gather contributions under a theme of their workshop, existing or new. The theme and all
    its notes end up in one area (see theme_area_for): untriaged notes take it, notes of another
    area move to it, each with history."""
    if (theme is None) == (not new_theme_name.strip()):
        raise ValueError("Give either an existing theme or a new theme's name.")
    workshop = contributions_workshop(contributions)
    if theme is not None and theme.workshop_id != workshop.pk:
        raise MixedWorkshopsError("Choose a theme from the same workshop as the contributions.")
    area = theme_area_for(contributions=contributions, theme=theme, area=area)
    if theme is None:
        theme = Theme.objects.create(workshop=workshop, name=new_theme_name.strip(), area=area)
    elif theme.area_id != area.pk:
        theme.area = area
        theme.save(update_fields=["area"])
    now = timezone.now()
    given, moved = [], []

    def change(note):
        changes = {} if note.theme_id == theme.pk else {"theme": theme}
        if note.area_id != area.pk:
            (given if note.area_id is None else moved).append(note.pk)
            changes |= _triage(area, by, now)
            note._change_reason = f"Added to theme {theme}, so in {area}"
        return changes

    everyone = Contribution.objects.filter(
        Q(pk__in=contributions.order_by().values("pk")) | Q(theme=theme)
    )
    _contributions_change(everyone, by=by, now=now, reason=f"Added to theme {theme}", change=change)
    return ThemeAdded(
        theme=theme,
        selected=contributions.count(),
        given_area=len(given),
        moved_area=len(moved),
    )


@transaction.atomic
def theme_save(*, theme: Theme, by) -> int:
    """Save a theme edited by staff; its notes follow its area, each with history. A theme with
    notes must have an area. Returns how many notes moved."""
    if theme.area_id is None and theme.pk and theme.contributions.exists():
        raise ThemeAreaError("Select an area: this theme has notes")
    theme.save()
    if theme.area_id is None:
        return 0
    now = timezone.now()
    moved = _contributions_change(
        theme.contributions.all(),
        by=by,
        now=now,
        reason=f"Moved to {theme.area} with theme {theme}",
        change=lambda note: {} if note.area_id == theme.area_id else _triage(theme.area, by, now),
    )
    return len(moved)


class QuestionClosureError(ValueError):
    """A question may close only by an answer, a route to an action or a published reason."""


def _open_question(question: Contribution, *, routed_too: bool = False) -> Contribution:
    locked = Contribution.objects.select_for_update().get(pk=question.pk)
    if locked.kind != Contribution.Kind.QUESTION:
        raise QuestionClosureError("Only questions are acknowledged and closed.")
    if locked.closed_at is not None and not (
        routed_too and locked.closure == Contribution.Closure.ROUTED
    ):
        raise QuestionClosureError("This question is already closed.")
    return locked


def _save_question(question: Contribution, locked: Contribution, by, **changes) -> Contribution:
    for name, value in changes.items():
        setattr(locked, name, value)
        setattr(question, name, value)
    locked._history_user = by
    locked.save(update_fields=[*changes, "updated_at"])
    return question


@transaction.atomic
def question_acknowledge(*, question: Contribution, by) -> Contribution:
    """Record that someone is looking at a question; stops its acknowledgement clock."""
    locked = _open_question(question)
    if locked.acknowledged_at is not None:
        return question
    return _save_question(question, locked, by, acknowledged_at=timezone.now())


def _close(
    question: Contribution, by, closure: str, *, routed_too: bool = False, **changes
) -> Contribution:
    locked = _open_question(question, routed_too=routed_too)
    now = timezone.now()
    return _save_question(
        question,
        locked,
        by,
        acknowledged_at=locked.acknowledged_at or now,
        closed_at=now,
        closed_by=by,
        closure=closure,
        **changes,
    )


@transaction.atomic
def question_answer(*, question: Contribution, by, answer: str) -> Contribution:
    """Close a question with a published answer, from staff or the owner it was routed to; a
    routed question may still get a direct answer from its action's owner."""
    if not answer.strip():
        raise QuestionClosureError("Enter an answer")
    return _close(
        question, by, Contribution.Closure.ANSWERED, routed_too=True, answer=answer.strip()
    )


@transaction.atomic
def question_close(*, question: Contribution, by, reason: str) -> Contribution:
    """Close a question without an answer, giving the reason the public will read."""
    if not reason.strip():
        raise QuestionClosureError("Enter the reason for closing the question")
    return _close(question, by, Contribution.Closure.CLOSED, closure_reason=reason.strip())


@transaction.atomic
def question_route(*, question: Contribution, by) -> Contribution:
    """Close a question that became part of an action; from then on it follows that action."""
    if not question.action_sources.exists():
        raise QuestionClosureError("Link the question to an action before routing it")
    return _close(question, by, Contribution.Closure.ROUTED)
