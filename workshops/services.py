import datetime
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from feedback_site.emails import normalise_email
from feedback_site.jobs import enqueue_on_commit
from workshops.capture import ParsedNote, notes_digest
from workshops.imports import ImportRefused, ImportRow, row_digests
from workshops.models import (
    Area,
    Asker,
    CaptureBatch,
    Contribution,
    FlipchartGroup,
    FlipchartPhoto,
    RecurringTheme,
    RecurringThemeLink,
    SuggestionOutcome,
    Theme,
    Workshop,
    link_area_problem,
    visiting_group_index,
)
from workshops.photos import CheckedPhoto
from workshops.suggestions import ThemeText, rank_recurring
from workshops.tasks import asker_answer_send, suggestions_training_wanted


def workshops_progress_changed(*, workshops: QuerySet[Workshop]) -> None:
    """Give these workshops a new progress version, so their cached public pages are dropped.
    Every write that changes what a progress page shows calls this in its transaction."""
    workshops.update(progress_version=uuid.uuid4())


# A change to these is something the suggestion engine learns from.
LEARNT_FIELDS = {"area", "area_id", "theme", "theme_id", "removed_at", "text"}


def _contributions_change(
    contributions: QuerySet[Contribution],
    *,
    by,
    now: datetime.datetime,
    reason: str,
    change: Callable[[Contribution], dict[str, Any]],
    keep_state_before: bool = False,
) -> list[Contribution]:
    """The one way to change many notes at once: lock them, ask `change` which fields each row
    takes (nothing if it returns {}), store the changed rows with one history row each (who, when
    and `reason`, or the row's own `_change_reason`) and drop their workshops' cached progress
    pages. Returns the changed notes. Call it inside a transaction.

    With `keep_state_before`, notes stored in bulk (at capture), which have no history yet, first
    get a row recording the state they are in, dated when it was last changed: history then holds
    what the change replaces, and undo can put it back."""
    changed, fields = [], {"updated_at"}
    locked = Contribution.objects.select_for_update().filter(
        pk__in=contributions.order_by().values("pk")
    )
    if keep_state_before:
        locked = locked.annotate(has_history=Exists(Contribution.history.filter(id=OuterRef("pk"))))
        locked = list(locked)
        _keep_state_before([note for note in locked if not note.has_history])
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
    if fields & LEARNT_FIELDS:
        suggestions_training_wanted()
    _store_with_history(changed, sorted(fields), by=by, reason=reason, now=now)
    return changed


def _store_with_history(
    changed: list[Contribution], fields: list[str], *, by, reason: str, now: datetime.datetime
) -> None:
    """Write the changed notes' fields and one history row each. One note (a workbench save) is
    a plain UPDATE, which costs a third of what a bulk update's CASE for one row does."""
    if len(changed) > 1:
        bulk_update_with_history(
            changed,
            Contribution,
            fields,
            default_user=by,
            default_change_reason=reason,
            default_date=now,
        )
        return
    (note,) = changed
    Contribution.objects.filter(pk=note.pk).update(**{name: getattr(note, name) for name in fields})
    Contribution.history.bulk_history_create(
        changed, update=True, default_user=by, default_change_reason=reason, default_date=now
    )


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


class HiddenReasonError(ValueError):
    """A note is hidden from the public only for one of the reasons organisers can see."""


@transaction.atomic
def contributions_publish(*, contributions: QuerySet[Contribution], by) -> int:
    """Review notes as they are, so they appear publicly where their workshop asks for review;
    their area and theme stay as they are. Hidden notes stay hidden (unhide them to show them).
    Returns how many were published."""
    now = timezone.now()
    published = _contributions_change(
        contributions,
        by=by,
        now=now,
        reason="Reviewed and published as it is",
        change=lambda note: (
            {} if note.reviewed_at is not None or note.hidden_from_public else _reviewed(by, now)
        ),
    )
    return len(published)


@transaction.atomic
def contributions_hide(*, contributions: QuerySet[Contribution], by, reason: str) -> int:
    """Keep notes off every public page, feed and export for `reason`, which organisers see;
    hiding a note reviews it. A hidden note takes the new reason. Returns how many changed."""
    if reason not in Contribution.HiddenReason.values or not reason:
        raise HiddenReasonError("Select why the notes are hidden from the public")
    label = Contribution.HiddenReason(reason).label
    now = timezone.now()

    def change(note):
        changes = {}
        if not note.hidden_from_public or note.hidden_reason != reason:
            changes = {"hidden_from_public": True, "hidden_reason": reason}
        if note.reviewed_at is None:
            changes |= _reviewed(by, now)
        return changes

    hidden = _contributions_change(
        contributions, by=by, now=now, reason=f"Hidden from the public: {label}", change=change
    )
    return len(hidden)


@transaction.atomic
def contributions_unhide(*, contributions: QuerySet[Contribution], by) -> int:
    """Show hidden notes to the public again, their reason cleared; showing a note is a review
    of it. Returns how many were shown again."""
    now = timezone.now()

    def change(note):
        if not note.hidden_from_public:
            return {}
        changes = {"hidden_from_public": False, "hidden_reason": Contribution.HiddenReason.NONE}
        return changes | (_reviewed(by, now) if note.reviewed_at is None else {})

    shown = _contributions_change(
        contributions, by=by, now=now, reason="Shown to the public again", change=change
    )
    return len(shown)


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


class CaptureClosed(Exception):
    """A strict workshop's round and grace period have ended: the notes were not stored."""


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
    if late and group.workshop.is_strict:
        raise CaptureClosed
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
                    round_number=group.round_number or None,
                    visiting_group=group.visiting_group,
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


class KindFixError(ValueError):
    """An answered or closed question must stay a question."""


@transaction.atomic
def contribution_kind_set(*, contribution: Contribution, kind: str, by) -> Contribution:
    """Change how a note was read (its kind), as the capture page's one-tap fix does, with a
    history row. A closed question keeps its kind, as on the note's change form."""
    if contribution.closed_at and kind != Contribution.Kind.QUESTION:
        raise KindFixError(
            _("This question has been answered or closed, so it must stay a question")
        )
    _contributions_change(
        Contribution.objects.filter(pk=contribution.pk),
        by=by,
        now=timezone.now(),
        reason="Kind fixed after capture",
        change=lambda note: {"kind": kind} if note.kind != kind else {},
    )
    contribution.kind = kind
    return contribution


def rounds_start(
    *, groups: QuerySet[FlipchartGroup], at: datetime.datetime | None = None
) -> datetime.datetime:
    """Start the timed round of every given group at the same moment; returns that moment."""
    at = at or timezone.now()
    groups.update(round_started_at=at)
    return at


@transaction.atomic
def workshop_rounds_start(
    *,
    workshop: Workshop,
    grace_minutes: int,
    number: int | None = None,
    at: datetime.datetime | None = None,
) -> datetime.datetime:
    """Start round `number` (the next one unless given) at every flipchart together, with the
    grace period the organiser chose. When groups rotate, each flipchart records which group of
    attendees visits it in this round, and its notes take that name."""
    at = at or timezone.now()
    number = number or workshop.current_round + 1
    Workshop.objects.filter(pk=workshop.pk).update(
        grace_minutes=grace_minutes, current_round=number
    )
    workshop.grace_minutes, workshop.current_round = grace_minutes, number
    groups = list(workshop.groups.order_by("order", "pk"))
    names = workshop.visiting_group_names(len(groups))
    for index, group in enumerate(groups):
        group.round_started_at, group.round_number = at, number
        group.visiting_group = (
            names[visiting_group_index(flipchart=index, round_number=number, count=len(groups))]
            if workshop.rotates
            else ""
        )
    FlipchartGroup.objects.bulk_update(
        groups, ["round_started_at", "round_number", "visiting_group"]
    )
    return at


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


def _reviewed(by, now) -> dict[str, Any]:
    """The fields that mark a note reviewed: a triager has read it and decided it may be public
    (or hid it). Where the workshop asks for review, a note is public only after this."""
    return {"reviewed_at": now, "reviewed_by": by}


def _sorted_into(note: Contribution, area: Area | None, by, now) -> dict[str, Any]:
    """The fields a note takes when a triager moves it into `area`: giving a note an area
    reviews it, the first time; a later move keeps who reviewed it first (its history has the
    rest), and untriaging a note does not take its review back."""
    changes = _triage(area, by, now)
    if area is not None and note.reviewed_at is None:
        changes |= _reviewed(by, now)
    return changes


@transaction.atomic
def contribution_save(*, contribution: Contribution, by) -> Contribution:
    """Save a contribution edited by staff; a change of area records who triaged it and when,
    and reviews a note not yet reviewed. A note in a theme with an area is in that area: without
    an area it takes the theme's, and another area is refused (the form says so first). A hidden
    note needs a reason (and is reviewed by hiding it); a shown one has none."""
    theme_area_id = contribution.theme.area_id if contribution.theme_id else None
    if theme_area_id and contribution.area_id is None:
        contribution.area_id = theme_area_id
    if theme_area_id and contribution.area_id != theme_area_id:
        raise ThemeAreaError(f"“{contribution.theme}” is in {contribution.theme.area}.")
    stored_area_id, stored_hidden = (
        Contribution.objects.filter(pk=contribution.pk)
        .values_list("area_id", "hidden_from_public")
        .first()
        if contribution.pk
        else None
    ) or (None, False)
    now = timezone.now()
    if contribution.area_id != stored_area_id:
        for name, value in _sorted_into(contribution, contribution.area, by, now).items():
            setattr(contribution, name, value)
    if not contribution.hidden_from_public:
        contribution.hidden_reason = Contribution.HiddenReason.NONE
    elif not stored_hidden:
        # Hiding a note needs a reason and reviews it, as contributions_hide does; notes hidden
        # before reasons were kept may stay without one.
        if not contribution.hidden_reason:
            raise HiddenReasonError("Select why the note is hidden from the public")
        if contribution.reviewed_at is None:
            for name, value in _reviewed(by, now).items():
                setattr(contribution, name, value)
    contribution._history_user = by
    contribution.save()
    suggestions_training_wanted()
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
            # Already there, but a triager chose the area for it: that reviews it.
            return _reviewed(by, now) if note.reviewed_at is None else {}
        changes = _sorted_into(note, area, by, now)
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
            changes |= _sorted_into(note, area, by, now)
            note._change_reason = f"Added to theme {theme}, so in {area}"
        elif changes and note.reviewed_at is None:
            changes |= _reviewed(by, now)
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
        change=lambda note: (
            {} if note.area_id == theme.area_id else _sorted_into(note, theme.area, by, now)
        ),
    )
    return len(moved)


class ThemeNameError(ValueError):
    """A theme's name is blank or already used by another theme of its workshop."""


def _theme_name(*, workshop_id: int, name: str, other_than: Theme | None = None) -> str:
    """The name stripped, refused when blank or when the workshop has a theme of that name
    whatever its case."""
    name = name.strip()
    if not name:
        raise ThemeNameError("Enter a name for the theme")
    taken = Theme.objects.filter(workshop_id=workshop_id, name__iexact=name)
    if other_than is not None:
        taken = taken.exclude(pk=other_than.pk)
    if taken.exists():
        raise ThemeNameError(f"This workshop already has a theme called “{name}”")
    return name


@transaction.atomic
def theme_rename(*, theme: Theme, name: str, by) -> Theme:
    """Give a theme a new name, unique in its workshop; its notes and actions stay with it.
    (Themes keep no history of their own: the public page shows the name it has now.)"""
    theme.name = _theme_name(workshop_id=theme.workshop_id, name=name, other_than=theme)
    theme.save(update_fields=["name"])
    return theme


@dataclass(frozen=True)
class ThemesMerged:
    survivor: Theme
    merged: list[str]
    notes: int
    moved_area: int
    actions: int


@transaction.atomic
def themes_merge(*, survivor: Theme, others, by) -> ThemesMerged:
    """Fold other themes of the survivor's workshop into it: their notes (removed ones too) and
    actions move to the survivor, each note with history, and the other themes go. The survivor
    keeps its name, summary and area; notes from a theme of another area move to its area, as
    notes added to a theme do. An action keeps its own area and owner, which were promised
    publicly: only its theme changes, with history."""
    others = [theme for theme in others if theme.pk != survivor.pk]
    if not others:
        raise ValueError("Choose at least one other theme to merge into the survivor.")
    if any(theme.workshop_id != survivor.workshop_id for theme in others):
        raise MixedWorkshopsError("Choose themes from one workshop to merge.")
    names = {theme.pk: theme.name for theme in others}
    notes = Contribution.objects.filter(theme__in=list(names))
    area = theme_area_for(contributions=notes, theme=survivor, area=None)
    if survivor.area_id != area.pk:
        survivor.area = area
        survivor.save(update_fields=["area"])
    now = timezone.now()
    moved_area = []

    def change(note):
        merged = f"Theme {names[note.theme_id]} merged into {survivor}"
        changes = {"theme": survivor}
        if note.area_id != area.pk:
            moved_area.append(note.pk)
            changes |= _sorted_into(note, area, by, now)
            merged += f", so in {area}"
        note._change_reason = merged
        return changes

    moved = _contributions_change(notes, by=by, now=now, reason="Themes merged", change=change)
    # The actions app builds on this one, so its model is reached through the relation.
    actions = list(survivor.actions.model.objects.filter(theme__in=list(names)))
    for action in actions:
        action._change_reason = f"Theme {names[action.theme_id]} merged into {survivor}"
        action.theme = survivor
        action.updated_at = now
    if actions:
        bulk_update_with_history(
            actions,
            survivor.actions.model,
            ["theme", "updated_at"],
            default_user=by,
            default_change_reason="Themes merged",
            default_date=now,
        )
    _keep_recurring_link(survivor, others=list(names), by=by)
    Theme.objects.filter(pk__in=list(names)).delete()
    workshops_progress_changed(workshops=Workshop.objects.filter(pk=survivor.workshop_id))
    return ThemesMerged(
        survivor=survivor,
        merged=sorted(names.values()),
        notes=len(moved),
        moved_area=len(moved_area),
        actions=len(actions),
    )


@transaction.atomic
def theme_split(*, theme: Theme, contributions: QuerySet[Contribution], new_name: str, by) -> Theme:
    """Move some of a theme's notes to a new theme of the same workshop and area, each note with
    history; returns the new theme."""
    notes = Contribution.objects.filter(pk__in=contributions.order_by().values("pk"))
    if not notes.exists():
        raise ValueError("Select the notes to move to the new theme.")
    if notes.exclude(theme=theme).exists():
        raise ThemeAreaError(f"Select notes of the theme “{theme}” only.")
    name = _theme_name(workshop_id=theme.workshop_id, name=new_name)
    new = Theme.objects.create(workshop_id=theme.workshop_id, name=name, area=theme.area)
    now = timezone.now()

    def change(note):
        changes = {"theme": new}
        if new.area_id and note.area_id != new.area_id:
            changes |= _sorted_into(note, new.area, by, now)
        return changes

    _contributions_change(
        notes, by=by, now=now, reason=f"Split from theme {theme} into {new}", change=change
    )
    return new


class QuestionClosureError(ValueError):
    """A question may close only by an answer, a route to an action or a published reason."""


def _open_question(question: Contribution, *, routed_too: bool = False) -> Contribution:
    locked = Contribution.objects.select_for_update().get(pk=question.pk)
    if locked.kind != Contribution.Kind.QUESTION:
        raise QuestionClosureError("Only questions are acknowledged and closed.")
    if locked.closed_at is not None and not (
        routed_too and locked.closure == Contribution.Closure.ROUTED
    ):
        raise QuestionClosureError(_("This question is already closed."))
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


OUT_OF_ORDER = (
    "Older questions of this workshop are still open: say why this one is answered or closed "
    "before them"
)


def _close(
    question: Contribution,
    by,
    closure: str,
    *,
    routed_too: bool = False,
    out_of_order_reason: str = "",
    **changes,
) -> Contribution:
    """Close a question; the asker, if they gave an email, is told once it commits. Answering or
    closing ahead of older open questions needs a reason, which is published; a routed question
    left the queue when it was routed."""
    locked = _open_question(question, routed_too=routed_too)
    out_of_order_reason = out_of_order_reason.strip()
    if (
        closure != Contribution.Closure.ROUTED
        and locked.closed_at is None
        and not out_of_order_reason
        and Contribution.objects.asked_before(locked).exists()
    ):
        raise QuestionClosureError(OUT_OF_ORDER)
    if out_of_order_reason:
        changes["out_of_order_reason"] = out_of_order_reason
    now = timezone.now()
    closed = _save_question(
        question,
        locked,
        by,
        acknowledged_at=locked.acknowledged_at or now,
        closed_at=now,
        closed_by=by,
        closure=closure,
        **changes,
    )
    if Asker.objects.filter(question=locked).exists():
        enqueue_on_commit(asker_answer_send, question_id=locked.pk)
    return closed


@transaction.atomic
def question_answer(
    *, question: Contribution, by, answer: str, out_of_order_reason: str = ""
) -> Contribution:
    """Close a question with a published answer, from staff or the owner it was routed to; a
    routed question may still get a direct answer from its action's owner. An owner's answer
    waiting for review is replaced by the one published."""
    if not answer.strip():
        raise QuestionClosureError(_("Enter an answer"))
    return _close(
        question,
        by,
        Contribution.Closure.ANSWERED,
        routed_too=True,
        out_of_order_reason=out_of_order_reason,
        answer=answer.strip(),
        proposed_answer="",
        proposed_answer_by=None,
        proposed_answer_at=None,
    )


@transaction.atomic
def question_close(
    *, question: Contribution, by, reason: str, out_of_order_reason: str = ""
) -> Contribution:
    """Close a question without an answer, giving the reason the public will read."""
    if not reason.strip():
        raise QuestionClosureError("Enter the reason for closing the question")
    return _close(
        question,
        by,
        Contribution.Closure.CLOSED,
        out_of_order_reason=out_of_order_reason,
        closure_reason=reason.strip(),
    )


@transaction.atomic
def question_answer_propose(*, question: Contribution, by, answer: str) -> Contribution:
    """Keep the answer an action's owner gave to a question routed to it until an organiser
    publishes it (question_answer)."""
    if not answer.strip():
        raise QuestionClosureError(_("Enter an answer"))
    locked = _open_question(question, routed_too=True)
    if locked.closure != Contribution.Closure.ROUTED:
        raise QuestionClosureError(_("Only a question routed to an action waits for its answer."))
    return _save_question(
        question,
        locked,
        by,
        proposed_answer=answer.strip(),
        proposed_answer_by=by,
        proposed_answer_at=timezone.now(),
    )


@transaction.atomic
def question_route(*, question: Contribution, by) -> Contribution:
    """Close a question that became part of an action; from then on it follows that action."""
    if not question.action_sources.exists():
        raise QuestionClosureError("Link the question to an action before routing it")
    return _close(question, by, Contribution.Closure.ROUTED)


@transaction.atomic
def asker_confirm(
    *, question: Contribution, email: str, language: str = settings.LANGUAGE_CODE
) -> Asker:
    """Keep the address an asker confirmed, and the language to write to them in; confirming
    again changes nothing. A question already answered or closed is told at once."""
    asker, created = Asker.objects.get_or_create(
        question=question,
        defaults={
            "email": normalise_email(email),
            "consent_at": timezone.now(),
            "language": language,
        },
    )
    if created and question.closed_at is not None:
        enqueue_on_commit(asker_answer_send, question_id=question.pk)
    return asker


def asker_forget(*, question: Contribution, email: str) -> bool:
    """Delete the asker's address: they will not be told, and nothing of them is kept."""
    deleted, _ = Asker.objects.filter(question=question, email=normalise_email(email)).delete()
    return bool(deleted)


def online_contribution_add(
    *, group: FlipchartGroup, kind: str, text: str, at: datetime.datetime | None = None
) -> Contribution:
    """Store a question or view sent through the workshop's online form: anonymous, unreviewed
    (online notes always wait for review), in the queue from the moment it was sent."""
    at = at or timezone.now()
    contribution = Contribution(
        group=group,
        kind=kind,
        text=text.strip(),
        channel=Contribution.Channel.ONLINE,
        entered_at=at,
        asked_at=at,
    )
    contribution._change_reason = "Sent online"
    contribution.save()
    return contribution


# The triage workbench: one note at a time from the keyboard, or several selected at once.

WORKBENCH_REASON = "Triaged in the workbench"
WORKBENCH_UNDO_REASON = "Undid a workbench save"
# What a workbench save may change, and so what undoing it puts back.
WORKBENCH_FIELDS = [
    "area",
    "theme",
    "hidden_from_public",
    "hidden_reason",
    "triaged_at",
    "triaged_by",
    "reviewed_at",
    "reviewed_by",
]


class WorkbenchError(ValueError):
    """A workbench choice that cannot be saved; the message says what to do instead, `field`
    which choice it is about."""

    def __init__(self, message: str, *, field: str = ""):
        super().__init__(message)
        self.message = message
        self.field = field


class NothingToUndo(WorkbenchError):
    """The note's latest change is not a workbench save that can be taken back."""


def workbench_theme(
    *, workshop: Workshop, area: Area | None, theme: Theme | None, new_theme_name: str = ""
) -> Theme | None:
    """The theme a workbench choice names, made if it is new (a same-named theme of the workshop
    is reused), given `area` if it has none. A theme of another area than `area` is refused."""
    name = new_theme_name.strip()
    if theme is not None and name:
        raise WorkbenchError("Choose a theme or name a new one, not both", field="theme")
    if name:
        theme = Theme.objects.filter(workshop=workshop, name__iexact=name).first()
        if theme is None:
            if area is None:
                raise WorkbenchError("Select an area for the new theme", field="area")
            return Theme.objects.create(workshop=workshop, name=name, area=area)
    if theme is None:
        return None
    if theme.workshop_id != workshop.pk:
        raise WorkbenchError("Choose a theme from this workshop", field="theme")
    if theme.area_id is None:
        if area is None:
            raise WorkbenchError(f"Select an area: “{theme}” has none yet", field="area")
        theme.area = area
        theme.save(update_fields=["area"])
    elif area is not None and theme.area_id != area.pk:
        raise WorkbenchError(
            f"“{theme}” is in {theme.area}: choose that area or another theme", field="theme"
        )
    return theme


def _workbench_changes(
    note: Contribution,
    *,
    by,
    now,
    area: Area | None,
    theme: Theme | None,
    hidden_reason: str | None,
    themes_by_pk: dict[int, Theme] | None = None,
) -> dict[str, Any]:
    """The fields a note takes from a workbench choice. A theme sets the area; a new area
    clears a theme of another area; `hidden_reason` None leaves hiding alone, "" shows the note.
    Every choice marks the note reviewed."""
    if theme is not None:
        area = theme.area
    changes: dict[str, Any] = {}
    if area is not None and note.area_id != area.pk:
        changes |= _triage(area, by, now)
    if theme is not None:
        if note.theme_id != theme.pk:
            changes["theme"] = theme
    elif area is not None and note.theme_id:
        current = (themes_by_pk or {}).get(note.theme_id) or note.theme
        if current.area_id != area.pk:
            changes["theme"] = None
    if hidden_reason is not None:
        hidden = bool(hidden_reason)
        if note.hidden_from_public != hidden or note.hidden_reason != hidden_reason:
            changes["hidden_from_public"] = hidden
            changes["hidden_reason"] = hidden_reason
    changes["reviewed_at"] = now
    changes["reviewed_by"] = by
    return changes


def _check_hidden_reason(hidden_reason: str | None) -> None:
    if hidden_reason is not None and hidden_reason not in Contribution.HiddenReason.values:
        raise WorkbenchError("Select why the note is hidden", field="hidden_reason")


def _keep_state_before(without_history: list[Contribution]) -> None:
    """A history row for each of these notes as it is now, dated when it was last changed."""
    for note in without_history:
        note._history_date = note.updated_at
    if without_history:
        Contribution.history.bulk_history_create(
            without_history, default_change_reason="As captured"
        )


@transaction.atomic
def contribution_triage(
    *,
    contribution: Contribution,
    by,
    area: Area | None,
    theme: Theme | None = None,
    new_theme_name: str = "",
    hidden_reason: str = "",
    suggested_area: Area | None = None,
) -> Contribution:
    """Save one note's triage from the workbench: its area, theme (existing or new) and whether
    it is hidden from the public and why; marks it reviewed by `by`, with one history row.
    A note needs an area (or a theme, which brings one) unless it is hidden. With the area the
    workbench suggested, the note also records whether the triager accepted or changed it."""
    _check_hidden_reason(hidden_reason)
    workshop = contribution.group.workshop
    theme = workbench_theme(
        workshop=workshop, area=area, theme=theme, new_theme_name=new_theme_name
    )
    if area is None and theme is None and not hidden_reason:
        raise WorkbenchError("Select an area", field="area")
    notes = Contribution.objects.filter(pk=contribution.pk)
    now = timezone.now()
    # The note's theme as the caller read it, so a new area need not look it up again.
    themes_by_pk = {contribution.theme_id: contribution.theme} if contribution.theme_id else {}
    changed = _contributions_change(
        notes,
        by=by,
        now=now,
        reason=WORKBENCH_REASON,
        keep_state_before=True,
        change=lambda note: _suggestion_taken(
            _workbench_changes(
                note,
                by=by,
                now=now,
                area=area,
                theme=theme,
                hidden_reason=hidden_reason,
                themes_by_pk=themes_by_pk,
            ),
            note,
            suggested_area,
        ),
    )
    if not changed:
        raise WorkbenchError("This note has been removed")
    saved = changed[0]
    saved.group = contribution.group
    return saved


@transaction.atomic
def contribution_triage_undo(*, contribution: Contribution, by) -> Contribution:
    """Take back `by`'s last workbench save of a note: its fields return to the values its
    history held before, with a history row of their own. Refused (NothingToUndo) when the
    note's latest change is anything else."""
    records = list(contribution.history.order_by("-history_date", "-history_id")[:2])
    if (
        len(records) < 2
        or records[0].history_change_reason != WORKBENCH_REASON
        or records[0].history_user_id != by.pk
    ):
        raise NothingToUndo("There is no save of yours to undo on this note")
    before = records[1]
    theme_id = before.theme_id
    if theme_id and not Theme.objects.filter(pk=theme_id).exists():
        theme_id = None
    restored = {
        "area_id": before.area_id,
        "theme_id": theme_id,
        "hidden_from_public": before.hidden_from_public,
        "hidden_reason": before.hidden_reason,
        "triaged_at": before.triaged_at,
        "triaged_by_id": before.triaged_by_id,
        "reviewed_at": before.reviewed_at,
        "reviewed_by_id": before.reviewed_by_id,
    }
    changed = _contributions_change(
        Contribution.objects.filter(pk=contribution.pk),
        by=by,
        now=timezone.now(),
        reason=WORKBENCH_UNDO_REASON,
        change=lambda note: {
            name: value for name, value in restored.items() if getattr(note, name) != value
        },
    )
    if not changed:
        raise NothingToUndo("This note is already as it was before the save")
    return changed[0]


@dataclass(frozen=True)
class NotesTriaged:
    changed: list[Contribution]
    theme: Theme | None


@transaction.atomic
def contributions_triage(
    *,
    contributions: QuerySet[Contribution],
    by,
    area: Area | None = None,
    theme: Theme | None = None,
    new_theme_name: str = "",
    hidden_reason: str | None = None,
) -> NotesTriaged:
    """Set the area, theme or hiding of several notes of one workshop at once, marking each
    reviewed with one history row; what is not given is left as it is."""
    _check_hidden_reason(hidden_reason)
    if area is None and theme is None and not new_theme_name.strip() and hidden_reason is None:
        raise WorkbenchError("Choose an area, a theme or a reason to hide")
    workshop = contributions_workshop(contributions)
    theme = workbench_theme(
        workshop=workshop, area=area, theme=theme, new_theme_name=new_theme_name
    )
    themes_by_pk = {
        theme.pk: theme
        for theme in Theme.objects.filter(pk__in=contributions.order_by().values("theme"))
    }
    now = timezone.now()
    changed = _contributions_change(
        contributions,
        by=by,
        now=now,
        reason=WORKBENCH_REASON,
        keep_state_before=True,
        change=lambda note: _workbench_changes(
            note,
            by=by,
            now=now,
            area=area,
            theme=theme,
            hidden_reason=hidden_reason,
            themes_by_pk=themes_by_pk,
        ),
    )
    return NotesTriaged(changed=changed, theme=theme)


# Importing notes from other tools' files


NOTES_IMPORT_BATCH = 1000
# Digests looked up at a time: below SQLite's limit on a query's parameters.
DIGEST_LOOKUP_CHUNK = 900
IMPORT_REASON = "Imported from a file"


@dataclass(frozen=True)
class NotesImported:
    added: int
    already_there: int


@transaction.atomic
def notes_import(
    *,
    workshop: Workshop,
    rows: list[ImportRow],
    by,
    on_batch: Callable[[int, int], None] | None = None,
) -> NotesImported:
    """Store a file's checked rows as unreviewed notes, all or none, each with one history row.
    Rows imported before (same content and source, see row_digests) are not stored again.
    `on_batch(done, total)` is told after each batch, for a progress line."""
    digests = row_digests(workshop, rows)
    existing = set()
    for start in range(0, len(digests), DIGEST_LOOKUP_CHUNK):
        existing.update(
            Contribution.objects.filter(
                import_digest__in=digests[start : start + DIGEST_LOOKUP_CHUNK]
            ).values_list("import_digest", flat=True)
        )
    now = timezone.now()
    new = [
        Contribution(
            group=row.group,
            text=row.text,
            kind=row.kind,
            channel=Contribution.Channel.IMPORT,
            source=row.source,
            asked_by=row.asked_by,
            asked_at=row.asked_at,
            # A question waits from when it was asked, not from when its file arrived.
            entered_at=row.asked_at or now,
            entered_by=by,
            import_digest=digest,
        )
        for row, digest in zip(rows, digests, strict=True)
        if digest not in existing
    ]
    try:
        with transaction.atomic():
            for start in range(0, len(new), NOTES_IMPORT_BATCH):
                bulk_create_with_history(
                    new[start : start + NOTES_IMPORT_BATCH],
                    Contribution,
                    batch_size=NOTES_IMPORT_BATCH,
                    default_user=by,
                    default_change_reason=IMPORT_REASON,
                    default_date=now,
                )
                if on_batch:
                    on_batch(min(start + NOTES_IMPORT_BATCH, len(new)), len(new))
    except IntegrityError:
        # The same file imported twice at once: the other import stored these rows first.
        raise ImportRefused(
            "Some of these rows were imported by someone else at the same moment: "
            "import the file again to add any that are missing"
        ) from None
    if new and not workshop.notes_public_after_review:
        workshops_progress_changed(workshops=Workshop.objects.filter(pk=workshop.pk))
    return NotesImported(added=len(new), already_there=len(rows) - len(new))


def _suggestion_taken(
    changes: dict[str, Any], note: Contribution, suggested: Area | None
) -> dict[str, Any]:
    """Add to a workbench save whether the note's area is the one suggested: the service's own
    hit rate. Only the first triage of a note with a suggestion counts."""
    if suggested is None or not changes or note.suggestion:
        return changes
    chosen = changes.get("area", note.area)
    if chosen is None:
        return changes
    outcome = SuggestionOutcome.ACCEPTED if chosen.pk == suggested.pk else SuggestionOutcome.CHANGED
    return {**changes, "suggested_area": suggested, "suggestion": outcome}


# Recurring themes: one thing said at workshop after workshop.


class RecurringLinkError(ValueError):
    """A theme cannot join this recurring theme (see link_area_problem)."""


RECURRING_PROPOSALS = 3


def recurring_theme_proposals(theme: Theme, limit: int = RECURRING_PROPOSALS) -> list:
    """The recurring themes of the theme's area most like it, best first, at most `limit`, each
    with `score`: the suggestion engine compares the theme's name and notes with each recurring
    theme's name and the names and notes of the themes already in it. Three queries."""
    if theme.area_id is None:
        return []
    candidates = {
        recurring.pk: recurring
        for recurring in RecurringTheme.objects.filter(area_id=theme.area_id)
        .annotate(workshop_count=Count("themes__workshop", distinct=True))
        .prefetch_related("themes")
    }
    if not candidates:
        return []
    texts = {pk: [] for pk in candidates}
    own = []
    notes = (
        Contribution.objects.present()
        .filter(Q(theme__recurring_link__recurring_theme__in=list(candidates)) | Q(theme=theme))
        .values_list("theme_id", "theme__recurring_link__recurring_theme_id", "text")
        .order_by("pk")
    )
    for theme_id, recurring_id, text in notes:
        (own if theme_id == theme.pk else texts[recurring_id]).append(text)
    area = str(theme.area_id)
    ranked = rank_recurring(
        ThemeText(name=theme.name, notes=tuple(own), area=area),
        [
            ThemeText(
                name=recurring.name,
                notes=tuple(t.name for t in recurring.themes.all()) + tuple(texts[recurring.pk]),
                area=area,
                key=recurring.pk,
            )
            for recurring in candidates.values()
        ],
        limit=limit,
    )
    proposals = []
    for text, score in ranked:
        recurring = candidates[text.key]
        recurring.score = score
        proposals.append(recurring)
    return proposals


@transaction.atomic
def theme_link_recurring(*, theme: Theme, recurring: RecurringTheme, by) -> RecurringThemeLink:
    """Count the theme as one more time the recurring theme was raised; a theme already in
    another recurring theme moves to this one. Refused when their areas differ."""
    problem = link_area_problem(theme, recurring)
    if problem:
        raise RecurringLinkError(problem)
    link = RecurringThemeLink.objects.filter(theme=theme).first()
    if link is not None and link.recurring_theme_id == recurring.pk:
        return link
    if link is None:
        link = RecurringThemeLink(theme=theme)
        link._change_reason = link.change_reason(f"Linked to {recurring}")
    else:
        link._change_reason = link.change_reason(
            f"Moved from {link.recurring_theme} to {recurring}"
        )
    link.recurring_theme = recurring
    link.linked_by = by
    link.linked_at = timezone.now()
    link._history_user = by
    link.save()
    workshops_progress_changed(workshops=Workshop.objects.filter(pk=theme.workshop_id))
    return link


def _keep_recurring_link(survivor: Theme, *, others: list[int], by) -> None:
    """A survivor of a merge not yet in a recurring theme joins the one a merged theme was in
    (the first of them, if its area allows), so that the workshop still counts there."""
    if RecurringThemeLink.objects.filter(theme=survivor).exists():
        return
    link = (
        RecurringThemeLink.objects.filter(theme__in=others, recurring_theme__area=survivor.area_id)
        .select_related("recurring_theme")
        .order_by("pk")
        .first()
    )
    if link is not None:
        theme_link_recurring(theme=survivor, recurring=link.recurring_theme, by=by)


@transaction.atomic
def theme_unlink_recurring(*, theme: Theme, by) -> bool:
    """Take the theme out of its recurring theme, if it is in one (kept in history)."""
    link = RecurringThemeLink.objects.filter(theme=theme).first()
    if link is None:
        return False
    link._history_user = by
    link._change_reason = link.change_reason(f"Unlinked from {link.recurring_theme}")
    link.delete()
    workshops_progress_changed(workshops=Workshop.objects.filter(pk=theme.workshop_id))
    return True


def _free_slug(name: str) -> str:
    base = slugify(name)[:90] or "theme"
    taken = set(RecurringTheme.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


@transaction.atomic
def recurring_theme_start(*, theme: Theme, by) -> RecurringTheme:
    """A new recurring theme named after the theme, in its area, with the theme linked."""
    if theme.area_id is None:
        raise RecurringLinkError(f"“{theme}” has no area yet: give it one first")
    if RecurringTheme.objects.filter(name__iexact=theme.name).exists():
        raise RecurringLinkError(f"There is already a recurring theme called “{theme.name}”")
    recurring = RecurringTheme.objects.create(
        name=theme.name, slug=_free_slug(theme.name), summary=theme.summary, area=theme.area
    )
    theme_link_recurring(theme=theme, recurring=recurring, by=by)
    return recurring
