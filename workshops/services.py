from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from workshops.models import Contribution


@transaction.atomic
def contributions_remove(*, contributions: QuerySet[Contribution], by) -> int:
    """Soft-remove contributions, recording who and when; returns how many were removed."""
    return contributions.present().update(removed_at=timezone.now(), removed_by=by)


@transaction.atomic
def contributions_restore(*, contributions: QuerySet[Contribution]) -> int:
    """Bring soft-removed contributions back; returns how many were restored."""
    return contributions.filter(removed_at__isnull=False).update(removed_at=None, removed_by=None)
