"""What the public progress page, its exports and its feed show: published fields only, read in a
fixed number of queries however big the workshop."""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import (
    Case,
    Count,
    F,
    Func,
    Max,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from actions.models import ActionItem, DueDateChange, Status
from workshops.charts import bar_chart
from workshops.models import Area, Contribution, Reach, Theme, Workshop

REPRESENTATIVE_PER_AREA = 3

# The notes of an area come a page at a time, oldest first, so that every one can be found.
AREA_NOTES_PER_PAGE = 50
# Notes without an area have no Area row; their list has this in place of an area's slug.
NOT_YET_SORTED = "not-yet-sorted"
# Each kind of search result stops here, so a one-letter search costs the same as any other.
SEARCH_RESULTS_PER_KIND = 50
SEARCH_MAX_WORDS = 8
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
    return ngettext(
        "%(count)d note is still being reviewed and will be published once it has been.",
        "%(count)d notes are still being reviewed and will be published once they have been.",
        count,
    ) % {"count": count}


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
    """The workshop's public questions in the order they were asked: the queue they are
    answered in."""
    return (
        public_contributions(workshop)
        .filter(kind=Contribution.Kind.QUESTION)
        .prefetch_related(Prefetch("actions", queryset=ActionItem.objects.order_by("pk")))
        .order_by("entered_at", "pk")
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
        return str(self.area) if self.area else gettext("Not yet sorted")

    @property
    def anchor(self) -> str:
        return f"area-{self.slug}"

    @property
    def slug(self) -> str:
        """What the address of the area's list of notes names it by."""
        return self.area.slug if self.area else NOT_YET_SORTED


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
            gettext("Contributions per area"),
            gettext("Area"),
            gettext("Contributions"),
            [(section.name, section.contribution_count) for section in self.sections],
        )

    def actions_chart(self) -> dict:
        counts = self.status_counts
        return bar_chart(
            gettext("Actions per status"),
            gettext("Status"),
            gettext("Actions"),
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
    themes = Theme.objects.filter(pk__in=list(theme_groups)).select_related(
        "recurring_link__recurring_theme"
    )
    for theme in themes:
        link = getattr(theme, "recurring_link", None)
        theme.recurring = link.recurring_theme if link else None
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


def area_notes(workshop: Workshop, area: Area | None):
    """An area's public notes, or the notes not yet sorted into one, in the order written."""
    notes = public_contributions(workshop)
    return notes.filter(area=area) if area else notes.filter(area__isnull=True)


def _position_in_area(workshop: Workshop):
    """How many public notes of the same area (or none) come before a note in its area's list:
    a subquery, so a page of results knows each note's page in one query."""
    before = (
        Contribution.objects.public()
        .filter(group__workshop=workshop)
        .alias(area_key=Coalesce("area_id", 0))
        .filter(area_key=Coalesce(OuterRef("area_id"), 0))
        .filter(
            Q(entered_at__lt=OuterRef("entered_at"))
            | Q(entered_at=OuterRef("entered_at"), pk__lt=OuterRef("pk"))
        )
        .order_by()
        # COUNT as a plain function, so that no GROUP BY splits the count.
        .annotate(n=Func(F("pk"), function="COUNT"))
        .values("n")
    )
    return Coalesce(Subquery(before), 0)


def _every_word(words: list[str], *fields: str) -> Q:
    """Each word found in at least one of the fields, case ignored; Django escapes % and _."""
    condition = Q()
    for word in words:
        anywhere = Q()
        for name in fields:
            anywhere |= Q(**{f"{name}__icontains": word})
        condition &= anywhere
    return condition


def search_words(query: str) -> list[str]:
    """The distinct words of a search, the first few only."""
    return list(dict.fromkeys(query.lower().split()))[:SEARCH_MAX_WORDS]


@dataclass
class SearchResults:
    """What a search of one workshop's public page found: each kind capped, in page order."""

    notes: list[Contribution]
    questions: list[Contribution]
    themes: list[Theme]
    actions: list[ActionItem]
    more: bool

    @property
    def count(self) -> int:
        return len(self.notes) + len(self.questions) + len(self.themes) + len(self.actions)


def _capped(queryset) -> tuple[list, bool]:
    found = list(queryset[: SEARCH_RESULTS_PER_KIND + 1])
    return found[:SEARCH_RESULTS_PER_KIND], len(found) > SEARCH_RESULTS_PER_KIND


def workshop_search(workshop: Workshop, query: str) -> SearchResults:
    """Everything the progress page shows that contains every word of the query: notes, questions
    with their answers, themes and actions. Four queries at any size."""
    words = search_words(query)
    visible = public_contributions(workshop)
    notes, more_notes = _capped(
        visible.exclude(kind=Contribution.Kind.QUESTION)
        .filter(_every_word(words, "text"))
        .annotate(position=_position_in_area(workshop))
    )
    for note in notes:
        note.page = note.position // AREA_NOTES_PER_PAGE + 1
    questions, more_questions = _capped(
        visible.filter(kind=Contribution.Kind.QUESTION).filter(
            _every_word(words, "text", "answer", "closure_reason")
        )
    )
    # A theme is on the page only while a public note belongs to it.
    themes, more_themes = _capped(
        Theme.objects.filter(workshop=workshop, pk__in=visible.values("theme_id"))
        .filter(_every_word(words, "name", "summary"))
        .select_related("area")
        .order_by("area__order", "name", "pk")
    )
    actions, more_actions = _capped(
        public_actions(workshop).filter(
            _every_word(words, "title", "description", "owner__name", "latest_update_note")
        )
    )
    return SearchResults(
        notes=notes,
        questions=questions,
        themes=themes,
        actions=actions,
        more=more_notes or more_questions or more_themes or more_actions,
    )
