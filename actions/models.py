import datetime

from django.conf import settings
from django.db import models
from django.db.models import Count, Exists, OuterRef, Subquery
from django.db.models.functions import Coalesce, Length, Trim
from django.db.models.lookups import GreaterThan
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.models import HistoricalRecords

from accounts.roles import OWNERS, is_organiser, is_owner
from workshops.models import Area, Contribution, Theme, Workshop


class OrganisationKind(models.TextChoices):
    DEPARTMENT = "department", _("Department")
    NETWORK = "network", _("Network")
    BOARD = "board", _("Board")
    TEAM = "team", _("Team")


class Organisation(models.Model):
    """A department, network, board or team that owns actions."""

    Kind = OrganisationKind

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    kind = models.CharField(
        max_length=20, choices=OrganisationKind.choices, default=OrganisationKind.DEPARTMENT
    )
    contact_email = models.EmailField(blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="organisations"
    )
    answers_published_at_once = models.BooleanField(
        "publish its answers to questions at once",
        default=False,
        help_text="Answers its members give to questions routed to its actions are published "
        "without an organiser reviewing them first.",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=OrganisationKind.values), name="organisation_kind_valid"
            ),
            models.CheckConstraint(
                condition=GreaterThan(Length(Trim("name")), 0), name="organisation_name_not_blank"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("actions:organisation_pack", kwargs={"organisation": self.slug})

    def acting_members(self):
        """Active members in the Owners role: the people who act for this organisation."""
        return self.members.filter(is_active=True, groups__name=OWNERS).order_by(
            "full_name", "email"
        )


class Status(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    BLOCKED = "blocked", _("Blocked")
    WONT_DO = "wont_do", _("Won't do")


CLOSED_STATUSES = (Status.DONE, Status.WONT_DO)


def rollup_sentence(*, count: int, reported: int, done: int) -> str:
    """How the departments an action was cascaded to are doing: a department has reported once
    its copy has a status update, and is done when its copy's status is done."""
    return ngettext(
        "%(reported)d of %(count)d department has reported; %(done)d done",
        "%(reported)d of %(count)d departments have reported; %(done)d done",
        count,
    ) % {"reported": reported, "count": count, "done": done}


class ActionItemQuerySet(models.QuerySet):
    def open(self):
        return self.exclude(status__in=CLOSED_STATUSES)

    def overdue(self, today: datetime.date | None = None):
        return self.open().filter(due_date__lt=today or timezone.localdate())

    def due_within(self, days: int, today: datetime.date | None = None):
        """Open actions due from today up to `days` days ahead."""
        today = today or timezone.localdate()
        return self.open().filter(
            due_date__gte=today, due_date__lte=today + datetime.timedelta(days=days)
        )

    def owned_by_member(self, user):
        return self.filter(owner__members=user)

    def with_latest_update(self, *, with_a_note: bool = False):
        """Annotate each action with its latest status update's note and time, in this query;
        `with_a_note` passes over updates that only changed the status or proposed a date."""
        latest = StatusUpdate.objects.filter(action=OuterRef("pk")).order_by("-created_at", "-pk")
        if with_a_note:
            latest = latest.filter(GreaterThan(Length(Trim("note")), 0))
        return self.annotate(
            latest_update_note=Subquery(latest.values("note")[:1]),
            latest_update_at=Subquery(latest.values("created_at")[:1]),
        )

    def with_cascade_progress(self):
        """Annotate how many actions were cascaded from each, how many reported, how many done."""
        children = ActionItem.objects.filter(parent=OuterRef("pk"))

        def count(queryset):
            counted = queryset.order_by().values("parent").annotate(n=Count("pk")).values("n")
            return Coalesce(Subquery(counted), 0)

        reported = Exists(StatusUpdate.objects.filter(action=OuterRef("pk")))
        return self.annotate(
            cascade_count=count(children),
            cascade_reported=count(children.filter(reported)),
            cascade_done=count(children.filter(status=Status.DONE)),
        )

    def set_cascade_progress(self, actions: list["ActionItem"]) -> None:
        """Give actions already fetched what `with_cascade_progress` annotates, from one grouped
        query over their copies: for a list, cheaper to build and run than three correlated
        subqueries in its main query."""
        reported = Exists(StatusUpdate.objects.filter(action=OuterRef("pk")))
        progress = {
            row["parent"]: row
            for row in self.filter(parent__in=[action.pk for action in actions])
            .order_by()
            .values("parent")
            .annotate(
                count=Count("pk"),
                reported=Count("pk", filter=models.Q(reported)),
                done=Count("pk", filter=models.Q(status=Status.DONE)),
            )
        }
        for action in actions:
            row = progress.get(action.pk, {})
            action.cascade_count = row.get("count", 0)
            action.cascade_reported = row.get("reported", 0)
            action.cascade_done = row.get("done", 0)

    def acted_on_by(self, user):
        """The actions this user acts on (lists as theirs, posts updates to): organisers every
        action, owners their organisations' actions, others none."""
        if is_organiser(user):
            return self
        if is_owner(user):
            return self.owned_by_member(user)
        return self.none()

    def visible_to(self, user):
        """What this user may read: what they act on, and the other end of each cascade it is
        part of. An owner sees the copies cascaded from their actions, and the action their own
        copy was cascaded from; never another department's copy of it."""
        if is_organiser(user):
            return self
        if is_owner(user):
            mine = ActionItem.objects.owned_by_member(user)
            return self.filter(
                models.Q(pk__in=mine.values("pk"))
                | models.Q(pk__in=mine.filter(parent__isnull=False).values("parent_id"))
                | models.Q(parent_id__in=mine.values("pk"))
            )
        return self.none()

    def in_status_order(self):
        """By status in the order of `Status`, then soonest due first."""
        rank = models.Case(
            *(models.When(status=status, then=order) for order, status in enumerate(Status)),
            output_field=models.IntegerField(),
        )
        return self.alias(status_rank=rank).order_by("status_rank", "due_date", "pk")

    def totals_by_status(self) -> dict:
        """How many actions there are in each status, with every status present."""
        found = dict(self.order_by().values_list("status").annotate(Count("pk")))
        return {status: found.get(status, 0) for status in Status}

    def with_done_at(self):
        """Annotate when each done action was done (`done_at`): its first update marked done
        with no later update taking it out of done; None while it is not done."""
        reopened = StatusUpdate.objects.filter(
            action=OuterRef("action"), created_at__gt=OuterRef("created_at")
        ).exclude(status=Status.DONE)
        done = (
            StatusUpdate.objects.filter(action=OuterRef("pk"), status=Status.DONE)
            .exclude(Exists(reopened))
            .order_by("created_at", "pk")
        )
        return self.annotate(
            done_at=models.Case(
                models.When(status=Status.DONE, then=Subquery(done.values("created_at")[:1])),
                default=None,
            )
        )

    def with_due_date_moves(self):
        """Annotate how many times the due date has moved (`move_count`)."""
        return self.annotate(
            move_count=models.Count(
                "due_date_changes",
                filter=models.Q(due_date_changes__state__in=DueDateChange.MOVED_STATES),
            )
        )


class ActionItem(models.Model):
    """Something an organisation will do about what was said, due by a date."""

    workshop = models.ForeignKey(Workshop, on_delete=models.PROTECT, related_name="actions")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="actions")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="actions")
    due_date = models.DateField()
    original_due_date = models.DateField(
        null=True, editable=False, help_text="The due date first promised, shown if it slips."
    )
    status = models.CharField(
        max_length=20,
        choices=Status.choices,
        default=Status.NOT_STARTED,
        editable=False,
        help_text="Always the latest status update's status.",
    )
    source_contributions = models.ManyToManyField(
        Contribution, through="ActionSource", blank=True, related_name="actions"
    )
    theme = models.ForeignKey(
        Theme, on_delete=models.SET_NULL, null=True, blank=True, related_name="actions"
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text="The action this one was cascaded from.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="created_actions",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    assigned_at = models.DateTimeField(
        default=timezone.now, help_text="When the owning organisation was given this action."
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="accepted_actions",
    )
    accountable = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="accountable_actions",
        verbose_name="accountable person",
    )
    deputy = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deputy_actions",
    )

    objects = ActionItemQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=Status.values), name="action_status_valid"
            ),
            models.CheckConstraint(
                condition=GreaterThan(Length(Trim("title")), 0), name="action_title_not_blank"
            ),
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("pk")), name="action_not_its_own_parent"
            ),
            models.UniqueConstraint(
                fields=["parent", "owner"], name="action_cascaded_once_per_owner"
            ),
            models.CheckConstraint(
                condition=models.Q(accountable__isnull=True)
                | ~models.Q(accountable=models.F("deputy")),
                name="action_deputy_not_accountable",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("actions:action_detail", kwargs={"pk": self.pk})

    @property
    def cascade_rollup(self) -> str:
        """The roll-up of the copies cascaded from this action; needs with_cascade_progress()
        and is empty when there are none."""
        if not self.cascade_count:
            return ""
        return rollup_sentence(
            count=self.cascade_count, reported=self.cascade_reported, done=self.cascade_done
        )

    @property
    def is_awaiting_acceptance(self) -> bool:
        return self.accepted_at is None

    def days_until_due(self, today: datetime.date | None = None) -> int:
        return (self.due_date - (today or timezone.localdate())).days

    def is_due_soon(self, today: datetime.date | None = None) -> bool:
        """Open and due within the next 14 days, today included."""
        return self.status not in CLOSED_STATUSES and 0 <= self.days_until_due(today) <= 14

    @property
    def first_promised_due_date(self) -> datetime.date:
        """The due date given when the action was made: every page and download reads this."""
        return self.original_due_date or self.due_date

    @property
    def due_date_moved(self) -> bool:
        return self.first_promised_due_date != self.due_date

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        return self.status not in CLOSED_STATUSES and self.due_date < (
            today or timezone.localdate()
        )


class ActionSource(models.Model):
    """Links an action to a contribution it came from; the contribution can't then be deleted."""

    action = models.ForeignKey(ActionItem, on_delete=models.CASCADE, related_name="sources")
    contribution = models.ForeignKey(
        Contribution, on_delete=models.PROTECT, related_name="action_sources"
    )

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["action", "contribution"], name="action_source_unique"),
        ]

    def __str__(self):
        return f"{self.action} ← {self.contribution}"


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Status updates are append-only: post a new update instead.")

    def delete(self):
        raise TypeError("Status updates are append-only and cannot be deleted.")


class StatusUpdate(models.Model):
    """One dated entry in an action's history. Never changed or deleted once written."""

    action = models.ForeignKey(ActionItem, on_delete=models.PROTECT, related_name="updates")
    # PROTECT: who said what stays part of the history; deactivate people instead of deleting them.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="status_updates",
    )
    status = models.CharField(max_length=20, choices=Status.choices)
    note = models.TextField(blank=True)
    new_due_date = models.DateField(
        null=True, blank=True, help_text="The new due date this update proposed."
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        get_latest_by = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=Status.values), name="status_update_status_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["action", "created_at"], name="status_update_action_created"),
        ]

    def __str__(self):
        return f"{self.get_status_display()} on {self.created_at:%d %B %Y}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("Status updates are append-only: post a new update instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Status updates are append-only and cannot be deleted.")


class DueDateChangeState(models.TextChoices):
    MADE = "made", _("Moved")
    PROPOSED = "proposed", _("Waiting for a decision")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class DueDateChange(models.Model):
    """A due date moved, or proposed to move: from what, to what, by whom, when and why."""

    State = DueDateChangeState
    MOVED_STATES = (DueDateChangeState.MADE, DueDateChangeState.APPROVED)

    action = models.ForeignKey(
        ActionItem, on_delete=models.PROTECT, related_name="due_date_changes"
    )
    old_date = models.DateField()
    new_date = models.DateField()
    reason = models.TextField()
    state = models.CharField(max_length=20, choices=DueDateChangeState.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="due_date_changes",
    )
    at = models.DateTimeField(default=timezone.now)
    update = models.OneToOneField(
        StatusUpdate,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="due_date_change",
        help_text="The status update that made this change, if one did.",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="due_date_decisions",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=DueDateChangeState.values),
                name="due_date_change_state_valid",
            ),
            models.CheckConstraint(
                condition=GreaterThan(Length(Trim("reason")), 0),
                name="due_date_change_reason_not_blank",
            ),
            models.UniqueConstraint(
                fields=["action"],
                condition=models.Q(state=DueDateChangeState.PROPOSED),
                name="due_date_one_proposal_at_a_time",
            ),
        ]

    def __str__(self):
        return f"{self.old_date:%d %B %Y} to {self.new_date:%d %B %Y} ({self.get_state_display()})"

    @property
    def moved_at(self):
        """When the date moved: the approval for a proposal, otherwise when it was made."""
        return self.decided_at or self.at


class ReminderSent(models.Model):
    """One reminder step sent for an action; unique so that no step is ever sent twice."""

    action = models.ForeignKey(ActionItem, on_delete=models.CASCADE, related_name="reminders")
    step = models.CharField(max_length=50)
    period = models.CharField(
        max_length=50, help_text="The date the step counts from, and which week for weekly steps."
    )
    recipients = models.TextField(help_text="Email addresses, one per line.")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = "reminder sent"
        verbose_name_plural = "reminders sent"
        constraints = [
            models.UniqueConstraint(
                fields=["action", "step", "period"], name="reminder_sent_once_per_period"
            ),
        ]

    def __str__(self):
        return f"{self.step} for {self.action} on {self.sent_at:%d %B %Y}"


class QuestionsReminderSent(models.Model):
    """The organisers' daily email about overdue questions; unique per day so it is sent once."""

    day = models.DateField(unique=True)
    question_count = models.PositiveIntegerField()
    recipients = models.TextField(help_text="Email addresses, one per line.")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-day"]
        verbose_name = "overdue questions reminder sent"
        verbose_name_plural = "overdue questions reminders sent"

    def __str__(self):
        return f"{self.question_count} overdue questions on {self.day:%d %B %Y}"


class BoardPackSent(models.Model):
    """An organisation's board pack for one month, emailed to its members; unique per month so
    that it goes once however often the job runs. The latest one starts "done since"."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="board_packs_sent"
    )
    month = models.CharField(max_length=7, help_text="The month the pack is for, as YYYY-MM.")
    recipients = models.TextField(help_text="Email addresses, one per line.")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = "board pack sent"
        verbose_name_plural = "board packs sent"
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "month"], name="board_pack_sent_once_a_month"
            ),
        ]

    def __str__(self):
        return f"{self.organisation} board pack for {self.month}"


class BoardPackFileQuerySet(models.QuerySet):
    def ready(self):
        return self.filter(rendered_at__isnull=False)


class BoardPackFile(models.Model):
    """A board pack's PDF, kept under a digest of the very HTML it was laid out from: the same
    pack (same figures, same day, same language) names the same file, so it is rendered once and
    every later download is served as stored; any change to the pack names another file."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="board_pack_files"
    )
    digest = models.CharField(max_length=64, help_text="SHA-256 of the pack's print HTML.")
    pdf = models.BinaryField(default=b"", editable=False)
    requested_at = models.DateTimeField(default=timezone.now)
    rendered_at = models.DateTimeField(null=True, blank=True)
    render_seconds = models.FloatField(null=True, blank=True)

    objects = BoardPackFileQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = "board pack PDF"
        verbose_name_plural = "board pack PDFs"
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "digest"], name="board_pack_file_once_per_digest"
            ),
        ]

    def __str__(self):
        return f"{self.organisation} board pack PDF of {self.requested_at:%d %B %Y %H:%M}"

    @property
    def pdf_bytes(self) -> bytes:
        return bytes(self.pdf)  # PostgreSQL reads a binary field back as a memoryview
