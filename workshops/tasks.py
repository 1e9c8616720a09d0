"""Jobs of the workshops app: training the suggestion engine on the service's triaged notes."""

from feedback_site.jobs import enqueue_once_per_slot, job, scheduled
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
