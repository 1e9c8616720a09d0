from django.contrib import admin

from actions.models import ReminderSent


class ReminderSentInline(admin.TabularInline):
    """What `send_reminders` sent for an action: add to ActionItemAdmin.inlines."""

    model = ReminderSent
    extra = 0
    fields = ["sent_at", "step", "period", "recipients"]
    readonly_fields = fields
    can_delete = False
    ordering = ["-sent_at", "-pk"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
