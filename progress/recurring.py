"""Recurring themes over time: at which workshops each was raised, how many notes said it, and
what was done each time. The public reads published workshops and public notes only; staff read
every workshop and every present note. A fixed number of queries at any size."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, F, Max, Min, Q, Window
from django.db.models.functions import RowNumber

from actions.models import ActionItem
from progress.selectors import SHARED_MOST_FIRST
from workshops.models import Contribution, RecurringTheme, Theme

QUOTES_PER_WORKSHOP = 3


def _notes(public: bool):
    return Contribution.objects.public() if public else Contribution.objects.present()


@dataclass
class Occurrence:
    """One workshop's theme counted in a recurring theme."""

    theme: Theme
    note_count: int = 0
    public_count: int = 0
    quotes: list = field(default_factory=list)
    actions: list = field(default_factory=list)

    @property
    def workshop(self):
        return self.theme.workshop


@dataclass
class YearCount:
    year: int
    workshops: int
    notes: int


@dataclass
class RecurringHistory:
    recurring: RecurringTheme
    occurrences: list[Occurrence]

    @property
    def workshop_count(self) -> int:
        return len({occurrence.workshop.pk for occurrence in self.occurrences})

    @property
    def note_count(self) -> int:
        return sum(occurrence.note_count for occurrence in self.occurrences)

    @property
    def action_count(self) -> int:
        return sum(len(occurrence.actions) for occurrence in self.occurrences)

    @property
    def years(self) -> list[YearCount]:
        workshops, notes = defaultdict(set), defaultdict(int)
        for occurrence in self.occurrences:
            year = occurrence.workshop.date.year
            workshops[year].add(occurrence.workshop.pk)
            notes[year] += occurrence.note_count
        return [YearCount(year, len(workshops[year]), notes[year]) for year in sorted(workshops)]


def recurring_histories(
    recurrings: list[RecurringTheme], *, public: bool, quotes: bool = True
) -> list[RecurringHistory]:
    """For each recurring theme, the workshops that raised it, oldest first, each with its
    notes, a few of them quoted (those most people agreed with first) and the actions taken.
    Four queries however many (three without quotes)."""
    notes = _notes(public).filter(theme__recurring_link__recurring_theme__in=recurrings)
    counts = {
        row["theme_id"]: row
        for row in notes.order_by()
        .values("theme_id")
        .annotate(
            n=Count("pk"),
            public=Count("pk", filter=Q(pk__in=Contribution.objects.public().values("pk"))),
        )
    }
    themes = Theme.objects.filter(recurring_link__recurring_theme__in=recurrings).select_related(
        "workshop", "recurring_link"
    )
    if public:
        themes = themes.filter(pk__in=list(counts))
    occurrences = {
        theme.pk: Occurrence(
            theme,
            note_count=counts.get(theme.pk, {}).get("n", 0),
            public_count=counts.get(theme.pk, {}).get("public", 0),
        )
        for theme in themes.order_by("workshop__date", "workshop__title", "pk")
    }
    if quotes:
        quoted = (
            notes.filter(theme_id__in=list(occurrences))
            .annotate(
                rank=Window(
                    RowNumber(),
                    partition_by=F("theme_id"),
                    order_by=[SHARED_MOST_FIRST.asc(), F("entered_at").asc(), F("pk").asc()],
                )
            )
            .filter(rank__lte=QUOTES_PER_WORKSHOP)
            .order_by("theme_id", "rank")
        )
        for note in quoted:
            occurrences[note.theme_id].quotes.append(note)
    actions = (
        ActionItem.objects.filter(theme_id__in=list(occurrences), parent__isnull=True)
        .select_related("owner")
        .order_by("due_date", "pk")
    )
    for action in actions:
        occurrences[action.theme_id].actions.append(action)
    by_recurring = defaultdict(list)
    for occurrence in occurrences.values():
        by_recurring[occurrence.theme.recurring_link.recurring_theme_id].append(occurrence)
    return [RecurringHistory(recurring, by_recurring[recurring.pk]) for recurring in recurrings]


@dataclass
class RecurringSummary:
    recurring: RecurringTheme
    workshop_count: int
    note_count: int
    first_date: object
    last_date: object

    @property
    def span(self) -> str:
        first, last = self.first_date.year, self.last_date.year
        return str(first) if first == last else f"{first}-{last}"


def recurring_summaries(*, public: bool) -> list[RecurringSummary]:
    """Every recurring theme raised with at least one note (public notes of published workshops
    for the public), most workshops first. Two queries."""
    rows = {
        row["theme__recurring_link__recurring_theme_id"]: row
        for row in _notes(public)
        .filter(theme__recurring_link__isnull=False)
        .order_by()
        .values("theme__recurring_link__recurring_theme_id")
        .annotate(
            notes=Count("pk"),
            workshops=Count("group__workshop_id", distinct=True),
            first=Min("group__workshop__date"),
            last=Max("group__workshop__date"),
        )
    }
    summaries = [
        RecurringSummary(
            recurring,
            workshop_count=rows[recurring.pk]["workshops"],
            note_count=rows[recurring.pk]["notes"],
            first_date=rows[recurring.pk]["first"],
            last_date=rows[recurring.pk]["last"],
        )
        for recurring in RecurringTheme.objects.filter(pk__in=list(rows)).select_related("area")
    ]
    return sorted(summaries, key=lambda s: (-s.workshop_count, -s.note_count, s.recurring.name))
