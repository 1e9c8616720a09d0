"""The report back on a workshop, and the records that make its emails go once."""

from django.conf import settings
from django.db import models
from django.urls import reverse

from actions.dates import default_due_date
from workshops.models import Workshop


class WorkshopReport(models.Model):
    """What the organisers tell everyone 3 months after a workshop. They write the narrative
    (the draft fields); publishing freezes it with the figures of that moment in `published`,
    which is all the public report shows. The report-back date is the workshop's date plus 3
    calendar months (so it follows the workshop's date) unless an organiser moved it."""

    workshop = models.OneToOneField(Workshop, on_delete=models.CASCADE, related_name="report")
    introduction = models.TextField(blank=True)
    next_steps = models.TextField(blank=True)
    moved_due_date = models.DateField(
        null=True,
        blank=True,
        help_text="Empty: the report is due 3 calendar months after the workshop.",
    )
    published = models.JSONField(
        null=True,
        blank=True,
        editable=False,
        help_text="The published report: narrative and figures as they were when published.",
    )
    first_published_at = models.DateTimeField(null=True, blank=True, editable=False)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["workshop"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(published__isnull=True, published_at__isnull=True)
                | models.Q(published__isnull=False, published_at__isnull=False),
                name="workshop_report_published_with_its_content",
            ),
        ]

    def __str__(self):
        return f"Report on {self.workshop}"

    def get_absolute_url(self):
        return reverse("progress:report", kwargs={"slug": self.workshop.slug})

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def due_date(self):
        return self.moved_due_date or default_due_date(self.workshop.date)


class ReportReminderSent(models.Model):
    """One step of the report-back reminders sent for a workshop; unique so that it goes once
    per period, however often the scheduler runs."""

    workshop = models.ForeignKey(
        Workshop, on_delete=models.CASCADE, related_name="report_reminders"
    )
    step = models.CharField(max_length=50)
    period = models.CharField(
        max_length=50, help_text="The due date the step counts from, and which week when weekly."
    )
    recipients = models.TextField(help_text="Email addresses, one per line.")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["workshop", "step", "period"], name="report_reminder_sent_once_per_period"
            ),
        ]

    def __str__(self):
        return f"{self.step} for {self.workshop} ({self.period})"


class ReportNotice(models.Model):
    """A published report told to one person, so that a retried job or a second publication
    emails nobody twice. The address is kept only as a digest: the followers' own rows are
    deleted when their time is up, and this must not outlive them."""

    report = models.ForeignKey(WorkshopReport, on_delete=models.CASCADE, related_name="notices")
    recipient_digest = models.CharField(max_length=64)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "recipient_digest"], name="report_notice_once_per_recipient"
            ),
        ]

    def __str__(self):
        return f"{self.report} told on {self.sent_at:%d %B %Y}"
