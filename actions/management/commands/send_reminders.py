"""Send the reminder emails that are due. Safe to run every hour: nothing is sent twice."""

from django.core.management.base import BaseCommand

from actions.services import overdue_questions_remind, reminders_send


class Command(BaseCommand):
    help = (
        "Send the action reminders that are due (the ladder in actions/reminders.py) and the "
        "organisers' daily list of overdue questions, and record them."
    )

    def handle(self, *args, **options):
        sent = reminders_send()
        for record in sent:
            count = len(record.recipients.split()) if record.recipients else 0
            self.stdout.write(f"{record.step} for action {record.action_id}: {count} emails")
        self.stdout.write(f"Sent {len(sent)} reminders.")
        questions = overdue_questions_remind()
        if questions is not None:
            self.stdout.write(
                f"Told the organisers about {questions.question_count} overdue questions."
            )
