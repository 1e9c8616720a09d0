from collections import defaultdict
from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.forms.models import BaseModelFormSet
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from workshops.admin_widgets import (
    PlainHiddenInput,
    PrerenderedSelect,
    RenderedChoices,
    action_checkbox_html,
)
from workshops.charts import bar_chart
from workshops.edit_conflicts import EditConflictAdminMixin
from workshops.models import (
    Area,
    CaptureBatch,
    Contribution,
    FlipchartGroup,
    FlipchartPhoto,
    OpenQuestion,
    Theme,
    User,
    Workshop,
)
from workshops.roles import may_change_person, may_grant_permissions
from workshops.services import (
    MixedWorkshopsError,
    QuestionClosureError,
    contribution_save,
    contributions_add_to_theme,
    contributions_move_to_area,
    contributions_remove,
    contributions_restore,
    contributions_workshop,
    question_acknowledge,
    question_answer,
    question_close,
)

# The contribution list opens on the work still to do.
DEFAULT_CONTRIBUTION_FILTERS = {"triaged": "no", "removed": "no"}

# Selected ids travel in the intermediate page's URL; this keeps it well inside what servers accept.
MAX_SELECTED = 200


def changelist_url(model, **params) -> str:
    """The admin list of `model`, filtered by `params`."""
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    return f"{url}?{urlencode(params)}" if params else url


def selection_url(url_name: str, queryset, request) -> str | None:
    """The intermediate page for the selected objects, keeping the list's filters to return to;
    None, with a message, if too many are selected."""
    ids = list(queryset.order_by().values_list("pk", flat=True)[: MAX_SELECTED + 1])
    if len(ids) > MAX_SELECTED:
        messages.error(request, f"Select {MAX_SELECTED} contributions or fewer at a time.")
        return None
    params = {"ids": ",".join(map(str, ids)), "_changelist_filters": request.GET.urlencode()}
    return f"{reverse(url_name)}?{urlencode(params)}"


def contribution_list_url(request) -> str:
    """The contribution list with the filters it had when an intermediate page was opened."""
    filters = request.GET.get("_changelist_filters", "")
    return changelist_url(Contribution) + (f"?{filters}" if filters else "")


def areas_of(request) -> list[Area]:
    """The areas, read once per request however often the admin asks for its actions."""
    if not hasattr(request, "_areas"):
        request._areas = list(Area.objects.all())
    return request._areas


def selected_ids(request) -> list[int]:
    """The ids an intermediate page was opened for; nonsense is ignored."""
    return [int(part) for part in request.GET.get("ids", "").split(",") if part.isdigit()]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "job_title", "is_staff", "is_active", "last_login"]
    list_filter = ["is_staff", "is_superuser", "is_active", "groups"]
    search_fields = ["email", "full_name", "job_title"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Personal details", {"fields": ["full_name", "job_title"]}),
        (
            "Permissions",
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        ("Important dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["email", "full_name", "usable_password", "password1", "password2"],
            },
        ),
    ]

    def get_readonly_fields(self, request, obj=None):
        if may_grant_permissions(request.user):
            return self.readonly_fields
        return [*self.readonly_fields, "is_superuser", "user_permissions"]

    def has_change_permission(self, request, obj=None):
        if obj is not None and not may_change_person(request.user, obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not may_change_person(request.user, obj):
            return False
        return super().has_delete_permission(request, obj)


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
    filter_horizontal = ["facilitators"]


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
        ("Publishing", {"fields": ["is_published"]}),
    ]
    actions = ["download_exports"]

    def get_urls(self):
        return [
            path(
                "<int:object_id>/triage/",
                self.admin_site.admin_view(self.triage_overview_view),
                name="workshops_workshop_triage",
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
            '<a href="{}">Triage overview<span class="visually-hidden"> of {}</span></a>',
            reverse("admin:workshops_workshop_triage", args=[workshop.pk]),
            workshop,
        )

    @admin.action(description="Download published contributions and actions (XLSX)")
    def download_exports(self, request, queryset):
        # Imported here: the export reads actions, and workshops never imports actions at load.
        from actions.exports import workbook_response

        if len(queryset) != 1 or not queryset[0].is_published:
            self.message_user(
                request,
                "Select one published workshop: its export holds what the public can see.",
                messages.ERROR,
            )
            return None
        return workbook_response(queryset[0])

    def triage_overview_view(self, request, object_id):
        workshop = get_object_or_404(Workshop, pk=object_id)
        if not (
            self.has_view_permission(request, workshop)
            and request.user.has_perm("workshops.view_contribution")
        ):
            raise PermissionDenied
        areas = list(Area.objects.all())
        present = Q(contributions__removed_at__isnull=True)

        def counted(condition=present):
            return Count("contributions", filter=present & condition)

        groups = workshop.groups.order_by("order", "pk").annotate(
            total=counted(),
            untriaged=counted(Q(contributions__area__isnull=True)),
            **{f"area_{area.pk}": counted(Q(contributions__area=area)) for area in areas},
        )

        def cell(count, label, **params):
            url = changelist_url(
                Contribution, group__workshop__id__exact=workshop.pk, removed="no", **params
            )
            return {"count": count, "url": url, "label": label}

        rows = []
        for group in groups:
            rows.append(
                {
                    "group": group,
                    "areas": [
                        cell(
                            getattr(group, f"area_{area.pk}"),
                            f"in {area} from {group}",
                            group=group.pk,
                            area__id__exact=area.pk,
                        )
                        for area in areas
                    ],
                    "untriaged": cell(
                        group.untriaged,
                        f"not yet triaged from {group}",
                        group=group.pk,
                        triaged="no",
                    ),
                    "total": cell(group.total, f"from {group}", group=group.pk),
                    "percent_triaged": percent(group.total - group.untriaged, group.total),
                }
            )
        total = sum(group.total for group in groups)
        untriaged = sum(group.untriaged for group in groups)
        totals = {
            "areas": [
                cell(
                    sum(getattr(group, f"area_{area.pk}") for group in groups),
                    f"in {area}",
                    area__id__exact=area.pk,
                )
                for area in areas
            ],
            "untriaged": cell(untriaged, "not yet triaged", triaged="no"),
            "total": cell(total, "in all"),
            "percent_triaged": percent(total - untriaged, total),
        }
        themes = (
            workshop.themes.select_related("area")
            .annotate(contribution_count=Count("contributions", filter=present))
            .order_by("name")
        )
        status_labels = dict(workshop.actions.model._meta.get_field("status").flatchoices)
        status_counts = dict(
            workshop.actions.order_by().values_list("status").annotate(n=Count("pk"))
        )
        area_counts = [
            (area.name, cell["count"]) for area, cell in zip(areas, totals["areas"], strict=True)
        ]
        charts = [
            bar_chart(
                "Contributions per area",
                "Area",
                "Contributions",
                [*area_counts, ("Not yet triaged", untriaged)],
            ),
            bar_chart(
                "Actions per status",
                "Status",
                "Actions",
                [(label, status_counts.get(status, 0)) for status, label in status_labels.items()],
            ),
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": f"Triage overview: {workshop}",
            "charts": charts,
            "subtitle": None,
            "opts": self.opts,
            "workshop": workshop,
            "areas": areas,
            "rows": rows,
            "totals": totals,
            "themes": [
                {
                    "theme": theme,
                    "contributions_url": changelist_url(
                        Contribution, theme__id__exact=theme.pk, removed="no"
                    ),
                    "create_action_url": create_action_from_theme_url(theme),
                }
                for theme in themes
            ],
            "can_create_actions": request.user.has_perm("actions.add_actionitem"),
        }
        return TemplateResponse(request, "admin/workshops/workshop/triage_overview.html", context)


def percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "No notes"


def create_action_from_theme_url(theme: Theme) -> str:
    return f"{reverse('admin:actions_actionitem_from_contributions')}?theme={theme.pk}"


class FlipchartPhotoInline(admin.TabularInline):
    model = FlipchartPhoto
    extra = 0
    fields = ["preview", "uploaded_at", "uploaded_by", "width", "height", "size_bytes"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        # Photos are checked and re-encoded on upload, which the capture page does.
        return False

    @admin.display(description="Photo")
    def preview(self, photo):
        return format_html(
            '<a href="{}"><img src="{}" alt="Photo of the flipchart" height="128"></a>',
            photo.get_absolute_url(),
            photo.get_absolute_url(),
        )


class CaptureBatchInline(admin.TabularInline):
    model = CaptureBatch
    extra = 0
    fields = ["submitted_at", "submitted_by", "note_count", "key"]
    readonly_fields = fields
    can_delete = False
    verbose_name_plural = "capture submits"

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(FlipchartGroup)
class FlipchartGroupAdmin(admin.ModelAdmin):
    list_display = ["subject", "workshop", "facilitator_line", "time_limit_minutes", "order"]
    list_select_related = ["workshop"]
    list_filter = ["workshop"]
    search_fields = ["subject", "prompt", "facilitator_line"]
    filter_horizontal = ["facilitators"]
    inlines = [FlipchartPhotoInline, CaptureBatchInline]


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["name", "default_owner", "order"]
    list_select_related = ["default_owner"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "includes"]


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["name", "workshop", "area", "contribution_count", "create_action_link"]
    list_select_related = ["workshop", "area"]
    list_filter = ["workshop", "area"]
    search_fields = ["name", "summary"]

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


class RemovedFilter(admin.SimpleListFilter):
    title = "removed"
    parameter_name = "removed"

    def lookups(self, request, model_admin):
        return [("no", "Present"), ("yes", "Removed")]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(removed_at__isnull=True)
        if self.value() == "yes":
            return queryset.filter(removed_at__isnull=False)
        return queryset


class RecentWorkshopFilter(admin.SimpleListFilter):
    """The most recent workshops (and the chosen one): a list of hundreds helps nobody and costs
    every page of the changelist. Older workshops are reached from their Triage overview."""

    title = "workshop"
    parameter_name = "group__workshop__id__exact"
    shown = 20

    def lookups(self, request, model_admin):
        recent = Workshop.objects.order_by("-date", "-pk").values("pk")[: self.shown]
        chosen = self.value() if (self.value() or "").isdigit() else None
        return (
            Workshop.objects.filter(Q(pk__in=recent) | Q(pk=chosen))
            .order_by("-date", "-pk")
            .values_list("pk", "title")
        )

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(group__workshop_id=self.value())
        return queryset


class TriagedFilter(admin.SimpleListFilter):
    title = "triage"
    parameter_name = "triaged"

    def lookups(self, request, model_admin):
        return [("no", "Not yet triaged"), ("yes", "Triaged")]

    def choices(self, changelist):
        # "All" is explicit: without any parameter the list opens on untriaged notes.
        yield {
            "selected": self.value() in (None, "all"),
            "query_string": changelist.get_query_string({self.parameter_name: "all"}),
            "display": "All",
        }
        stock = super().choices(changelist)
        next(stock)
        yield from stock

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(area__isnull=True)
        if self.value() == "yes":
            return queryset.filter(area__isnull=False)
        return queryset


class GroupFilter(admin.SimpleListFilter):
    """The flipchart groups of the workshop chosen in the workshop filter."""

    title = "flipchart group"
    parameter_name = "group"

    def lookups(self, request, model_admin):
        workshop_id = request.GET.get("group__workshop__id__exact", "")
        if not workshop_id.isdigit():
            return []
        return (
            FlipchartGroup.objects.filter(workshop_id=workshop_id)
            .order_by("order", "pk")
            .values_list("pk", "subject")
        )

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(group_id=self.value())
        return queryset


class HasActionFilter(admin.SimpleListFilter):
    title = "has an action"
    parameter_name = "has_action"

    def lookups(self, request, model_admin):
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request, queryset):
        with_action = Contribution.objects.filter(action_sources__isnull=False).values("pk")
        if self.value() == "yes":
            return queryset.filter(pk__in=with_action)
        if self.value() == "no":
            return queryset.exclude(pk__in=with_action)
        return queryset


class ContributionTriageForm(forms.ModelForm):
    """One row of the contribution list, where staff set the area and theme."""

    area = forms.ModelChoiceField(Area.objects.all(), required=False, widget=PrerenderedSelect)
    theme = forms.ModelChoiceField(Theme.objects.all(), required=False, widget=PrerenderedSelect)

    class Meta:
        model = Contribution
        fields = ["area", "theme"]


class ContributionTriageFormSet(BaseModelFormSet):
    """Fetches and renders the area and theme options once for the page, not once per row, and
    offers each row only its own workshop's themes."""

    BLANK = ("", "---------")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.area_choices = RenderedChoices([self.BLANK, *Area.objects.values_list("pk", "name")])
        workshop_ids = {contribution.group.workshop_id for contribution in self.get_queryset()}
        theme_choices = defaultdict(lambda: [self.BLANK])
        themes = Theme.objects.filter(workshop_id__in=workshop_ids).order_by("name")
        for pk, workshop_id, name in themes.values_list("pk", "workshop_id", "name"):
            theme_choices[workshop_id].append((pk, name))
        self.theme_choices = {
            workshop_id: RenderedChoices(choices) for workshop_id, choices in theme_choices.items()
        }
        self.no_theme_choices = RenderedChoices([self.BLANK])

    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields[self.model._meta.pk.name].widget = PlainHiddenInput()

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        form.fields["area"].widget.choices = self.area_choices
        form.fields["theme"].widget.choices = self.theme_choices.get(
            form.instance.group.workshop_id, self.no_theme_choices
        )
        return form


class AddToThemeForm(forms.Form):
    theme = forms.ModelChoiceField(
        Theme.objects.none(),
        required=False,
        label="An existing theme",
        empty_label="Choose a theme",
    )
    new_theme_name = forms.CharField(label="Or a new theme called", max_length=200, required=False)

    def __init__(self, *args, workshop: Workshop, **kwargs):
        super().__init__(*args, **kwargs)
        self.workshop = workshop
        self.fields["theme"].queryset = workshop.themes.order_by("name")

    def clean_new_theme_name(self):
        name = self.cleaned_data["new_theme_name"].strip()
        if name and self.workshop.themes.filter(name__iexact=name).exists():
            raise forms.ValidationError(
                f"This workshop already has a theme called “{name}”: choose it from the list"
            )
        return name

    def clean(self):
        cleaned_data = super().clean()
        theme, name = cleaned_data.get("theme"), cleaned_data.get("new_theme_name")
        if "new_theme_name" in self.errors:
            return cleaned_data
        if theme and name:
            raise forms.ValidationError("Choose an existing theme or name a new one, not both")
        if not theme and not name:
            raise forms.ValidationError("Choose an existing theme or name a new one")
        return cleaned_data


@admin.register(Contribution)
class ContributionAdmin(EditConflictAdminMixin, SimpleHistoryAdmin):
    list_display = [
        "text",
        "group",
        "workshop",
        "kind",
        "reach",
        "area",
        "theme",
        "entered_at",
    ]
    list_display_links = ["text"]
    list_editable = ["area", "theme"]
    list_select_related = ["group__workshop", "area", "theme"]
    list_filter = [
        RecentWorkshopFilter,
        GroupFilter,
        "area",
        "kind",
        TriagedFilter,
        HasActionFilter,
        RemovedFilter,
        "reach",
        "hidden_from_public",
    ]
    ordering = ["entered_at", "pk"]
    search_fields = ["text"]
    show_full_result_count = False
    raw_id_fields = ["group", "theme"]
    readonly_fields = [
        "action_links",
        "entered_by",
        "entered_at",
        "triaged_by",
        "triaged_at",
        "removed_by",
        "removed_at",
        # A question's clock moves only through the open questions page and its services.
        "acknowledged_at",
        "closed_at",
        "closure",
        "answer",
        "closure_reason",
        "closed_by",
    ]
    actions = ["add_to_theme", "create_action", "remove_selected", "restore_selected"]

    def lookup_allowed(self, lookup, value, request):
        # The workshop filter keeps the address the stock related filter had.
        return lookup == RecentWorkshopFilter.parameter_name or super().lookup_allowed(
            lookup, value, request
        )

    def get_urls(self):
        return [
            path(
                "add-to-theme/",
                self.admin_site.admin_view(self.add_to_theme_view),
                name="workshops_contribution_add_to_theme",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        if request.method == "GET" and not request.GET:
            return HttpResponseRedirect(
                changelist_url(Contribution, **DEFAULT_CONTRIBUTION_FILTERS)
            )
        return super().changelist_view(request, extra_context)

    def get_changelist_form(self, request, **kwargs):
        return super().get_changelist_form(request, form=ContributionTriageForm, **kwargs)

    def get_changelist_formset(self, request, **kwargs):
        return super().get_changelist_formset(request, formset=ContributionTriageFormSet, **kwargs)

    def get_actions(self, request, action_location=admin.ActionLocation.CHANGE_LIST):
        """Stock actions plus one "Move to <area>" per area."""
        actions = super().get_actions(request, action_location=action_location)
        if action_location != admin.ActionLocation.CHANGE_LIST or not actions:
            return actions
        if not self.has_change_permission(request):
            return actions
        for area in areas_of(request):
            name = f"move_to_area_{area.pk}"
            description = f"Move to {area}"
            actions[name] = admin.Action(
                func=move_to_area_action(area),
                name=name,
                description=description,
                plural_description=description,
                locations=[admin.ActionLocation.CHANGE_LIST],
            )
        return actions

    def action_checkbox(self, contribution):
        return action_checkbox_html(helpers.ACTION_CHECKBOX_NAME, contribution)

    def has_delete_permission(self, request, obj=None):
        # Notes are never deleted, only removed, so that nothing said is lost.
        return False

    def has_add_action_permission(self, request):
        return request.user.has_perm("actions.add_actionitem")

    def save_model(self, request, obj, form, change):
        contribution_save(contribution=obj, by=request.user)

    @admin.display(description="Workshop", ordering="group__workshop__date")
    def workshop(self, contribution):
        return contribution.group.workshop

    @admin.display(description="Actions from this contribution")
    def action_links(self, contribution):
        """The actions that came from this contribution (one query)."""
        return (
            format_html_join(
                ", ",
                '<a href="{}">{}</a>',
                (
                    (reverse("admin:actions_actionitem_change", args=[action.pk]), action.title)
                    for action in contribution.actions.all()
                ),
            )
            or "None yet"
        )

    @admin.action(description="Remove selected contributions", permissions=["change"])
    def remove_selected(self, request, queryset):
        count = contributions_remove(contributions=queryset, by=request.user)
        self.message_user(
            request,
            ngettext("%d contribution removed.", "%d contributions removed.", count) % count,
            messages.SUCCESS,
        )

    @admin.action(description="Restore selected contributions", permissions=["change"])
    def restore_selected(self, request, queryset):
        count = contributions_restore(contributions=queryset)
        self.message_user(
            request,
            ngettext("%d contribution restored.", "%d contributions restored.", count) % count,
            messages.SUCCESS,
        )

    @admin.action(description="Add to theme…", permissions=["change"])
    def add_to_theme(self, request, queryset):
        return self._open_for_one_workshop(
            request, queryset, "admin:workshops_contribution_add_to_theme"
        )

    @admin.action(
        description="Create an action from selected contributions…", permissions=["add_action"]
    )
    def create_action(self, request, queryset):
        return self._open_for_one_workshop(
            request, queryset, "admin:actions_actionitem_from_contributions"
        )

    def _open_for_one_workshop(self, request, queryset, url_name):
        try:
            contributions_workshop(queryset)
        except MixedWorkshopsError as error:
            self.message_user(request, str(error), messages.ERROR)
            return None
        url = selection_url(url_name, queryset, request)
        return HttpResponseRedirect(url) if url else None

    def add_to_theme_view(self, request):
        if not self.has_change_permission(request):
            raise PermissionDenied
        back = contribution_list_url(request)
        contributions = Contribution.objects.filter(pk__in=selected_ids(request))
        try:
            workshop = contributions_workshop(contributions)
        except MixedWorkshopsError as error:
            self.message_user(request, str(error), messages.ERROR)
            return HttpResponseRedirect(back)
        except ValueError:
            self.message_user(request, "Select the contributions to add first.", messages.ERROR)
            return HttpResponseRedirect(back)
        form = AddToThemeForm(request.POST if request.method == "POST" else None, workshop=workshop)
        if request.method == "POST" and form.is_valid():
            theme = contributions_add_to_theme(
                contributions=contributions,
                by=request.user,
                theme=form.cleaned_data["theme"],
                new_theme_name=form.cleaned_data["new_theme_name"],
            )
            count = contributions.count()
            self.message_user(
                request,
                ngettext(
                    "%(count)d contribution is in the theme “%(theme)s”.",
                    "%(count)d contributions are in the theme “%(theme)s”.",
                    count,
                )
                % {"count": count, "theme": theme},
                messages.SUCCESS,
            )
            return HttpResponseRedirect(back)
        context = {
            **self.admin_site.each_context(request),
            "title": "Add to theme",
            "subtitle": None,
            "opts": self.opts,
            "form": form,
            "workshop": workshop,
            "contributions": contributions.select_related("group", "theme"),
            "back_url": back,
        }
        return TemplateResponse(request, "admin/workshops/contribution/add_to_theme.html", context)


def move_to_area_action(area: Area):
    """An admin action that moves the selected contributions into `area`."""

    def move(modeladmin, request, queryset):
        count = contributions_move_to_area(contributions=queryset, area=area, by=request.user)
        modeladmin.message_user(
            request,
            ngettext(
                "%(count)d contribution moved to %(area)s.",
                "%(count)d contributions moved to %(area)s.",
                count,
            )
            % {"count": count, "area": area},
            messages.SUCCESS,
        )

    return move


class QuestionOutcomeForm(forms.ModelForm):
    """What to do with an open question: routing happens by creating an action from it."""

    outcome = forms.ChoiceField(
        choices=[
            ("acknowledge", "Acknowledge it: someone is looking into it"),
            ("answer", "Answer it"),
            ("close", "Close it with a reason"),
        ],
        widget=forms.RadioSelect,
        help_text="To route it, create an action from it in the contribution list.",
    )
    answer_text = forms.CharField(
        label="Answer", required=False, widget=forms.Textarea, help_text="Published."
    )
    reason = forms.CharField(
        label="Reason for closing",
        required=False,
        widget=forms.Textarea,
        help_text="Published. For example, why the question cannot be answered.",
    )

    class Meta:
        model = OpenQuestion
        fields = []

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("outcome") == "answer" and not cleaned.get("answer_text", "").strip():
            self.add_error("answer_text", "Enter an answer")
        if cleaned.get("outcome") == "close" and not cleaned.get("reason", "").strip():
            self.add_error("reason", "Enter the reason for closing the question")
        return cleaned


@admin.register(OpenQuestion)
class OpenQuestionAdmin(admin.ModelAdmin):
    """Questions not yet closed, oldest first, with their age and deadlines in working days."""

    form = QuestionOutcomeForm
    list_display = [
        "__str__",
        "workshop",
        "entered_at",
        "age",
        "acknowledged",
        "acknowledge_by",
        "close_by",
        "overdue",
    ]
    list_select_related = ["group__workshop"]
    list_filter = [("group__workshop", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["text"]
    readonly_fields = ["text", "group", "entered_at", "acknowledged_at"]
    fields = ["text", "group", "entered_at", "acknowledged_at", "outcome", "answer_text", "reason"]
    actions = ["acknowledge_selected"]

    def get_queryset(self, request):
        return super().get_queryset(request).questions_open().order_by("entered_at", "pk")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Workshop", ordering="group__workshop__title")
    def workshop(self, question):
        return question.group.workshop

    @admin.display(description="Age")
    def age(self, question):
        days = question.days_waiting()
        return ngettext("%(days)d day", "%(days)d days", days) % {"days": days}

    @admin.display(description="Acknowledged", boolean=True)
    def acknowledged(self, question):
        return question.acknowledged_at is not None

    @admin.display(description="Overdue", boolean=True)
    def overdue(self, question):
        return question.is_question_overdue()

    def save_model(self, request, obj, form, change):
        outcome = form.cleaned_data["outcome"]
        try:
            if outcome == "answer":
                question_answer(
                    question=obj, by=request.user, answer=form.cleaned_data["answer_text"]
                )
            elif outcome == "close":
                question_close(question=obj, by=request.user, reason=form.cleaned_data["reason"])
            else:
                question_acknowledge(question=obj, by=request.user)
        except QuestionClosureError as error:
            self.message_user(request, str(error), messages.ERROR)

    def save_related(self, request, form, formsets, change):
        """Nothing related changes: the outcome is recorded by the services alone."""

    @admin.action(description="Acknowledge selected questions")
    def acknowledge_selected(self, request, queryset):
        for question in queryset.filter(acknowledged_at__isnull=True):
            question_acknowledge(question=question, by=request.user)
        self.message_user(request, "Questions acknowledged", messages.SUCCESS)
