from django.core.management.base import BaseCommand

from progress.following import digests_send


class Command(BaseCommand):
    help = "Email each follower what changed on their workshops since their last digest."

    def handle(self, *args, **options):
        sent = digests_send()
        self.stdout.write(f"Sent {sent} digest{'s' if sent != 1 else ''}.")
