"""Jobs of the public side: the email that confirms following a workshop, daily digests, the
daily deletion of personal data past the time the privacy notice gives, and the report back's
emails: to its followers once it is published, and the organisers' reminders that it is due."""

from django.utils import timezone

from feedback_site.jobs import job, scheduled
from progress.following import digests_send, send_confirmation
from progress.models import WorkshopReport
from progress.services import (
    report_published_tell_all,
    report_reminders_send,
    retention_clean_up,
)
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


@job
def report_published_tell(*, report_id: int) -> int:
    """Tell a published report's recipients it is out; returns how many were emailed (none
    twice, however often the job runs)."""
    report = WorkshopReport.objects.select_related("workshop").filter(pk=report_id).first()
    if report is None or not report.is_published:
        return 0
    return report_published_tell_all(report=report)


@scheduled(every="day")
@job
def report_reminders_send_daily() -> int:
    """Remind the organisers of reports due soon, due today or late; returns how many."""
    return len(report_reminders_send())
