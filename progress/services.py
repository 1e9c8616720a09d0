"""Following a workshop: consent recorded and withdrawn; personal data deleted when its time is
up."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.throttle import sign_in_records_delete
from feedback_site.emails import normalise_email
from workshops.models import Asker, Follower, Workshop


def follower_confirm(*, workshop: Workshop, email: str) -> Follower:
    """Record consent to follow a workshop; confirming again changes nothing."""
    now = timezone.now()
    follower, _ = Follower.objects.get_or_create(
        workshop=workshop,
        email=normalise_email(email),
        defaults={"consent_at": now, "digest_sent_up_to": now},
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
