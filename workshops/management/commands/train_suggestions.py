"""Train the suggestion engine now, as the suggestions_train job does after triage."""

import time

from django.core.management.base import BaseCommand

from workshops.suggestions import service_model_train


class Command(BaseCommand):
    help = (
        "Train the suggestion engine on every triaged note and store it for every server "
        "process (the suggestions_train job does this after triage and every hour)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="train even when no triaged note has changed"
        )

    def handle(self, *args, **options):
        started, cpu = time.monotonic(), time.process_time()
        stored = service_model_train(force=options["force"])
        if stored is None:
            self.stdout.write("Nothing has changed since the newest model: not trained again.")
            return
        self.stdout.write(
            f"Learnt from {stored.notes} triaged notes in {time.monotonic() - started:.1f} s "
            f"({time.process_time() - cpu:.1f} s CPU); model of {len(stored.payload) / 1e6:.1f} MB "
            "stored for every server process."
        )
