"""Jobs of the workshops: confirming askers' addresses and telling them what became of their
question."""

from feedback_site.jobs import job
from workshops.askers import answer_send, send_confirmation
from workshops.models import Contribution


@job
def asker_answer_send(*, question_id: int) -> bool:
    """Tell the asker the outcome of their question, once; False if there is nothing to tell."""
    return answer_send(question_id=question_id)


@job
def asker_confirmation_send(*, question_id: int, email: str, site_url: str) -> bool:
    """Email the link that keeps an asker's address; False if the question has gone."""
    question = (
        Contribution.objects.present()
        .select_related("group__workshop")
        .filter(pk=question_id, group__workshop__is_published=True)
        .first()
    )
    if question is None:
        return False
    send_confirmation(question=question, email=email, site_url=site_url)
    return True
