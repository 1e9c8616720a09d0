"""Delete personal data past the time the privacy notice gives. Safe to run as often as wanted."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from progress.services import retention_clean_up


class Command(BaseCommand):
    help = (
        "Delete followers' and askers' email addresses and sign-in records older than the "
        "privacy notice allows (FOLLOWER_RETENTION_DAYS, ASKER_RETENTION_DAYS, "
        "SIGN_IN_RECORD_RETENTION_DAYS)."
    )

    def handle(self, *args, **options):
        result = retention_clean_up(now=timezone.now())
        self.stdout.write(
            f"Deleted {result.followers} follower email addresses, {result.askers} asker email "
            f"addresses and {result.sign_in_records} sign-in records."
        )
