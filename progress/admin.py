"""Recurring themes in the admin: the list with how many workshops raised each, the links of
workshops' themes to them, and the staff page of what was said and done each time. Here, not
with the workshops' pages, because what was done is actions."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.template.response import TemplateResponse
from django.urls import path, reverse

from progress.recurring import recurring_histories
from workshops.models import RecurringTheme, RecurringThemeLink, link_area_problem
from workshops.services import theme_link_recurring, theme_unlink_recurring

STAFF_PAGE_SIZE = 20


class LinkFormSet(forms.BaseInlineFormSet):
    """A theme joins a recurring theme of its own area only (the parent may be new, so the
    area is read from it here rather than by each link)."""

    def clean(self):
        super().clean()
        if self.instance.area_id is None:
            return
        for form in self.forms:
            theme = getattr(form, "cleaned_data", {}).get("theme")
            if form.instance.pk or theme is None:  # links already made are not changed here
                continue
            problem = link_area_problem(theme, self.instance)
            if problem:
                form.add_error("theme", problem)


class RecurringThemeLinkInline(admin.StackedInline):
    """The workshops' themes counted in this recurring theme. Stacked, so that each "Delete"
    box has a label. Links made and removed are kept in history (see the staff page)."""

    model = RecurringThemeLink
    formset = LinkFormSet
    extra = 1
    raw_id_fields = ["theme"]
    fields = ["theme", "linked_by", "linked_at"]
    readonly_fields = ["linked_by", "linked_at"]
    verbose_name = "linked theme"

    def has_change_permission(self, request, obj=None):
        # A link is added or removed, never pointed at another theme.
        return False


@admin.register(RecurringTheme)
class RecurringThemeAdmin(admin.ModelAdmin):
    list_display = ["name", "area", "workshop_count", "theme_count"]
    list_filter = ["area"]
    list_select_related = ["area"]
    search_fields = ["name", "summary", "themes__name"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "slug", "area", "summary"]
    inlines = [RecurringThemeLinkInline]

    def get_urls(self):
        return [
            path(
                "staff-page/",
                self.admin_site.admin_view(self.staff_page_view),
                name="workshops_recurringtheme_staff_page",
            ),
            *super().get_urls(),
        ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                _workshop_count=Count("themes__workshop", distinct=True),
                _theme_count=Count("themes", distinct=True),
            )
        )

    @admin.display(description="Workshops", ordering="_workshop_count")
    def workshop_count(self, recurring):
        return recurring._workshop_count

    @admin.display(description="Themes linked", ordering="_theme_count")
    def theme_count(self, recurring):
        return recurring._theme_count

    def save_formset(self, request, form, formset, change):
        """Links are made and removed through the services, which keep their history and
        renew the workshops' public pages."""
        for link in formset.save(commit=False):
            theme_link_recurring(theme=link.theme, recurring=form.instance, by=request.user)
        for link in formset.deleted_objects:
            theme_unlink_recurring(theme=link.theme, by=request.user)

    def staff_page_view(self, request):
        """Every recurring theme with the workshops that raised it, their notes (and how many
        are public), by year, and the actions taken each time with their status."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        recurrings = RecurringTheme.objects.select_related("area").order_by("name")
        page = Paginator(recurrings, STAFF_PAGE_SIZE).get_page(request.GET.get("page"))
        histories = recurring_histories(list(page), public=False, quotes=False)
        changes = RecurringThemeLink.history.filter(
            recurring_theme_id__in=[recurring.pk for recurring in page]
        ).select_related("history_user")
        by_recurring = {}
        for change in changes.order_by("-history_date")[: 10 * STAFF_PAGE_SIZE]:
            by_recurring.setdefault(change.recurring_theme_id, []).append(change)
        for history in histories:
            history.link_changes = by_recurring.get(history.recurring.pk, [])[:10]
        context = {
            **self.admin_site.each_context(request),
            "title": "Recurring themes: what was said and done each time",
            "subtitle": None,
            "opts": self.opts,
            "histories": histories,
            "page": page,
            "back_url": reverse("admin:workshops_recurringtheme_changelist"),
        }
        return TemplateResponse(request, "admin/workshops/recurringtheme/staff_page.html", context)
