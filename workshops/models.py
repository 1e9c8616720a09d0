import datetime
import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Length, Lower, Trim
from django.db.models.lookups import GreaterThan
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.roles import is_organiser, is_signed_in, may_see_drafts
from feedback_site.emails import normalise_email
from workshops.working_days import add_working_days, latest_start_overdue_by


class UserManager(BaseUserManager):
    use_in_migrations = True

    @classmethod
    def normalize_email(cls, email):
        return normalise_email(email)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)

    def create_user(self, email, password=None, **extra_fields):
        if not email:
            raise ValueError("Users must have an email address")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """Everyone who signs in, identified by email: organisers, facilitators and owners."""

    email = models.EmailField("email address", max_length=254, unique=True)
    full_name = models.CharField(max_length=150, blank=True)
    job_title = models.CharField(
        max_length=150, blank=True, help_text="For example, Head of Digital, BIS"
    )
    is_staff = models.BooleanField(
        default=False, help_text="Can sign in to the admin site (organisers and triage staff)."
    )
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ignoring_case"),
        ]

    def __str__(self):
        return self.full_name or self.email

    def clean(self):
        super().clean()
        self.email = type(self).objects.normalize_email(self.email)

    def get_full_name(self):
        return self.full_name or self.email

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email


class WorkshopQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def visible_to(self, user):
        """Published workshops for everyone; organisers also see drafts. (A draft's facilitators
        and owners meet it through their groups and actions, not through this.)"""
        return self if may_see_drafts(user) else self.published()


class RoundsMode(models.TextChoices):
    """How the room runs: each group at its own flipchart, or groups rotating between them."""

    STAY_PUT = "stay_put", _("Groups stay at one flipchart")
    ROTATE = "rotate", _("Groups rotate between the flipcharts")


class LateNotes(models.TextChoices):
    """What happens to notes typed after a round and its grace period."""

    MARK = "mark", _("Accept them, marked as added after the round")
    REFUSE = "refuse", _("Strict: refuse them and give the text back")


class Workshop(models.Model):
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    event = models.CharField(
        max_length=200, blank=True, help_text="For example, Civil Service Live"
    )
    date = models.DateField()
    start_time = models.TimeField(null=True, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(default=30)
    location = models.CharField(max_length=200, blank=True)
    expected_attendance = models.PositiveIntegerField(null=True, blank=True)
    actual_attendance = models.PositiveIntegerField(null=True, blank=True)
    purpose = models.TextField(
        blank=True, help_text="Why the workshop is being held, in a sentence or two."
    )
    description = models.TextField(blank=True)
    is_published = models.BooleanField(
        "published", default=False, help_text="Published workshops are visible to the public."
    )
    notes_public_after_review = models.BooleanField(
        "notes appear publicly after review",
        default=True,
        help_text="A note is public only once a triager has reviewed it (given it an area, or "
        "published it as it is) and not hidden it. Names and personal data stay out of sight "
        "until then.",
    )
    grace_minutes = models.PositiveSmallIntegerField(
        "grace period in minutes",
        default=2,
        help_text="After a round ends, notes typed within this many minutes are still on time.",
    )
    rounds_mode = models.CharField(
        "rounds",
        max_length=20,
        choices=RoundsMode.choices,
        default=RoundsMode.STAY_PUT,
        help_text="Rotating: the flipcharts stay, and in round r group i visits flipchart "
        "(i + r - 1) mod N, so every group visits every flipchart once in N rounds.",
    )
    visiting_groups = models.TextField(
        "groups of attendees",
        blank=True,
        help_text="One name a line, as many as there are flipcharts, in the order they start "
        "(group 1 starts at the first flipchart). Empty: Group 1, Group 2 and so on.",
    )
    late_notes = models.CharField(
        "notes after the round",
        max_length=20,
        choices=LateNotes.choices,
        default=LateNotes.MARK,
    )
    current_round = models.PositiveSmallIntegerField(
        default=0, help_text="The round last started from the run sheet; 0 before the first."
    )
    online_opens_at = models.DateTimeField(
        "online channel opens",
        null=True,
        blank=True,
        help_text="From then, anyone may ask a question or add a view online about one of the "
        "workshop's subjects, once it is published. Empty: no online channel.",
    )
    online_closes_at = models.DateTimeField(
        "online channel closes",
        null=True,
        blank=True,
        help_text="Empty: open until you set a date.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    progress_version = models.UUIDField(
        default=uuid.uuid4,
        editable=False,
        help_text="Renewed whenever anything on the public progress page changes; its cache and "
        "ETag are keyed on it.",
    )

    objects = WorkshopQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "title"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gt=0), name="workshop_duration_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(rounds_mode__in=RoundsMode.values),
                name="workshop_rounds_mode_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(late_notes__in=LateNotes.values),
                name="workshop_late_notes_valid",
            ),
            models.CheckConstraint(
                condition=GreaterThan(Length(Trim("title")), 0), name="workshop_title_not_blank"
            ),
            models.CheckConstraint(
                condition=models.Q(online_closes_at__isnull=True)
                | models.Q(online_opens_at__lt=models.F("online_closes_at")),
                name="workshop_online_closes_after_it_opens",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("workshops:workshop_detail", kwargs={"slug": self.slug})

    @property
    def rotates(self) -> bool:
        return self.rounds_mode == RoundsMode.ROTATE

    @property
    def is_strict(self) -> bool:
        return self.late_notes == LateNotes.REFUSE

    def online_is_open(self, now: datetime.datetime | None = None) -> bool:
        """Whether the public may ask and add views online now: published, and between the
        channel's opening and closing."""
        return self.is_published and online_channel_open(
            self.online_opens_at, self.online_closes_at, now
        )

    def visiting_group_names(self, count: int) -> list[str]:
        """The names of `count` groups of attendees: those typed, then Group n for the rest."""
        names = [line.strip() for line in self.visiting_groups.splitlines() if line.strip()]
        return [names[i] if i < len(names) else f"Group {i + 1}" for i in range(count)]


def online_channel_open(
    opens_at: datetime.datetime | None,
    closes_at: datetime.datetime | None,
    now: datetime.datetime | None = None,
) -> bool:
    now = now or timezone.now()
    return opens_at is not None and opens_at <= now and (closes_at is None or now < closes_at)


def visiting_group_index(*, flipchart: int, round_number: int, count: int) -> int:
    """Which group (0-based) stands at flipchart `flipchart` (0-based) in round `round_number`
    (from 1), when group i visits flipchart (i + round - 1) mod count."""
    return (flipchart - round_number + 1) % count


def confirmed_language_field() -> models.CharField:
    """The language a follower or asker confirmed their address in: their emails are written
    in it."""
    return models.CharField(
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text="The language they confirmed in: their emails are written in it.",
    )


class Follower(models.Model):
    """Someone who asked for a daily digest of a published workshop's progress. Only the email
    address and when they consented are kept; unsubscribing deletes the row."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="followers")
    email = models.EmailField(max_length=254)
    consent_at = models.DateTimeField(help_text="When they confirmed through the emailed link.")
    digest_sent_up_to = models.DateTimeField(
        help_text="Changes up to this moment have been sent; the next digest starts after it."
    )
    language = confirmed_language_field()

    class Meta:
        ordering = ["workshop", "email"]
        constraints = [
            models.UniqueConstraint(
                fields=["workshop", "email"], name="follower_once_per_workshop"
            ),
        ]

    def __str__(self):
        return f"{self.email} follows {self.workshop}"


class FlipchartGroupQuerySet(models.QuerySet):
    def capturable_by(self, user):
        """Groups whose notes this user may see and write: organisers all, facilitators theirs."""
        if is_organiser(user):
            return self
        if not is_signed_in(user):
            return self.none()
        return self.filter(facilitators=user)


class FlipchartGroup(models.Model):
    """One flipchart: a subject discussed by a group of attendees around a facilitator."""

    DEFAULT_TIME_LIMIT_MINUTES = 5

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="groups")
    subject = models.CharField(max_length=200)
    prompt = models.CharField(
        "prompt question",
        max_length=300,
        blank=True,
        help_text="Optional question to start discussion.",
    )
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="facilitated_groups"
    )
    facilitator_line = models.CharField(
        "facilitator shown as",
        max_length=200,
        blank=True,
        help_text="For example, Tim Lloyd, Head of Digital, Business, Innovation and Skills",
    )
    time_limit_minutes = models.PositiveSmallIntegerField(default=DEFAULT_TIME_LIMIT_MINUTES)
    order = models.PositiveSmallIntegerField(default=0)
    round_started_at = models.DateTimeField(null=True, blank=True)
    round_number = models.PositiveSmallIntegerField(
        default=0, help_text="The round running or last run here; 0 before the first."
    )
    visiting_group = models.CharField(
        max_length=100,
        blank=True,
        help_text="The group of attendees at this flipchart in that round, when groups rotate.",
    )

    objects = FlipchartGroupQuerySet.as_manager()

    class Meta:
        ordering = ["workshop", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(time_limit_minutes__gt=0), name="group_time_limit_positive"
            ),
            models.CheckConstraint(
                condition=GreaterThan(Length(Trim("subject")), 0), name="group_subject_not_blank"
            ),
            models.UniqueConstraint(
                fields=["workshop", "subject"], name="group_subject_unique_in_workshop"
            ),
        ]

    def __str__(self):
        return self.subject

    def get_absolute_url(self):
        return reverse("workshops:group_capture", kwargs={"pk": self.pk})

    @property
    def round_ends_at(self) -> datetime.datetime | None:
        if self.round_started_at is None:
            return None
        return self.round_started_at + datetime.timedelta(minutes=self.time_limit_minutes)

    @property
    def grace_ends_at(self) -> datetime.datetime | None:
        """When notes stop counting as on time. Reads the workshop: select it with the group."""
        if self.round_ends_at is None:
            return None
        return self.round_ends_at + datetime.timedelta(minutes=self.workshop.grace_minutes)

    def is_late(self, moment: datetime.datetime) -> bool:
        """Whether a note entered at `moment` comes after the round and its grace period."""
        grace_ends_at = self.grace_ends_at
        return grace_ends_at is not None and moment > grace_ends_at


class AreaQuerySet(models.QuerySet):
    def with_triage_stamp(self):
        """Each area with how many present notes it holds and when the latest of them changed:
        together, whether the notes a suggestion model learnt from have changed."""
        present = models.Q(contributions__removed_at__isnull=True)
        return self.annotate(
            triaged_notes=models.Count("contributions", filter=present),
            last_triage_change=models.Max("contributions__updated_at", filter=present),
        )


# The areas the service starts with (migration 0002), shown in the reader's language.
STARTING_AREA_NAMES = (
    gettext_noop("Cultural change"),
    gettext_noop("Infrastructure"),
    gettext_noop("Empowerment"),
    gettext_noop("Training"),
)


class Area(models.Model):
    """One of the areas feedback is sorted into; rows are data that staff can edit."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    includes = models.TextField(blank=True, help_text="What belongs in this area.")
    default_owner = models.ForeignKey(
        "actions.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="default_for_areas",
        help_text="New actions in this area are owned by this organisation unless changed.",
    )
    order = models.PositiveSmallIntegerField(default=0)

    objects = AreaQuerySet.as_manager()

    class Meta:
        ordering = ["order", "name"]

    def __str__(self):
        """Its name in the reader's language, if it is one the service starts with; an area
        staff added or renamed reads as they typed it."""
        return gettext(self.name) if self.name in STARTING_AREA_NAMES else self.name


class Theme(models.Model):
    """Repeated contributions gathered under one name within a workshop."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="themes")
    name = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, null=True, blank=True, related_name="themes"
    )

    class Meta:
        ordering = ["workshop", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["workshop", "name"], name="theme_name_unique_in_workshop"
            ),
            models.CheckConstraint(
                condition=GreaterThan(Length(Trim("name")), 0), name="theme_name_not_blank"
            ),
        ]

    def __str__(self):
        return self.name


class RecurringTheme(models.Model):
    """One thing said at workshop after workshop: it joins the themes of different workshops
    that mean the same, so "we said this last year too: what happened?" has an answer."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    summary = models.TextField(blank=True)
    area = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        related_name="recurring_themes",
        help_text="Only themes of this area can be linked.",
    )
    themes = models.ManyToManyField(
        Theme, through="RecurringThemeLink", related_name="recurring_themes", blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=GreaterThan(Length(Trim("name")), 0),
                name="recurring_theme_name_not_blank",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("progress:recurring_theme", kwargs={"slug": self.slug})


class RecurringThemeLink(models.Model):
    """A workshop's theme counted as one more time a recurring theme was raised. A theme is in
    at most one recurring theme; links made and removed are kept in history."""

    recurring_theme = models.ForeignKey(
        RecurringTheme, on_delete=models.CASCADE, related_name="links"
    )
    theme = models.OneToOneField(Theme, on_delete=models.CASCADE, related_name="recurring_link")
    linked_at = models.DateTimeField(default=timezone.now)
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["recurring_theme", "theme__workshop__date", "pk"]

    def __str__(self):
        return f"{self.theme} in {self.recurring_theme}"

    def change_reason(self, change: str) -> str:
        """Why the link's history changed: `change` ("Linked to ...") and which theme of which
        workshop, cut to the 100 characters django-simple-history keeps of a reason."""
        return Truncator(f"{change}: “{self.theme}” of {self.theme.workshop}").chars(100)

    def clean(self):
        if self.theme_id and self.recurring_theme_id:
            problem = link_area_problem(self.theme, self.recurring_theme)
            if problem:
                raise ValidationError({"theme": problem})


def link_area_problem(theme: Theme, recurring: RecurringTheme) -> str:
    """Why this theme cannot join this recurring theme, or "": their areas must be the same,
    so that a recurring theme counts one thing in one area."""
    if theme.area_id is None:
        return f"“{theme}” has no area yet: give it {recurring.area} first"
    if theme.area_id != recurring.area_id:
        return f"“{theme}” is in {theme.area}, and “{recurring}” in {recurring.area}"
    return ""


# Present notes nobody has sorted yet: no area, and not hidden (a hidden note has been dealt with).
NOT_TRIAGED = models.Q(area__isnull=True, hidden_from_public=False)
# Notes kept from the public until a triager reviews them. What the public sent online always
# waits for review, whatever the workshop's setting: nobody in the room has seen it.
REVIEW_ASKED = models.Q(group__workshop__notes_public_after_review=True) | models.Q(
    channel="online"
)
# Shown notes no triager has reviewed; NOT_REVIEWED are those of them that wait for a review.
UNREVIEWED = models.Q(hidden_from_public=False, reviewed_at__isnull=True)
NOT_REVIEWED = UNREVIEWED & REVIEW_ASKED


class ContributionQuerySet(models.QuerySet):
    def present(self):
        """Contributions that have not been removed."""
        return self.filter(removed_at__isnull=True)

    def untriaged(self):
        """The contribution list's "not yet triaged", the triage overview's and the workbench's."""
        return self.present().filter(NOT_TRIAGED)

    def capturable_by(self, user):
        """Notes this user may edit or remove: those of groups they may capture for."""
        return self.filter(group__in=FlipchartGroup.objects.capturable_by(user))

    def reviewed(self):
        """Notes a triager has reviewed, or that need no review because their workshop does
        not ask for it."""
        return self.filter(models.Q(reviewed_at__isnull=False) | ~REVIEW_ASKED)

    def awaiting_review(self):
        """Present notes, not hidden, kept from the public until a triager reviews them."""
        return self.present().filter(NOT_REVIEWED)

    def to_triage(self):
        """Present notes still wanting a triager: not yet triaged, or not yet reviewed. The
        triage workbench opens on these; the contribution list's two filters add up to them."""
        return self.present().filter(NOT_TRIAGED | NOT_REVIEWED)

    def to_triage_in(self, workshop):
        """`to_triage` among the notes of one workshop, whose setting is read from `workshop`
        rather than joined to every note (the workbench's query)."""
        asked = (
            models.Q()
            if workshop.notes_public_after_review
            else models.Q(channel=Contribution.Channel.ONLINE)
        )
        return self.present().filter(NOT_TRIAGED | (UNREVIEWED & asked))

    def public(self):
        """What the public may see: present, reviewed (where the workshop asks for review), not
        hidden, from published workshops."""
        return (
            self.present()
            .reviewed()
            .filter(hidden_from_public=False, group__workshop__is_published=True)
        )

    def questions(self):
        return self.present().filter(kind=ContributionKind.QUESTION)

    def questions_open(self):
        return self.questions().filter(closed_at__isnull=True)

    def asked_before(self, question: "Contribution"):
        """Open questions of the question's workshop asked before it: the queue it would jump
        if answered or closed now. Hidden questions (spam, duplicates) hold up nobody."""
        return self.questions_open().filter(
            models.Q(entered_at__lt=question.entered_at)
            | models.Q(entered_at=question.entered_at, pk__lt=question.pk),
            group__workshop__in=FlipchartGroup.objects.filter(pk=question.group_id).values(
                "workshop"
            ),
            hidden_from_public=False,
        )

    def answers_to_review(self):
        """Routed questions whose action's owner has answered, waiting for an organiser."""
        return self.questions().filter(closure=Closure.ROUTED).exclude(proposed_answer="")

    def answerable_by(self, user):
        """Questions routed to an action owned by an organisation this user belongs to."""
        return self.questions().filter(action_sources__action__owner__members=user).distinct()

    def questions_overdue(self, today: datetime.date | None = None):
        """Open questions past their acknowledgement or closure deadline in working days; the
        organisers' reminders include these."""
        today = today or timezone.localdate()
        acknowledge_by = latest_start_overdue_by(today, settings.QUESTION_ACKNOWLEDGE_WORKING_DAYS)
        close_by = latest_start_overdue_by(today, settings.QUESTION_CLOSE_WORKING_DAYS)
        return self.questions_open().filter(
            models.Q(acknowledged_at__isnull=True, entered_at__date__lte=acknowledge_by)
            | models.Q(entered_at__date__lte=close_by)
        )


class ContributionKind(models.TextChoices):
    COMMENT = "comment", _("Comment")
    POSITIVE = "positive", _("Positive")
    NEGATIVE = "negative", _("Negative")
    QUESTION = "question", _("Question")
    IDEA = "idea", _("Idea")


class Closure(models.TextChoices):
    """The only three ways a question may close."""

    OPEN = "", _("Open")
    ANSWERED = "answered", _("Answered")
    ROUTED = "routed", _("Routed to an action")
    CLOSED = "closed", _("Closed with a reason")


class HiddenReason(models.TextChoices):
    """Why a note is kept off public pages."""

    NONE = "", _("Not hidden")
    PERSONAL_DATA = "personal_data", _("Personal data")
    OFFENSIVE = "offensive", _("Offensive")
    OFF_TOPIC = "off_topic", _("Off topic")
    DUPLICATE = "duplicate", _("Duplicate")


class Channel(models.TextChoices):
    """How a note reached the service."""

    FLIPCHART = "flipchart", _("Flipchart")
    ONLINE = "online", _("Online")
    IMPORT = "import", _("Imported from a file")


class Reach(models.TextChoices):
    """How widely a note was shared in the group."""

    UNKNOWN = "", _("Not recorded")
    ONE = "one", _("One person")
    SOME = "some", _("Some people")
    MOST = "most", _("Most people")
    ALMOST_EVERYONE = "almost_everyone", _("Almost everyone")


class SuggestionOutcome(models.TextChoices):
    """What the triager did with the machine's suggested area for a note."""

    NONE = "", "No suggestion"
    ACCEPTED = "accepted", "Accepted the suggestion"
    CHANGED = "changed", "Changed the suggestion"


class Contribution(models.Model):
    """One note from a flipchart."""

    MAX_LENGTH = 1000

    Kind = ContributionKind
    Reach = Reach
    Channel = Channel
    Closure = Closure
    HiddenReason = HiddenReason

    group = models.ForeignKey(
        FlipchartGroup, on_delete=models.PROTECT, related_name="contributions"
    )
    text = models.TextField(max_length=MAX_LENGTH)
    kind = models.CharField(
        max_length=20, choices=ContributionKind.choices, default=ContributionKind.COMMENT
    )
    reach = models.CharField(
        "how widely shared", max_length=20, choices=Reach.choices, default=Reach.UNKNOWN, blank=True
    )
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, null=True, blank=True, related_name="contributions"
    )
    theme = models.ForeignKey(
        Theme, on_delete=models.SET_NULL, null=True, blank=True, related_name="contributions"
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="entered_contributions",
    )
    entered_at = models.DateTimeField(default=timezone.now)
    entered_after_round = models.BooleanField(
        default=False, help_text="Typed after the round and its grace period had ended."
    )
    round_number = models.PositiveSmallIntegerField(
        "round", null=True, blank=True, help_text="The flipchart's round when it was typed."
    )
    visiting_group = models.CharField(
        max_length=100,
        blank=True,
        help_text="The group of attendees at the flipchart in that round, when groups rotate.",
    )
    batch = models.ForeignKey(
        "CaptureBatch",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contributions",
        help_text="The submit that stored this note.",
    )
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="triaged_contributions",
    )
    triaged_at = models.DateTimeField(null=True, blank=True)
    suggested_area = models.ForeignKey(
        Area,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="suggested_for",
        help_text="The area the workbench suggested when the note was triaged.",
    )
    suggestion = models.CharField(
        "suggestion taken",
        max_length=10,
        choices=SuggestionOutcome.choices,
        default=SuggestionOutcome.NONE,
        blank=True,
        help_text="Whether the triager accepted or changed the suggested area.",
    )
    hidden_from_public = models.BooleanField(
        default=False, help_text="Hidden contributions never appear on public pages or exports."
    )
    hidden_reason = models.CharField(
        max_length=20,
        choices=HiddenReason.choices,
        default=HiddenReason.NONE,
        blank=True,
        help_text="Why the note is hidden from the public; seen by organisers only.",
    )
    reviewed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When a triager reviewed the note: where the workshop asks for review, notes "
        "are public only after it.",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reviewed_contributions",
    )
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="removed_contributions",
        help_text="Who removed it last; kept when it is restored.",
    )
    restored_at = models.DateTimeField(null=True, blank=True)
    restored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="restored_contributions",
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closure = models.CharField(max_length=20, choices=Closure.choices, default="", blank=True)
    answer = models.TextField(blank=True, help_text="Published on the progress page.")
    closure_reason = models.TextField(
        "reason for closing", blank=True, help_text="Published on the progress page."
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="closed_questions",
    )
    out_of_order_reason = models.TextField(
        "answered out of order because",
        blank=True,
        help_text="Why it was answered or closed before older questions. Published.",
    )
    proposed_answer = models.TextField(
        blank=True,
        help_text="The answer the owner of the action it was routed to gave, waiting for an "
        "organiser to publish it.",
    )
    proposed_answer_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposed_answers",
    )
    proposed_answer_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Who asked and how, so that a question from outside the room can be answered to its asker.
    channel = models.CharField(max_length=20, choices=Channel.choices, default=Channel.FLIPCHART)
    source = models.CharField(
        max_length=200,
        blank=True,
        help_text="Where an imported note came from: a tool, a hashtag, a file.",
    )
    asked_by = models.CharField(
        max_length=150,
        blank=True,
        help_text="Who asked or said it, as given: a handle or a name. Empty is anonymous.",
    )
    asked_at = models.DateTimeField(null=True, blank=True, help_text="When it was asked or said.")
    import_digest = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        help_text="Fingerprint of an imported row, so that importing a file again adds nothing.",
    )

    objects = ContributionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["entered_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=GreaterThan(Length(Trim("text")), 0), name="contribution_text_not_blank"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=ContributionKind.values), name="contribution_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(reach__in=Reach.values), name="contribution_reach_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(hidden_reason__in=HiddenReason.values),
                name="contribution_hidden_reason_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(hidden_from_public=True) | models.Q(hidden_reason=""),
                name="contribution_hidden_reason_only_when_hidden",
            ),
            # Restoring a note keeps who removed it; its history keeps when.
            models.CheckConstraint(
                condition=models.Q(removed_by__isnull=True)
                | models.Q(removed_at__isnull=False)
                | models.Q(restored_at__isnull=False),
                name="contribution_removed_by_needs_removed_or_restored_at",
            ),
            models.CheckConstraint(
                condition=models.Q(restored_at__isnull=True) | models.Q(removed_at__isnull=True),
                name="contribution_restored_only_while_present",
            ),
            models.CheckConstraint(
                condition=models.Q(closure__in=Closure.values), name="contribution_closure_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(suggestion__in=SuggestionOutcome.values),
                name="contribution_suggestion_valid",
            ),
            # A question closes only by an answer, a route to an action, or a published reason.
            models.CheckConstraint(
                condition=models.Q(closed_at__isnull=True, closure=Closure.OPEN)
                | models.Q(
                    models.Q(closure=Closure.ANSWERED) & GreaterThan(Length(Trim("answer")), 0)
                    | models.Q(closure=Closure.ROUTED)
                    | models.Q(closure=Closure.CLOSED)
                    & GreaterThan(Length(Trim("closure_reason")), 0),
                    closed_at__isnull=False,
                    kind=ContributionKind.QUESTION,
                ),
                name="contribution_closed_question_has_a_closure",
            ),
            models.CheckConstraint(
                condition=models.Q(channel__in=Channel.values), name="contribution_channel_valid"
            ),
            models.UniqueConstraint(
                fields=["import_digest"],
                condition=~models.Q(import_digest=""),
                name="contribution_import_digest_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["group", "entered_at"], name="contribution_group_entered"),
            # The admin opens on untriaged notes, oldest first: 100 of them without a sort.
            models.Index(
                fields=["entered_at", "id"],
                condition=models.Q(area__isnull=True, removed_at__isnull=True),
                name="contribution_untriaged",
            ),
        ]

    def __str__(self):
        return self.text if len(self.text) <= 60 else f"{self.text[:59]}…"

    def clean(self):
        super().clean()
        if self.theme_id and self.group_id and self.theme.workshop_id != self.group.workshop_id:
            raise ValidationError({"theme": "Choose a theme from this contribution's workshop."})
        # A note in a theme is in the theme's area; with no area it takes the theme's on saving.
        theme_area_id = self.theme.area_id if self.theme_id else None
        if theme_area_id and self.area_id and self.area_id != theme_area_id:
            raise ValidationError(
                {
                    "area": f"“{self.theme}” is in {self.theme.area}: choose that area or "
                    "take the note out of the theme"
                }
            )

    @property
    def is_removed(self):
        return self.removed_at is not None

    @property
    def acknowledge_by(self) -> datetime.date:
        return add_working_days(
            timezone.localdate(self.entered_at), settings.QUESTION_ACKNOWLEDGE_WORKING_DAYS
        )

    @property
    def close_by(self) -> datetime.date:
        return add_working_days(
            timezone.localdate(self.entered_at), settings.QUESTION_CLOSE_WORKING_DAYS
        )

    def days_waiting(self, today: datetime.date | None = None) -> int:
        """Days since it was asked: until today while open, until it closed once closed."""
        if self.closed_at is not None:
            today = timezone.localdate(self.closed_at)
        return ((today or timezone.localdate()) - timezone.localdate(self.entered_at)).days

    def is_question_overdue(self, today: datetime.date | None = None) -> bool:
        if self.closed_at is not None:
            return False
        today = today or timezone.localdate()
        return today > self.close_by or (
            self.acknowledged_at is None and today > self.acknowledge_by
        )


class OpenQuestion(Contribution):
    """Questions still waiting for an answer, for the admin's list of them."""

    class Meta:
        proxy = True
        ordering = ["entered_at", "pk"]
        verbose_name = "open question"

    def __str__(self):
        return super().__str__()


class AnswerToReview(Contribution):
    """Owners' answers to questions routed to their actions, for organisers to publish."""

    class Meta:
        proxy = True
        ordering = ["proposed_answer_at", "pk"]
        verbose_name = "owner's answer to review"
        verbose_name_plural = "owners' answers to review"

    def __str__(self):
        return super().__str__()


class Asker(models.Model):
    """The email address of someone who asked online and wants to be told the answer: kept only
    once they confirmed it through the emailed link, only for that, and deleted when they ask,
    or ASKER_RETENTION_DAYS after they confirmed."""

    question = models.OneToOneField(Contribution, on_delete=models.CASCADE, related_name="asker")
    email = models.EmailField(max_length=254)
    consent_at = models.DateTimeField(help_text="When they confirmed through the emailed link.")
    told_closure = models.CharField(
        max_length=20,
        choices=Closure.choices,
        default=Closure.OPEN,
        blank=True,
        help_text="The last outcome they were told of, so each outcome is told once.",
    )
    told_at = models.DateTimeField(null=True, blank=True)
    language = confirmed_language_field()

    class Meta:
        ordering = ["consent_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(told_closure__in=Closure.values),
                name="asker_told_closure_valid",
            ),
        ]

    def __str__(self):
        return f"{self.email} asked {self.question}"


class CaptureBatch(models.Model):
    """One submit of the capture form. Its one-time key makes a repeated submit store nothing."""

    key = models.UUIDField(unique=True)
    group = models.ForeignKey(FlipchartGroup, on_delete=models.PROTECT, related_name="batches")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="capture_batches",
    )
    submitted_at = models.DateTimeField(default=timezone.now)
    note_count = models.PositiveIntegerField()
    content_digest = models.CharField(
        max_length=64, help_text="Fingerprint of the notes as first sent, to recognise a resend."
    )

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name_plural = "capture batches"

    def __str__(self):
        return f"{self.note_count} notes for {self.group} at {self.submitted_at:%H:%M}"


class ImportColumnMapping(models.Model):
    """What a column heading in an imported file meant last time, so the next file with that
    heading maps itself."""

    heading = models.CharField(max_length=200, unique=True, help_text="Kept in lower case.")
    field = models.CharField(max_length=20)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["heading"]

    def __str__(self):
        return f"{self.heading} → {self.field}"


class PendingImport(models.Model):
    """An uploaded file's cells, kept between choosing its columns and importing it. Read by the
    key in the address, and only by whoever uploaded it; old ones are deleted on each upload."""

    key = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="+")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    filename = models.CharField(max_length=200)
    headings = models.JSONField(default=list)
    rows = models.JSONField(
        default=list, help_text="Each row's number in the file and its cells as text."
    )

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self):
        return f"{self.filename} for {self.workshop_id}"


def photo_upload_path(photo, filename):
    # A random name: the stored path reveals nothing and cannot be guessed.
    return f"flipchart-photos/{uuid.uuid4().hex}.{photo.image_format}"


class FlipchartPhoto(models.Model):
    """A photo of the physical flipchart, so typed notes can be checked against their source."""

    group = models.ForeignKey(FlipchartGroup, on_delete=models.PROTECT, related_name="photos")
    image = models.FileField(upload_to=photo_upload_path, max_length=200)
    image_format = models.CharField(max_length=10)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size_bytes = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="flipchart_photos",
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["group", "uploaded_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(image_format__in=["jpeg", "png", "webp"]),
                name="photo_format_allowed",
            ),
        ]

    def __str__(self):
        return f"Photo of {self.group} at {self.uploaded_at:%d %B %Y %H:%M}"

    def get_absolute_url(self):
        return reverse("workshops:photo_file", kwargs={"pk": self.pk})


class SuggestionModelQuerySet(models.QuerySet):
    def newest(self):
        """The newest stored model's id and version, without its (large) payload."""
        return self.order_by("-pk").values("pk", "version", "fingerprint").first()


class SuggestionModel(models.Model):
    """A trained suggestion engine (workshops/suggestions.py), stored so that every server
    process suggests from the same one. Only the training job writes it; requests load the
    newest and never train. The payload is the engine pickled by this service itself."""

    version = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    fingerprint = models.CharField(
        max_length=64, help_text="The triaged notes and areas it learnt from, as a digest."
    )
    notes = models.PositiveIntegerField(help_text="Triaged notes it learnt from.")
    training_seconds = models.FloatField()
    trained_at = models.DateTimeField(default=timezone.now)
    payload = models.BinaryField()

    objects = SuggestionModelQuerySet.as_manager()

    class Meta:
        ordering = ["-pk"]

    def __str__(self):
        return f"Suggestions learnt from {self.notes} notes at {self.trained_at:%d %B %Y %H:%M}"
