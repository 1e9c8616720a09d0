"""Jobs of the public side: the email that confirms following a workshop, and daily digests."""

from feedback_site.jobs import job, scheduled
from progress.following import digests_send, send_confirmation
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
