"""Workshops, their flipchart groups, areas and themes."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import ngettext

from feedback_site.admin_site import ReadOnlyInline, changelist_url, selected_ids, selection_url
from workshops.admin.imports import import_preview_view, import_upload_view
from workshops.admin.recurring import theme_recurring_url, theme_recurring_view
from workshops.admin.triage import create_action_from_theme_url, triage_overview_view
from workshops.admin.workbench import workbench_save_view, workbench_view
from workshops.edit_conflicts import EditConflictAdminMixin
from workshops.models import (
    Area,
    CaptureBatch,
    FlipchartGroup,
    FlipchartPhoto,
    RecurringThemeLink,
    Theme,
    Workshop,
)
from workshops.services import ThemeAreaError, ThemesMerged, theme_save, themes_merge


class FlipchartGroupInline(admin.StackedInline):
    model = FlipchartGroup
    extra = 0
    fields = [
        "order",
        "subject",
        "prompt",
        "facilitator_line",
        "facilitators",
        "time_limit_minutes",
    ]
    # Facilitators are chosen in a plain multiple select: Django's two-box filter names its
    # search icons with aria-label on a span without a role (axe: aria-prohibited-attr), and the
    # autocomplete widget leaves its search box unlabelled (axe: label, list).


@admin.register(Workshop)
class WorkshopAdmin(EditConflictAdminMixin, admin.ModelAdmin):
    list_display = [
        "title",
        "event",
        "date",
        "location",
        "is_published",
        "group_count",
        "triage_link",
    ]
    list_filter = ["is_published", "date"]
    search_fields = ["title", "event", "location"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "date"
    inlines = [FlipchartGroupInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "event", "purpose", "description"]}),
        ("When and where", {"fields": ["date", "start_time", "duration_minutes", "location"]}),
        ("Attendance", {"fields": ["expected_attendance", "actual_attendance"]}),
        ("Publishing", {"fields": ["is_published", "notes_public_after_review"]}),
        (
            "Online channel",
            {
                "fields": ["online_opens_at", "online_closes_at"],
                "description": "While it is open, the progress page links to a form where "
                "anyone may ask a question or add a view about one of the workshop's subjects. "
                "What they send waits for review, whatever the publishing setting.",
            },
        ),
        (
            "Rounds",
            {"fields": ["rounds_mode", "visiting_groups", "late_notes", "grace_minutes"]},
        ),
    ]
    actions = ["download_exports"]

    def get_urls(self):
        return [
            path(
                "<int:object_id>/triage/",
                self.admin_site.admin_view(self.triage_overview_view),
                name="workshops_workshop_triage",
            ),
            path(
                "<int:object_id>/workbench/",
                self.admin_site.admin_view(self.workbench_view),
                name="workshops_workshop_workbench",
            ),
            path(
                "<int:object_id>/workbench/save/",
                self.admin_site.admin_view(self.workbench_save_view),
                name="workshops_workshop_workbench_save",
            ),
            path(
                "<int:object_id>/import/",
                self.admin_site.admin_view(self.import_upload_view),
                name="workshops_workshop_import_notes",
            ),
            path(
                "<int:object_id>/import/preview/",
                self.admin_site.admin_view(self.import_preview_view),
                name="workshops_workshop_import_preview",
            ),
            *super().get_urls(),
        ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_group_count=Count("groups"))

    @admin.display(description="Groups", ordering="_group_count")
    def group_count(self, workshop):
        return workshop._group_count

    @admin.display(description="Triage")
    def triage_link(self, workshop):
        return format_html(
            '<a href="{}">Triage overview<span class="visually-hidden"> of {}</span></a>, '
            '<a href="{}">workbench<span class="visually-hidden"> of {}</span></a>',
            reverse("admin:workshops_workshop_triage", args=[workshop.pk]),
            workshop,
            reverse("admin:workshops_workshop_workbench", args=[workshop.pk]),
            workshop,
        )

    @admin.action(description="Download published contributions and actions (XLSX)")
    def download_exports(self, request, queryset):
        """The public workbook: the export holds what the public can see, and no more."""
        if len(queryset) != 1 or not queryset[0].is_published:
            self.message_user(
                request,
                "Select one published workshop: its export holds what the public can see.",
                messages.ERROR,
            )
            return None
        return HttpResponseRedirect(
            reverse("progress:workshop_xlsx", kwargs={"slug": queryset[0].slug})
        )

    def triage_overview_view(self, request, object_id):
        return triage_overview_view(self, request, object_id)

    def workbench_view(self, request, object_id):
        return workbench_view(self, request, object_id)

    def workbench_save_view(self, request, object_id):
        return workbench_save_view(self, request, object_id)

    def import_upload_view(self, request, object_id):
        return import_upload_view(self, request, object_id)

    def import_preview_view(self, request, object_id):
        return import_preview_view(self, request, object_id)


class FlipchartPhotoInline(ReadOnlyInline):
    model = FlipchartPhoto
    fields = ["preview", "uploaded_at", "uploaded_by", "width", "height", "size_bytes"]

    @admin.display(description="Photo")
    def preview(self, photo):
        return format_html(
            '<a href="{}"><img src="{}" alt="Photo of the flipchart" height="128"></a>',
            photo.get_absolute_url(),
            photo.get_absolute_url(),
        )


class CaptureBatchInline(ReadOnlyInline):
    model = CaptureBatch
    fields = ["submitted_at", "submitted_by", "note_count", "key"]
    verbose_name_plural = "capture submits"


@admin.register(FlipchartGroup)
class FlipchartGroupAdmin(admin.ModelAdmin):
    list_display = ["subject", "workshop", "facilitator_line", "time_limit_minutes", "order"]
    list_select_related = ["workshop"]
    list_filter = ["workshop"]
    search_fields = ["subject", "prompt", "facilitator_line"]
    inlines = [FlipchartPhotoInline, CaptureBatchInline]


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["name", "default_owner", "order"]
    list_select_related = ["default_owner"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "includes"]


class ThemeForm(forms.ModelForm):
    class Meta:
        model = Theme
        fields = ["workshop", "name", "summary", "area"]
        help_texts = {"area": "Changing the area moves the theme's notes to it, with history."}

    def clean_area(self):
        area = self.cleaned_data["area"]
        if area is None and self.instance.pk and self.instance.contributions.exists():
            raise forms.ValidationError("Select an area: this theme has notes")
        link = (
            RecurringThemeLink.objects.filter(theme_id=self.instance.pk)
            .select_related("recurring_theme__area")
            .first()
        )
        if link is not None and area != link.recurring_theme.area:
            raise forms.ValidationError(
                f"This theme is counted in the recurring theme “{link.recurring_theme}” of "
                f"{link.recurring_theme.area}: unlink it first, or keep that area"
            )
        return area


class MergeThemesForm(forms.Form):
    survivor = forms.ModelChoiceField(
        Theme.objects.none(),
        label="Keep this theme",
        empty_label="Choose the theme to keep",
        help_text="The other themes' notes and actions move to it, and the other themes go. "
        "It keeps its name, summary and area: notes from a theme of another area move to "
        "its area. Actions keep their own area and owner.",
        error_messages={"required": "Choose the theme to keep"},
    )

    def __init__(self, *args, themes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["survivor"].queryset = themes


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    form = ThemeForm
    list_display = ["name", "workshop", "area", "contribution_count", "create_action_link"]
    list_select_related = ["workshop", "area"]
    list_filter = ["workshop", "area"]
    search_fields = ["name", "summary"]
    actions = ["merge_selected"]

    def get_urls(self):
        return [
            path(
                "merge/",
                self.admin_site.admin_view(self.merge_view),
                name="workshops_theme_merge",
            ),
            path(
                "<path:object_id>/recurring/",
                self.admin_site.admin_view(self.recurring_view),
                name="workshops_theme_recurring",
            ),
            *super().get_urls(),
        ]

    @admin.action(description="Merge selected themes…", permissions=["change"])
    def merge_selected(self, request, queryset):
        url = selection_url("admin:workshops_theme_merge", queryset, request)
        return HttpResponseRedirect(url) if url else None

    def merge_view(self, request):
        if not (
            self.has_change_permission(request)
            and request.user.has_perm("workshops.change_contribution")
        ):
            raise PermissionDenied
        filters = request.GET.get("_changelist_filters", "")
        back = changelist_url(Theme) + (f"?{filters}" if filters else "")
        themes = (
            Theme.objects.filter(pk__in=selected_ids(request))
            .select_related("workshop", "area")
            .annotate(
                contribution_count=Count(
                    "contributions", filter=Q(contributions__removed_at__isnull=True)
                )
            )
            .order_by("name")
        )
        if len({theme.workshop_id for theme in themes}) != 1 or len(themes) < 2:
            self.message_user(
                request, "Select two or more themes of one workshop to merge.", messages.ERROR
            )
            return HttpResponseRedirect(back)
        form = MergeThemesForm(request.POST if request.method == "POST" else None, themes=themes)
        if request.method == "POST" and form.is_valid():
            survivor = form.cleaned_data["survivor"]
            try:
                merged = themes_merge(survivor=survivor, others=themes, by=request.user)
            except ThemeAreaError as error:
                form.add_error("survivor", str(error))
            else:
                self.message_user(request, themes_merged_message(merged), messages.SUCCESS)
                return HttpResponseRedirect(back)
        context = {
            **self.admin_site.each_context(request),
            "title": "Merge themes",
            "subtitle": None,
            "opts": self.opts,
            "form": form,
            "themes": themes,
            "workshop": themes[0].workshop,
            "areas": {theme.area for theme in themes},
            "back_url": back,
        }
        return TemplateResponse(request, "admin/workshops/theme/merge.html", context)

    def recurring_view(self, request, object_id):
        return theme_recurring_view(self, request, object_id)

    def get_readonly_fields(self, request, obj=None):
        return ["recurring_theme"] if obj is not None else []

    @admin.display(description="Recurring theme")
    def recurring_theme(self, theme):
        link = RecurringThemeLink.objects.filter(theme=theme).select_related("recurring_theme")
        current = link.first()
        return format_html(
            '{} <a href="{}">{}</a>',
            f"Linked to “{current.recurring_theme}”." if current else "Not linked.",
            theme_recurring_url(theme),
            "Change the link" if current else "Link it to a recurring theme",
        )

    def response_add(self, request, obj, post_url_continue=None):
        """A new theme may be one more time something was said before: offer to link it."""
        if "_addanother" in request.POST or "_continue" in request.POST or obj.area_id is None:
            return super().response_add(request, obj, post_url_continue)
        self.message_user(request, f"The theme “{obj}” was added.", messages.SUCCESS)
        return HttpResponseRedirect(theme_recurring_url(obj))

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                _contribution_count=Count(
                    "contributions", filter=Q(contributions__removed_at__isnull=True)
                )
            )
        )

    def save_model(self, request, obj, form, change):
        moved = theme_save(theme=obj, by=request.user)
        if moved:
            self.message_user(
                request,
                ngettext(
                    "%(count)d contribution of the theme moved to %(area)s.",
                    "%(count)d contributions of the theme moved to %(area)s.",
                    moved,
                )
                % {"count": moved, "area": obj.area},
                messages.SUCCESS,
            )

    @admin.display(description="Contributions", ordering="_contribution_count")
    def contribution_count(self, theme):
        return theme._contribution_count

    @admin.display(description="Action")
    def create_action_link(self, theme):
        return format_html(
            '<a href="{}">Create an action<span class="visually-hidden"> from {}</span></a>',
            create_action_from_theme_url(theme),
            theme,
        )


def themes_merged_message(merged: ThemesMerged) -> str:
    message = ngettext(
        "Merged %(names)s into “%(survivor)s”: %(notes)d contribution moved",
        "Merged %(names)s into “%(survivor)s”: %(notes)d contributions moved",
        merged.notes,
    ) % {
        "names": ", ".join(f"“{name}”" for name in merged.merged),
        "survivor": merged.survivor,
        "notes": merged.notes,
    }
    if merged.moved_area:
        message += ngettext(
            " (%(count)d of them to %(area)s)",
            " (%(count)d of them to %(area)s)",
            merged.moved_area,
        ) % {"count": merged.moved_area, "area": merged.survivor.area}
    if merged.actions:
        message += ngettext(", and %(count)d action", ", and %(count)d actions", merged.actions) % {
            "count": merged.actions
        }
    return message + "."
