"""The admin site: open to organisers only, with autocomplete limited to what each page offers."""

from django.contrib import admin
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect

from workshops.roles import may_use_admin


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


class FeedbackAdminSite(admin.AdminSite):
    site_header = "Workshop feedback administration"
    site_title = "Workshop feedback admin"
    index_title = "Workshops, triage and actions"

    def has_permission(self, request):
        return may_use_admin(request.user)

    # The service's own password pages share the admin's template names, so the admin's pages
    # would render the service's templates without their context; send people there instead.
    def password_change(self, request, extra_context=None):
        return redirect("password_change")

    def password_change_done(self, request, extra_context=None):
        return redirect("password_change_done")

    def autocomplete_view(self, request):
        return OfferedAutocompleteJsonView.as_view(admin_site=self)(request)
