"""A workshop's triage overview: notes per group and area, each count a link to those notes."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse

from feedback_site.admin_site import changelist_url
from workshops.charts import bar_chart
from workshops.models import Contribution, Theme, Workshop
from workshops.selectors import triage_counts


def percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "No notes"


def create_action_from_theme_url(theme: Theme) -> str:
    return f"{reverse('admin:actions_actionitem_from_contributions')}?theme={theme.pk}"


def triage_overview_view(model_admin, request, object_id):
    workshop = get_object_or_404(Workshop, pk=object_id)
    if not (
        model_admin.has_view_permission(request, workshop)
        and request.user.has_perm("workshops.view_contribution")
    ):
        raise PermissionDenied
    counts = triage_counts(workshop)

    def cell(count, label, **params):
        url = changelist_url(
            Contribution, group__workshop__id__exact=workshop.pk, removed="no", **params
        )
        return {"count": count, "url": url, "label": label}

    rows = [
        {
            "group": group,
            "areas": [
                cell(
                    counts.in_area(group, area),
                    f"in {area} from {group}",
                    group=group.pk,
                    area__id__exact=area.pk,
                )
                for area in counts.areas
            ],
            "untriaged": cell(
                group.untriaged, f"not yet triaged from {group}", group=group.pk, triaged="no"
            ),
            "total": cell(group.total, f"from {group}", group=group.pk),
            "percent_triaged": percent(group.total - group.untriaged, group.total),
        }
        for group in counts.groups
    ]
    area_totals = [
        sum(counts.in_area(group, area) for group in counts.groups) for area in counts.areas
    ]
    totals = {
        "areas": [
            cell(count, f"in {area}", area__id__exact=area.pk)
            for area, count in zip(counts.areas, area_totals, strict=True)
        ],
        "untriaged": cell(counts.untriaged, "not yet triaged", triaged="no"),
        "awaiting_review": cell(counts.awaiting_review, "not yet reviewed", reviewed="no"),
        "total": cell(counts.total, "in all"),
        "percent_triaged": percent(counts.total - counts.untriaged, counts.total),
    }
    suggested = counts.suggestions_accepted + counts.suggestions_changed
    suggestions = {
        "accepted": counts.suggestions_accepted,
        "changed": counts.suggestions_changed,
        "percent_accepted": percent(counts.suggestions_accepted, suggested) if suggested else "",
    }
    status_labels = dict(workshop.actions.model._meta.get_field("status").flatchoices)
    charts = [
        bar_chart(
            "Contributions per area",
            "Area",
            "Contributions",
            [
                *(
                    (area.name, count)
                    for area, count in zip(counts.areas, area_totals, strict=True)
                ),
                ("Not yet triaged", counts.untriaged),
            ],
        ),
        bar_chart(
            "Actions per status",
            "Status",
            "Actions",
            [
                (label, counts.actions_by_status.get(status, 0))
                for status, label in status_labels.items()
            ],
        ),
    ]
    context = {
        **model_admin.admin_site.each_context(request),
        "title": f"Triage overview: {workshop}",
        "charts": charts,
        "subtitle": None,
        "opts": model_admin.opts,
        "workshop": workshop,
        "areas": counts.areas,
        "rows": rows,
        "totals": totals,
        "suggestions": suggestions,
        "themes": [
            {
                "theme": theme,
                "contributions_url": changelist_url(
                    Contribution, theme__id__exact=theme.pk, removed="no"
                ),
                "create_action_url": create_action_from_theme_url(theme),
            }
            for theme in counts.themes
        ],
        "can_create_actions": request.user.has_perm("actions.add_actionitem"),
    }
    return TemplateResponse(request, "admin/workshops/workshop/triage_overview.html", context)
