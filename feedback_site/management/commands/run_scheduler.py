"""The one entry for scheduled jobs: queues each (reminders hourly; digests, overdue questions
and clean-ups daily) once per period, however many schedulers run, and puts back on the queue
jobs whose worker died."""

import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from feedback_site.jobs import load_schedule, schedule_tick


class Command(BaseCommand):
    help = (
        "Queue the scheduled jobs that are due, once per hour or day however many schedulers "
        "run. Runs until stopped, looking every --interval seconds; --once looks once (for cron)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Look once, then exit.")
        parser.add_argument(
            "--interval", type=float, default=60, help="Seconds between looks (default 60)."
        )

    def handle(self, *args, once=False, interval=60, **options):
        schedule = load_schedule()
        if options["verbosity"] > 1:
            for entry in schedule.values():
                self.stdout.write(f"{entry.name}: every {entry.every}")
        while True:
            close_old_connections()
            for name in schedule_tick():
                self.stdout.write(f"Queued {name}.")
            if once:
                return
            time.sleep(interval)
