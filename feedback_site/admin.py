"""Failed background jobs, for organisers: which job, when, on which attempt, and its error."""

from django.contrib import admin
from django.utils.html import format_html

from feedback_site.models import FailedJob


@admin.register(FailedJob)
class FailedJobAdmin(admin.ModelAdmin):
    list_display = ["task_name", "finished_at", "attempt_display", "error_display"]
    list_filter = ["queue_name"]
    date_hierarchy = None
    fields = [
        "task_name",
        "arguments",
        "attempt_display",
        "enqueued_at",
        "started_at",
        "finished_at",
        "worker_ids",
        "error_display",
        "traceback_display",
    ]
    readonly_fields = fields

    @admin.display(description="job")
    def task_name(self, obj):
        return obj.task_name

    @admin.display(description="attempt")
    def attempt_display(self, obj):
        return obj.attempt

    @admin.display(description="error")
    def error_display(self, obj):
        return obj.error

    @admin.display(description="arguments")
    def arguments(self, obj):
        return format_html("<pre>{}</pre>", obj.args_kwargs)

    @admin.display(description="traceback")
    def traceback_display(self, obj):
        return format_html("<pre>{}</pre>", obj.traceback)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
