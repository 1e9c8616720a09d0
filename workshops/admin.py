from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Count, Q
from django.utils.translation import ngettext

from workshops.models import Area, Contribution, FlipchartGroup, Theme, User, Workshop
from workshops.services import contributions_remove, contributions_restore


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
class WorkshopAdmin(admin.ModelAdmin):
    list_display = ["title", "event", "date", "location", "is_published", "group_count"]
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

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_group_count=Count("groups"))

    @admin.display(description="Groups", ordering="_group_count")
    def group_count(self, workshop):
        return workshop._group_count


@admin.register(FlipchartGroup)
class FlipchartGroupAdmin(admin.ModelAdmin):
    list_display = ["subject", "workshop", "facilitator_line", "time_limit_minutes", "order"]
    list_select_related = ["workshop"]
    list_filter = ["workshop"]
    search_fields = ["subject", "prompt", "facilitator_line"]
    filter_horizontal = ["facilitators"]


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["name", "default_owner", "order"]
    list_select_related = ["default_owner"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "includes"]


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["name", "workshop", "area", "contribution_count"]
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


@admin.register(Contribution)
class ContributionAdmin(admin.ModelAdmin):
    list_display = ["text", "group", "workshop", "kind", "reach", "area", "theme", "entered_at"]
    list_select_related = ["group__workshop", "area", "theme"]
    list_filter = [
        "group__workshop",
        "area",
        "kind",
        "reach",
        "hidden_from_public",
        RemovedFilter,
    ]
    search_fields = ["text"]
    raw_id_fields = ["group", "theme"]
    readonly_fields = [
        "entered_by",
        "entered_at",
        "triaged_by",
        "triaged_at",
        "removed_by",
        "removed_at",
    ]
    actions = ["remove_selected", "restore_selected"]

    @admin.display(description="Workshop", ordering="group__workshop__date")
    def workshop(self, contribution):
        return contribution.group.workshop

    def has_delete_permission(self, request, obj=None):
        # Notes are never deleted, only removed, so that nothing said is lost.
        return False

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
