"""The admin site's plumbing: autocomplete limited to what each page offers, the service's own
password pages, the history page's wording, a guard for date hierarchies, and helpers for admin
pages that work on a selection. Who may open the admin is decided in accounts
(accounts/admin_site.py)."""

import datetime
import re
from urllib.parse import urlencode

from django.contrib import admin, messages
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import SimpleLazyObject
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import DeletedObject
from simple_history.template_utils import HistoricalRecordContextHelper


class OfferedAutocompleteJsonView(AutocompleteJsonView):
    """Django answers autocomplete for any relation to a searchable model; answer only for the
    fields a registered admin page lists in its autocomplete_fields."""

    def process_request(self, request):
        term, model_admin, source_field, to_field_name = super().process_request(request)
        source_admin = self.admin_site._registry.get(source_field.model)
        if source_admin is None or source_field.name not in source_admin.get_autocomplete_fields(
            request
        ):
            raise PermissionDenied
        return term, model_admin, source_field, to_field_name


class ReadOnlyInline(admin.TabularInline):
    """A record shown beside its parent that nobody adds, changes or deletes there: every field
    listed in `fields` is read-only."""

    extra = 0
    can_delete = False
    template = "admin/edit_inline/read_only.html"

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def _is_empty(value) -> bool:
    return value is None or value == "" or value == []


class HistoryWording(HistoricalRecordContextHelper):
    """simple_history shows a relation that was empty as "Deleted area (pk=None)": an empty value
    here stays empty (the template then says "set to" or "cleared"), a related object that really
    was deleted is called so without its key, and moments read as the admin shows them."""

    def prepare_delta_change_value(self, change, value):
        if isinstance(value, DeletedObject):
            if value.pk is None:
                return ""
            return f"a deleted {value.model._meta.verbose_name}"
        if isinstance(value, datetime.datetime):
            return date_format(timezone.localtime(value), "DATETIME_FORMAT")
        return super().prepare_delta_change_value(change, value)

    def context_for_delta_changes(self, delta):
        context = super().context_for_delta_changes(delta)
        for entry, change in zip(context, delta.changes, strict=True):
            old, new = (
                "" if isinstance(v, DeletedObject) and v.pk is None else v
                for v in (change.old, change.new)
            )
            entry["kind"] = "set" if _is_empty(old) else "cleared" if _is_empty(new) else "changed"
        return context


class HistoryAdmin(SimpleHistoryAdmin):
    """The history page of every model kept with django-simple-history: "Area: set to
    Training" for a first assignment, "cleared (was ...)" for an emptied one, never
    "Deleted ... (pk=None)"."""

    object_history_list_template = "admin/history_list.html"

    def get_historical_record_context_helper(self, request, historical_record):
        return HistoryWording(self.model, historical_record)


# A day to spare at each end, so that no time zone moves a date hierarchy's bounds out of range.
DATE_HIERARCHY_YEARS = range(datetime.MINYEAR + 1, datetime.MAXYEAR)
DATE_HIERARCHY_PART = {"year": r"[0-9]{1,4}", "month": r"[0-9]{1,2}", "day": r"[0-9]{1,2}"}


def is_possible_date(query, field_name: str) -> bool:
    """Whether the date hierarchy's year, month and day in `query` can name a real date."""
    parts = {}
    for part, pattern in DATE_HIERARCHY_PART.items():
        values = query.getlist(f"{field_name}__{part}")
        if not all(re.fullmatch(pattern, value) for value in values):
            return False
        if values:
            parts[part] = int(values[-1])
    if "year" in parts and parts["year"] not in DATE_HIERARCHY_YEARS:
        return False
    try:
        # A leap year stands in for a missing year, so that 29 February is possible.
        datetime.date(parts.get("year", 2000), parts.get("month", 1), parts.get("day", 1))
    except ValueError:
        return False
    return True


class DateHierarchyGuard:
    """Django 6.1.3 answers a server error for a date hierarchy's year, month or day out of range
    (`?due_date__year=9999`, a 25-digit day): Django ticket #37357, fixed upstream after 6.1.3.
    Such a date is dropped, with a message, before Django reads it. FeedbackAdminSite.register
    gives this to every list with a date hierarchy; remove both once the project runs a Django
    release that carries the fix."""

    def changelist_view(self, request, extra_context=None):
        field_name = self.date_hierarchy
        if field_name and not is_possible_date(request.GET, field_name):
            request.GET = request.GET.copy()
            for part in DATE_HIERARCHY_PART:
                request.GET.pop(f"{field_name}__{part}", None)
            messages.error(request, "There is no such date, so the list shows every date.")
        return super().changelist_view(request, extra_context)


class FeedbackAdminSite(admin.AdminSite):
    site_header = "Workshop feedback administration"
    site_title = "Workshop feedback admin"
    index_title = "Workshops, triage and actions"

    # The service's own password pages share the admin's template names, so the admin's pages
    # would render the service's templates without their context; send people there instead.
    def password_change(self, request, extra_context=None):
        return redirect("password_change")

    def password_change_done(self, request, extra_context=None):
        return redirect("password_change_done")

    def autocomplete_view(self, request):
        return OfferedAutocompleteJsonView.as_view(admin_site=self)(request)

    # Every admin page's context lists every page the user may open, for the sidebar: built
    # only when a page shows it (the workbench does not, and listing them cost a twentieth of it).
    def get_app_list(self, request, app_label=None):
        return SimpleLazyObject(
            lambda: super(FeedbackAdminSite, self).get_app_list(request, app_label)
        )

    def register(self, model_or_iterable, admin_class=None, **options):
        """Registers as Django does, giving every list with a date hierarchy, ours and other
        apps' alike, the DateHierarchyGuard."""
        admin_class = admin_class or admin.ModelAdmin
        date_hierarchy = options.get("date_hierarchy", admin_class.date_hierarchy)
        if date_hierarchy and not issubclass(admin_class, DateHierarchyGuard):
            admin_class = type(
                admin_class.__name__,
                (DateHierarchyGuard, admin_class),
                {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__},
            )
        super().register(model_or_iterable, admin_class, **options)


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
        plural = queryset.model._meta.verbose_name_plural
        messages.error(request, f"Select {MAX_SELECTED} {plural} or fewer at a time.")
        return None
    params = {"ids": ",".join(map(str, ids)), "_changelist_filters": request.GET.urlencode()}
    return f"{reverse(url_name)}?{urlencode(params)}"


def selected_ids(request) -> list[int]:
    """The ids an intermediate page was opened for; nonsense is ignored."""
    return [int(part) for part in request.GET.get("ids", "").split(",") if part.isdigit()]
