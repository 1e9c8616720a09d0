"""Jobs of the workshops app: training the suggestion engine on the service's triaged notes,
confirming askers' addresses and telling them what became of their question."""

from feedback_site.jobs import enqueue_once_per_slot, job, scheduled
from workshops.askers import answer_send, send_confirmation
from workshops.models import Contribution
from workshops.suggestions import service_model_train

# Triage changes within this many seconds share one training, run when they are over.
TRAIN_AFTER_SECONDS = 5 * 60


@scheduled(every="hour")
@job
def suggestions_train() -> int:
    """Train the suggestion engine on every triaged note and store it for every server process,
    unless nothing it learns from has changed since the newest stored model; returns how many
    notes it learnt from (0 when there was nothing new). Queued after triage changes, and run
    every hour as a safety net for changes that queued nothing (or a job lost with its worker):
    cheap then, when nothing has changed."""
    stored = service_model_train()
    return stored.notes if stored is not None else 0


def suggestions_training_wanted() -> None:
    """Triage changed: learn from it once the changes of the next few minutes are in."""
    enqueue_once_per_slot(suggestions_train, seconds=TRAIN_AFTER_SECONDS)


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
