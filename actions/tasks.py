"""Jobs of the actions app: the reminder ladder (assignment mail included) every hour, the
organisers' list of overdue questions every day, and each organisation's board pack every month."""

from actions.models import BoardPackFile, Organisation
from actions.packs import board_pack, digest_of, pack_file_store
from actions.services import (
    board_pack_send,
    overdue_questions_remind,
    pack_month,
    reminders_send,
)
from feedback_site.jobs import enqueue_on_commit, job, scheduled


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


@scheduled(every="month")
@job
def board_packs_send_monthly() -> int:
    """Queue this month's board pack for every organisation that owns actions, a job each, so
    that one failing is tried again on its own; returns how many were queued."""
    month = pack_month()
    organisations = list(
        Organisation.objects.filter(actions__isnull=False).distinct().values_list("pk", flat=True)
    )
    for organisation_id in organisations:
        enqueue_on_commit(board_pack_email, organisation_id=organisation_id, month=month)
    return len(organisations)


@job
def board_pack_email(*, organisation_id: int, month: str) -> bool:
    """Render the organisation's pack as a PDF and email it to its members, once a month;
    False if it had been sent, or there was nothing to send."""
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None:
        return False
    return board_pack_send(organisation=organisation, month=month) is not None


@job
def board_pack_file_render(*, organisation_id: int, digest: str) -> bool:
    """Render the PDF of the pack a member is reading, so that their download is served as
    stored; False when there was nothing to render. When the pack has changed since they read
    it, the job renders the pack as it is now and drops the other, which their next look asks
    for no more."""
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None:
        return False
    pack = board_pack(organisation)
    rendered = digest_of(pack)
    if rendered != digest:
        BoardPackFile.objects.filter(
            organisation=organisation, digest=digest, rendered_at__isnull=True
        ).delete()
    if BoardPackFile.objects.ready().filter(organisation=organisation, digest=rendered).exists():
        return False
    pack_file_store(pack, rendered)
    return True
