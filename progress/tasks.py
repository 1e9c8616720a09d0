"""Jobs of the public side: the email that confirms following a workshop, daily digests, and the
daily deletion of personal data past the time the privacy notice gives."""

from django.utils import timezone

from feedback_site.jobs import job, scheduled
from progress.following import digests_send, send_confirmation
from progress.services import retention_clean_up
from workshops.models import Workshop


@job
def follow_confirmation_send(*, workshop_id: int, email: str, site_url: str) -> bool:
    """Email the link that starts a follow; False if the workshop is no longer published."""
    workshop = Workshop.objects.filter(pk=workshop_id, is_published=True).first()
    if workshop is None:
        return False
    send_confirmation(workshop=workshop, email=email, site_url=site_url)
    return True


@scheduled(every="day")
@job
def digests_send_daily() -> int:
    """Send each follower what changed since their last digest; returns how many were sent."""
    return digests_send()


@scheduled(every="day")
@job
def retention_clean_up_daily() -> dict:
    """Delete followers' and askers' addresses and sign-in records past their time; returns how
    many."""
    deleted = retention_clean_up(now=timezone.now())
    return {
        "followers": deleted.followers,
        "askers": deleted.askers,
        "sign_in_records": deleted.sign_in_records,
    }
