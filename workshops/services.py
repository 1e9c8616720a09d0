import datetime
import uuid
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from workshops.capture import ParsedNote, notes_digest
from workshops.models import CaptureBatch, Contribution, FlipchartGroup, FlipchartPhoto, Workshop
from workshops.photos import CheckedPhoto


@transaction.atomic
def contributions_remove(*, contributions: QuerySet[Contribution], by) -> int:
    """Soft-remove contributions, recording who and when; returns how many were removed."""
    return contributions.present().update(removed_at=timezone.now(), removed_by=by)


@transaction.atomic
def contributions_restore(*, contributions: QuerySet[Contribution]) -> int:
    """Bring soft-removed contributions back; returns how many were restored."""
    return contributions.filter(removed_at__isnull=False).update(removed_at=None, removed_by=None)


@dataclass(frozen=True)
class CaptureResult:
    batch: CaptureBatch
    created: bool


class CaptureKeyReused(Exception):
    """A form's one-time key came back with different notes from those it first sent."""


def earlier_capture(*, key: uuid.UUID, group: FlipchartGroup, digest: str) -> CaptureResult | None:
    """The batch this key stored before, if any; a different group or content is refused."""
    batch = CaptureBatch.objects.filter(key=key).first()
    if batch is None:
        return None
    if batch.group_id != group.pk or batch.content_digest != digest:
        raise CaptureKeyReused
    return CaptureResult(batch=batch, created=False)


def notes_capture(
    *,
    group: FlipchartGroup,
    by,
    key: uuid.UUID,
    notes: list[ParsedNote],
    at: datetime.datetime | None = None,
) -> CaptureResult:
    """Store a submit's notes in one transaction, once: resending the same notes with the same
    key stores nothing and returns the first batch. Select `group.workshop` with the group."""
    digest = notes_digest(notes)
    earlier = earlier_capture(key=key, group=group, digest=digest)
    if earlier is not None:
        return earlier
    at = at or timezone.now()
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
    except IntegrityError:
        # The same key arrived twice at the same moment: the first one stored the notes.
        earlier = earlier_capture(key=key, group=group, digest=digest)
        if earlier is None:
            raise
        return earlier
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
