"""What the public progress page, its exports and its feed show: published fields only, read in a
fixed number of queries however big the workshop."""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Case, Count, F, Max, Prefetch, Value, When, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from actions.models import ActionItem, DueDateChange, Status
from workshops.charts import bar_chart
from workshops.models import Area, Contribution, Reach, Theme, Workshop

REPRESENTATIVE_PER_AREA = 3
# The notes most people in the room agreed with speak for an area best.
SHARED_MOST_FIRST = Case(
    *(
        When(reach=reach, then=Value(rank))
        for rank, reach in enumerate(
            [Reach.ALMOST_EVERYONE, Reach.MOST, Reach.SOME, Reach.ONE, Reach.UNKNOWN]
        )
    ),
    default=Value(9),
)


def public_contributions(workshop: Workshop):
    """The workshop's contributions the public may see, in the order they were written."""
    return (
        Contribution.objects.public()
        .filter(group__workshop=workshop)
        .select_related("group", "area", "theme")
        .order_by("entered_at", "pk")
    )


def notes_under_review(workshop: Workshop) -> int:
    """How many of the workshop's notes are kept from the public until a triager reviews them
    (a query)."""
    return Contribution.objects.awaiting_review().filter(group__workshop=workshop).count()


def under_review_sentence(count: int) -> str:
    """What the public page and the exports say of the notes still being reviewed."""
    if count == 1:
        return "1 note is still being reviewed and will be published once it has been."
    return f"{count} notes are still being reviewed and will be published once they have been."


def public_actions(workshop: Workshop):
    """The workshop's actions with owner, latest update that says something, and every change
    that moved the date. A cascaded action is listed once: the departments' copies come with it
    (`copies`, each with its own latest update) with the roll-up of them, never on their own."""
    date_changes = DueDateChange.objects.filter(state__in=DueDateChange.MOVED_STATES).order_by(
        "at", "pk"
    )
    copies = (
        ActionItem.objects.select_related("owner")
        .with_latest_update(with_a_note=True)
        .order_by("owner__name", "pk")
    )
    return (
        ActionItem.objects.filter(workshop=workshop, parent__isnull=True)
        .select_related("owner", "area")
        .with_latest_update(with_a_note=True)
        .with_cascade_progress()
        .prefetch_related(
            Prefetch("due_date_changes", queryset=date_changes, to_attr="date_changes"),
            Prefetch("children", queryset=copies, to_attr="copies"),
        )
        .order_by("area__order", "due_date", "pk")
    )


def public_questions(workshop: Workshop):
    return (
        public_contributions(workshop)
        .filter(kind=Contribution.Kind.QUESTION)
        .prefetch_related(Prefetch("actions", queryset=ActionItem.objects.order_by("pk")))
    )


@dataclass
class AreaSection:
    area: Area | None
    contribution_count: int = 0
    themes: list = field(default_factory=list)
    representative: list = field(default_factory=list)
    actions: list = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.area.name if self.area else "Not yet sorted"

    @property
    def anchor(self) -> str:
        return f"area-{self.area.slug}" if self.area else "area-not-yet-sorted"


@dataclass
class Progress:
    workshop: Workshop
    sections: list[AreaSection]
    actions: list[ActionItem]
    questions: list[Contribution]
    contribution_count: int
    under_review_count: int
    last_changed: datetime.datetime
    today: datetime.date

    @property
    def under_review(self) -> str:
        return under_review_sentence(self.under_review_count) if self.under_review_count else ""

    @property
    def status_counts(self) -> dict[str, int]:
        counts = Counter(action.status for action in self.actions)
        return {status: counts[status] for status in Status.values}

    @property
    def overdue_count(self) -> int:
        return sum(action.is_overdue(self.today) for action in self.actions)

    def contributions_chart(self) -> dict:
        return bar_chart(
            "Contributions per area",
            "Area",
            "Contributions",
            [(section.name, section.contribution_count) for section in self.sections],
        )

    def actions_chart(self) -> dict:
        counts = self.status_counts
        return bar_chart(
            "Actions per status",
            "Status",
            "Actions",
            [(status.label, counts[status.value]) for status in Status],
        )


def workshop_progress(workshop: Workshop, today: datetime.date | None = None) -> Progress:
    """Everything the progress page shows, in the same few queries at any size."""
    today = today or timezone.localdate()
    visible = Contribution.objects.public().filter(group__workshop=workshop)
    sections = {area.pk: AreaSection(area) for area in Area.objects.all()}
    unsorted = AreaSection(None)

    def section(area_id):
        return sections.get(area_id, unsorted) if area_id else unsorted

    per_area = (
        visible.order_by().values("area_id").annotate(n=Count("pk"), changed=Max("updated_at"))
    )
    last_changed = [workshop.updated_at]
    for row in per_area:
        section(row["area_id"]).contribution_count = row["n"]
        last_changed.append(row["changed"])

    theme_groups = defaultdict(dict)
    for theme_id, subject, n in (
        visible.filter(theme__isnull=False)
        .order_by()
        .values_list("theme_id", "group__subject")
        .annotate(n=Count("pk"))
        .order_by("theme_id", "group__subject")
    ):
        theme_groups[theme_id][subject] = n
    themes = Theme.objects.filter(pk__in=list(theme_groups))
    for theme in themes:
        theme.group_subjects = list(theme_groups[theme.pk])
        theme.contribution_count = sum(theme_groups[theme.pk].values())
    for theme in sorted(themes, key=lambda theme: (-theme.contribution_count, theme.name)):
        section(theme.area_id).themes.append(theme)

    representative = (
        visible.select_related("group")
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=F("area_id"),
                order_by=[SHARED_MOST_FIRST.asc(), F("entered_at").asc(), F("pk").asc()],
            )
        )
        .filter(rank__lte=REPRESENTATIVE_PER_AREA)
        .order_by("area_id", "rank")
    )
    for contribution in representative:
        section(contribution.area_id).representative.append(contribution)

    actions = list(public_actions(workshop))
    for action in actions:
        section(action.area_id).actions.append(action)
        last_changed.extend(filter(None, [action.updated_at, action.latest_update_at]))
        for copy in action.copies:
            last_changed.extend(filter(None, [copy.updated_at, copy.latest_update_at]))

    shown = [s for s in [*sections.values(), unsorted] if s.contribution_count or s.actions]
    return Progress(
        workshop=workshop,
        sections=shown,
        actions=actions,
        questions=list(public_questions(workshop)),
        contribution_count=sum(s.contribution_count for s in shown),
        under_review_count=notes_under_review(workshop),
        last_changed=max(last_changed),
        today=today,
    )
