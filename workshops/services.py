from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from workshops.models import Area, Contribution, Theme, Workshop


@transaction.atomic
def contributions_remove(*, contributions: QuerySet[Contribution], by) -> int:
    """Soft-remove contributions, recording who and when; returns how many were removed."""
    return contributions.present().update(removed_at=timezone.now(), removed_by=by)


@transaction.atomic
def contributions_restore(*, contributions: QuerySet[Contribution]) -> int:
    """Bring soft-removed contributions back; returns how many were restored."""
    return contributions.filter(removed_at__isnull=False).update(removed_at=None, removed_by=None)


class MixedWorkshopsError(ValueError):
    """Contributions from different workshops cannot be triaged together."""


def contributions_workshop(contributions: QuerySet[Contribution]) -> Workshop:
    """The one workshop all the contributions come from, found in one query."""
    workshops = list(
        Workshop.objects.filter(pk__in=contributions.order_by().values("group__workshop"))[:2]
    )
    if not workshops:
        raise ValueError("No contributions were given.")
    if len(workshops) > 1:
        raise MixedWorkshopsError(
            "The selected contributions come from more than one workshop: "
            "choose contributions from one workshop at a time."
        )
    return workshops[0]


@transaction.atomic
def contribution_save(*, contribution: Contribution, by) -> Contribution:
    """Save a contribution edited by staff; a change of area records who triaged it and when."""
    stored_area_id = (
        Contribution.objects.filter(pk=contribution.pk).values_list("area_id", flat=True).first()
        if contribution.pk
        else None
    )
    if contribution.area_id != stored_area_id:
        triaged = contribution.area_id is not None
        contribution.triaged_by = by if triaged else None
        contribution.triaged_at = timezone.now() if triaged else None
    contribution._history_user = by
    contribution.save()
    return contribution


@transaction.atomic
def contributions_move_to_area(*, contributions: QuerySet[Contribution], area: Area, by) -> int:
    """Sort contributions into an area, recording who triaged them and when; returns how many
    moved."""
    now = timezone.now()
    moved = list(
        Contribution.objects.select_for_update()
        .filter(pk__in=contributions.order_by().values("pk"))
        .exclude(area=area)
    )
    for contribution in moved:
        contribution.area = area
        contribution.triaged_by = by
        contribution.triaged_at = now
        contribution.updated_at = now
    bulk_update_with_history(
        moved,
        Contribution,
        ["area", "triaged_by", "triaged_at", "updated_at"],
        default_user=by,
        default_change_reason=f"Moved to {area}",
    )
    return len(moved)


@transaction.atomic
def contributions_add_to_theme(
    *,
    contributions: QuerySet[Contribution],
    by,
    theme: Theme | None = None,
    new_theme_name: str = "",
) -> Theme:
    """Gather contributions under a theme of their workshop, existing or new; returns the theme."""
    if (theme is None) == (not new_theme_name.strip()):
        raise ValueError("Give either an existing theme or a new theme's name.")
    workshop = contributions_workshop(contributions)
    if theme is None:
        theme = Theme.objects.create(workshop=workshop, name=new_theme_name.strip())
    elif theme.workshop_id != workshop.pk:
        raise MixedWorkshopsError("Choose a theme from the same workshop as the contributions.")
    now = timezone.now()
    gathered = list(
        Contribution.objects.select_for_update()
        .filter(pk__in=contributions.order_by().values("pk"))
        .exclude(theme=theme)
    )
    for contribution in gathered:
        contribution.theme = theme
        contribution.updated_at = now
    bulk_update_with_history(
        gathered,
        Contribution,
        ["theme", "updated_at"],
        default_user=by,
        default_change_reason=f"Added to theme {theme}",
    )
    return theme
