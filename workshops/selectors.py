"""Read-side counting for staff pages: what a workshop's triage looks like now."""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Value

from workshops.models import Area, FlipchartGroup, Theme, Workshop

PRESENT = Q(contributions__removed_at__isnull=True)


@dataclass
class TriageCounts:
    areas: list[Area]
    groups: list[FlipchartGroup]
    """Each with `total`, `untriaged`, `awaiting_review` and `area_<pk>` counts of present
    notes."""
    themes: QuerySet[Theme]
    """Each with `contribution_count` of present notes."""
    actions_by_status: dict[str, int]

    def in_area(self, group: FlipchartGroup, area: Area) -> int:
        return getattr(group, f"area_{area.pk}")

    @property
    def total(self) -> int:
        return sum(group.total for group in self.groups)

    @property
    def untriaged(self) -> int:
        return sum(group.untriaged for group in self.groups)

    @property
    def awaiting_review(self) -> int:
        return sum(group.awaiting_review for group in self.groups)

    @property
    def suggestions_accepted(self) -> int:
        return sum(group.suggestions_accepted for group in self.groups)

    @property
    def suggestions_changed(self) -> int:
        return sum(group.suggestions_changed for group in self.groups)


def triage_counts(workshop: Workshop) -> TriageCounts:
    """Notes per group and area, themes with their notes, and actions per status: four queries."""
    areas = list(Area.objects.all())

    def counted(condition=PRESENT):
        return Count("contributions", filter=PRESENT & condition)

    # As ContributionQuerySet.awaiting_review counts them, in the same query as the rest.
    awaiting_review = (
        counted(Q(contributions__hidden_from_public=False, contributions__reviewed_at__isnull=True))
        if workshop.notes_public_after_review
        else Value(0)
    )
    groups = workshop.groups.order_by("order", "pk").annotate(
        total=counted(),
        untriaged=counted(
            Q(contributions__area__isnull=True, contributions__hidden_from_public=False)
        ),
        awaiting_review=awaiting_review,
        suggestions_accepted=counted(Q(contributions__suggestion="accepted")),
        suggestions_changed=counted(Q(contributions__suggestion="changed")),
        **{f"area_{area.pk}": counted(Q(contributions__area=area)) for area in areas},
    )
    themes = (
        workshop.themes.select_related("area")
        .annotate(contribution_count=Count("contributions", filter=PRESENT))
        .order_by("name")
    )
    return TriageCounts(
        areas=areas,
        groups=list(groups),
        themes=themes,
        actions_by_status=dict(
            workshop.actions.order_by().values_list("status").annotate(n=Count("pk"))
        ),
    )
