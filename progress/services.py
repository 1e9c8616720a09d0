"""Following a workshop: consent recorded and withdrawn."""

from django.utils import timezone

from feedback_site.emails import normalise_email
from workshops.models import Follower, Workshop


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
