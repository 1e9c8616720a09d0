from django.contrib import admin
from django.db.models import Count

from actions.models import ActionItem, ActionSource, Organisation, StatusUpdate


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "contact_email", "member_count"]
    list_filter = ["kind"]
    search_fields = ["name", "contact_email"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["members"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_member_count=Count("members"))

    @admin.display(description="Members", ordering="_member_count")
    def member_count(self, organisation):
        return organisation._member_count


class ActionSourceInline(admin.TabularInline):
    model = ActionSource
    extra = 0
    raw_id_fields = ["contribution"]
    verbose_name = "source contribution"


class StatusUpdateInline(admin.TabularInline):
    model = StatusUpdate
    extra = 0
    fields = ["created_at", "status", "note", "new_due_date", "author"]
    readonly_fields = fields
    can_delete = False
    ordering = ["-created_at", "-pk"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ActionItem)
class ActionItemAdmin(admin.ModelAdmin):
    list_display = ["title", "workshop", "area", "owner", "due_date", "status", "parent"]
    list_select_related = ["workshop", "area", "owner", "parent"]
    list_filter = ["status", "area", "owner", "workshop"]
    search_fields = ["title", "description"]
    date_hierarchy = "due_date"
    raw_id_fields = ["parent", "theme"]
    readonly_fields = ["status", "created_by", "created_at", "updated_at"]
    inlines = [ActionSourceInline, StatusUpdateInline]


@admin.register(StatusUpdate)
class StatusUpdateAdmin(admin.ModelAdmin):
    list_display = ["action", "status", "created_at", "author", "new_due_date"]
    list_select_related = ["action", "author"]
    list_filter = ["status"]
    search_fields = ["note", "action__title"]
    date_hierarchy = "created_at"

    # The history is append-only: updates are posted through the action, never edited here.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
