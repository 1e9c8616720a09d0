"""Jobs of the actions app: the reminder ladder (assignment mail included) every hour, and the
organisers' list of overdue questions every day."""

from actions.services import overdue_questions_remind, reminders_send
from feedback_site.jobs import job, scheduled


@scheduled(every="hour")
@job
def reminders_send_hourly() -> int:
    """Send every reminder step that has come (each is recorded once per period, so a second
    run sends nothing); returns how many were sent."""
    return len(reminders_send())


@scheduled(every="day")
@job
def overdue_questions_remind_daily() -> int:
    """Email the organisers the questions waiting too long; returns how many were listed."""
    record = overdue_questions_remind()
    return record.question_count if record is not None else 0
