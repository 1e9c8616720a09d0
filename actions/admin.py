import datetime

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminDateWidget
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import date as format_date
from django.template.defaultfilters import truncatechars
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import ngettext

from accounts.roles import may_decide_due_dates
from actions.dates import default_due_date
from actions.models import (
    ActionItem,
    ActionSource,
    DueDateChange,
    Organisation,
    ReminderSent,
    StatusUpdate,
)
from actions.services import (
    Refused,
    action_cascade,
    action_cascade_choices,
    action_create,
    action_post_update,
    action_sources_add,
    action_update_check,
    due_date_move,
    due_date_move_check,
    sources_check,
)
from feedback_site.admin_site import HistoryAdmin, ReadOnlyInline, selected_ids
from workshops.admin.contributions import contribution_list_url
from workshops.edit_conflicts import EditConflictAdminMixin
from workshops.models import Area, Contribution, Theme, Workshop
from workshops.services import MixedWorkshopsError, contributions_workshop

DUE_SOON_DAYS = 30
TITLE_MAX_LENGTH = ActionItem._meta.get_field("title").max_length


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


class ActionSourceForm(forms.ModelForm):
    class Meta:
        model = ActionSource
        fields = ["contribution"]

    def clean_contribution(self):
        contribution = self.cleaned_data["contribution"]
        try:
            sources_check(workshop=self.instance.action.workshop, contributions=[contribution])
        except MixedWorkshopsError as error:
            raise forms.ValidationError(str(error)) from error
        return contribution


class ActionSourceInline(admin.StackedInline):
    """The contributions the action came from. A link is added (through action_sources_add,
    which routes a question) or removed, never pointed at another contribution. Stacked, so
    that each "Delete" box has a label: a tabular inline leaves it unlabelled."""

    model = ActionSource
    form = ActionSourceForm
    extra = 0
    raw_id_fields = ["contribution"]
    verbose_name = "source contribution"

    def has_change_permission(self, request, obj=None):
        return False


class CascadedActionInline(ReadOnlyInline):
    """The copies of this action that organisations report on, each with its own status."""

    model = ActionItem
    fk_name = "parent"
    fields = ["owner", "status", "due_date", "latest_update"]
    show_change_link = True
    verbose_name = "cascaded action"
    verbose_name_plural = "cascaded to"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("owner").with_latest_update()

    @admin.display(description="Latest update")
    def latest_update(self, action):
        return latest_update_text(action)


class StatusHistoryInline(ReadOnlyInline):
    model = StatusUpdate
    fields = ["created_at", "status", "note", "new_due_date", "author"]
    ordering = ["-created_at", "-pk"]
    verbose_name_plural = "status history"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")


class PostStatusUpdateForm(forms.ModelForm):
    class Meta:
        model = StatusUpdate
        fields = ["status", "note"]

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            try:
                action_update_check(
                    action=self.instance.action, status=cleaned["status"], note=cleaned["note"]
                )
            except Refused as refused:
                self.add_error(refused.field, str(refused))
        return cleaned


class PostStatusUpdateInline(admin.StackedInline):
    """A blank status update to post; saving it goes through action_post_update. A new due
    date is not posted here: "Move due date" moves it, with a reason. Stacked, so that the
    status and note have labels: a tabular inline names them only by a column heading."""

    model = StatusUpdate
    form = PostStatusUpdateForm
    extra = 1
    max_num = 1
    fields = ["status", "note"]
    can_delete = False
    verbose_name = "new status update"
    verbose_name_plural = "post a status update"

    def get_queryset(self, request):
        return super().get_queryset(request).none()

    def has_change_permission(self, request, obj=None):
        return False


class DueFilter(admin.SimpleListFilter):
    title = "due"
    parameter_name = "due"

    def lookups(self, request, model_admin):
        return [("overdue", "Overdue"), ("soon", f"Due within {DUE_SOON_DAYS} days")]

    def queryset(self, request, queryset):
        if self.value() == "overdue":
            return queryset.overdue()
        if self.value() == "soon":
            return queryset.due_within(DUE_SOON_DAYS)
        return queryset


def latest_update_text(action) -> str:
    if action.latest_update_at is None:
        return "No updates yet"
    note = truncatechars(action.latest_update_note, 80) or "No note"
    return f"{note} ({format_date(timezone.localtime(action.latest_update_at))})"


class DueDateChangeInline(ReadOnlyInline):
    """Every move of the due date and every proposal, with who, when, from, to and why."""

    model = DueDateChange
    fields = ["at", "state", "old_date", "new_date", "reason", "by", "decided_by", "decided_at"]
    ordering = ["-at", "-pk"]
    verbose_name_plural = "due date changes"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("by", "decided_by")


class ReminderSentInline(ReadOnlyInline):
    """What `send_reminders` sent for this action, and to whom."""

    model = ReminderSent
    fields = ["sent_at", "step", "period", "recipients"]
    ordering = ["-sent_at", "-pk"]


@admin.register(ActionItem)
class ActionItemAdmin(EditConflictAdminMixin, HistoryAdmin):
    list_display = [
        "title",
        "workshop",
        "area",
        "owner",
        "due_date",
        "status",
        "latest_update",
        "latest_update_at",
        "cascade_progress",
    ]
    list_select_related = ["workshop", "area", "owner"]
    list_filter = ["status", "owner", "area", "workshop", DueFilter]
    search_fields = ["title", "description"]
    date_hierarchy = "due_date"
    show_full_result_count = False
    raw_id_fields = ["parent", "theme"]
    readonly_fields = [
        "due_date",
        "first_promised",
        "status",
        "cascade_progress",
        "created_by",
        "created_at",
        "updated_at",
        "assigned_at",
        "accepted_at",
        "accepted_by",
    ]
    fieldsets = [
        (None, {"fields": ["title", "description", "workshop", "area", "theme"]}),
        ("Owner and progress", {"fields": ["owner", "due_date", "first_promised", "status"]}),
        (
            "Acceptance",
            {"fields": ["assigned_at", "accepted_at", "accepted_by", "accountable", "deputy"]},
        ),
        ("Cascade", {"fields": ["parent", "cascade_progress"]}),
        ("Record", {"fields": ["created_by", "created_at", "updated_at"]}),
    ]
    inlines = [
        ActionSourceInline,
        CascadedActionInline,
        StatusHistoryInline,
        PostStatusUpdateInline,
        DueDateChangeInline,
        ReminderSentInline,
    ]
    actions = ["cascade"]
    # The history's changes column leaves out status, which no form edits: show it in a column.
    history_list_display = ["status"]

    def get_urls(self):
        return [
            path(
                "from-contributions/",
                self.admin_site.admin_view(self.create_from_contributions_view),
                name="actions_actionitem_from_contributions",
            ),
            path(
                "<int:object_id>/cascade/",
                self.admin_site.admin_view(self.cascade_view),
                name="actions_actionitem_cascade",
            ),
            path(
                "<int:object_id>/due-date/",
                self.admin_site.admin_view(self.move_due_date_view),
                name="actions_actionitem_move_due_date",
            ),
            *super().get_urls(),
        ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_latest_update().with_cascade_progress()

    @admin.display(description="First promised")
    def first_promised(self, action):
        return format_date(action.first_promised_due_date)

    @admin.display(description="Status", ordering="status")
    def status(self, action):
        return action.get_status_display()

    @admin.display(description="Latest update")
    def latest_update(self, action):
        if action.latest_update_at is None:
            return None
        return truncatechars(action.latest_update_note, 80) or "No note"

    @admin.display(description="Updated", ordering="latest_update_at")
    def latest_update_at(self, action):
        return action.latest_update_at

    @admin.display(description="Cascade")
    def cascade_progress(self, action):
        """The roll-up of the actions cascaded from this one; needs with_cascade_progress()."""
        return action.cascade_rollup or None

    def add_view(self, request, form_url="", extra_context=None):
        """An action is made from the notes it answers, through action_create: the plain add
        form would skip its sources, its first promised date and the routing of questions."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        return HttpResponseRedirect(reverse("admin:actions_actionitem_from_contributions"))

    def save_formset(self, request, form, formset, change):
        if formset.model is ActionSource:
            added = formset.save(commit=False)
            for link in formset.deleted_objects:
                link.delete()
            action_sources_add(
                action=form.instance,
                contributions=[link.contribution for link in added],
                by=request.user,
            )
        elif formset.model is StatusUpdate:
            for update in formset.save(commit=False):
                action_post_update(
                    action=form.instance, by=request.user, status=update.status, note=update.note
                )
        else:
            super().save_formset(request, form, formset, change)

    @admin.action(description="Cascade to departments…", permissions=["add"])
    def cascade(self, request, queryset):
        actions = list(queryset[:2])
        if len(actions) != 1:
            self.message_user(request, "Select one action to cascade.", messages.ERROR)
            return None
        return HttpResponseRedirect(
            reverse("admin:actions_actionitem_cascade", args=[actions[0].pk])
        )

    def cascade_view(self, request, object_id):
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        action = get_object_or_404(
            ActionItem.objects.select_related("owner", "workshop"), pk=object_id
        )
        change_url = reverse("admin:actions_actionitem_change", args=[action.pk])
        if action.parent_id is not None:
            self.message_user(
                request,
                "This action is a department's copy and cannot be cascaded again: cascade the "
                "action it was cascaded from.",
                messages.ERROR,
            )
            return HttpResponseRedirect(change_url)
        form = CascadeForm(request.POST if request.method == "POST" else None, action=action)
        if request.method == "POST" and form.is_valid():
            children = action_cascade(
                action=action, owners=form.cleaned_data["owners"], by=request.user
            )
            self.message_user(
                request,
                ngettext(
                    "Cascaded to %(count)d department, which reports its own progress.",
                    "Cascaded to %(count)d departments, which each report their own progress.",
                    len(children),
                )
                % {"count": len(children)},
                messages.SUCCESS,
            )
            return HttpResponseRedirect(
                reverse("admin:actions_actionitem_change", args=[action.pk])
            )
        context = {
            **self.admin_site.each_context(request),
            "title": f"Cascade to departments: {action}",
            "subtitle": None,
            "opts": self.opts,
            "action": action,
            "form": form,
            "children": action.children.select_related("owner").order_by("owner__name"),
        }
        return TemplateResponse(request, "admin/actions/actionitem/cascade.html", context)

    def move_due_date_view(self, request, object_id):
        action = get_object_or_404(
            ActionItem.objects.select_related("workshop", "owner"), pk=object_id
        )
        if not (self.has_change_permission(request, action) and may_decide_due_dates(request.user)):
            raise PermissionDenied
        form = DueDateMoveForm(request.POST if request.method == "POST" else None, action=action)
        if request.method == "POST" and form.is_valid():
            old_date = action.due_date
            try:
                due_date_move(
                    action=action,
                    by=request.user,
                    new_date=form.cleaned_data["due_date"],
                    reason=form.cleaned_data["reason"],
                )
            except Refused as refused:
                form.add_error(refused.field, str(refused))
            else:
                self.message_user(
                    request,
                    f"Due date moved from {format_date(old_date)} to "
                    f"{format_date(action.due_date)}.",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(
                    reverse("admin:actions_actionitem_change", args=[action.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "title": f"Move due date: {action}",
            "subtitle": None,
            "opts": self.opts,
            "action": action,
            "form": form,
            "media": self.media + form.media,
            "changes": action.due_date_changes.select_related("by").order_by("-at", "-pk"),
        }
        return TemplateResponse(request, "admin/actions/actionitem/move_due_date.html", context)

    def create_from_contributions_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        back = contribution_list_url(request)
        sources = ActionSources.from_request(request)
        if sources.error:
            self.message_user(request, sources.error, messages.ERROR)
            return HttpResponseRedirect(back)
        form = ActionFromContributionsForm(
            request.POST if request.method == "POST" else None,
            workshop=sources.workshop,
            initial=sources.initial(),
        )
        if request.method == "POST" and form.is_valid():
            action = action_create(
                workshop=sources.workshop,
                area=form.cleaned_data["area"],
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                owner=form.cleaned_data["owner"],
                due_date=form.cleaned_data["due_date"],
                theme=sources.theme,
                contributions=sources.contributions,
                by=request.user,
            )
            self.message_user(
                request,
                f"Action “{action}” created: owned by {action.owner}, "
                f"due {format_date(action.due_date)}.",
                messages.SUCCESS,
            )
            return HttpResponseRedirect(
                reverse("admin:actions_actionitem_change", args=[action.pk])
            )
        context = {
            **self.admin_site.each_context(request),
            "title": "Create an action",
            "subtitle": None,
            "opts": self.opts,
            "form": form,
            "media": self.media + form.media,
            "workshop": sources.workshop,
            "theme": sources.theme,
            "contributions": sources.contributions,
            "back_url": back,
        }
        return TemplateResponse(
            request, "admin/actions/actionitem/create_from_contributions.html", context
        )


class ActionSources:
    """What a new action comes from: selected contributions (?ids=) or a theme (?theme=)."""

    def __init__(self, *, contributions, workshop=None, theme=None, error=""):
        self.contributions = contributions
        self.workshop = workshop
        self.theme = theme
        self.error = error

    @classmethod
    def from_request(cls, request):
        theme_id = request.GET.get("theme", "")
        if theme_id.isdigit():
            theme = Theme.objects.select_related("workshop", "area").filter(pk=theme_id).first()
            if theme is None:
                return cls(contributions=[], error="That theme no longer exists.")
            contributions = list(
                theme.contributions.present().select_related("group", "area", "theme")
            )
            return cls(contributions=contributions, workshop=theme.workshop, theme=theme)
        contributions = Contribution.objects.filter(pk__in=selected_ids(request))
        try:
            workshop = contributions_workshop(contributions)
        except MixedWorkshopsError as error:
            return cls(contributions=[], error=str(error))
        except ValueError:
            return cls(
                contributions=[], error="Select the contributions the action comes from first."
            )
        contributions = list(contributions.select_related("group", "area", "theme"))
        themes = {contribution.theme for contribution in contributions}
        theme = themes.pop() if len(themes) == 1 else None
        return cls(contributions=contributions, workshop=workshop, theme=theme)

    def initial(self) -> dict:
        """The form's starting values: the area and owner when the contributions agree."""
        areas = {contribution.area for contribution in self.contributions}
        area = self.theme.area if self.theme and self.theme.area else None
        if area is None and len(areas) == 1:
            area = areas.pop()
        if self.theme:
            title = self.theme.name
        else:
            title = truncatechars(self.contributions[0].text, TITLE_MAX_LENGTH)
        return {
            "title": title,
            "area": area,
            "owner": area.default_owner if area else None,
            "due_date": default_due_date(self.workshop.date),
        }


class ActionFromContributionsForm(forms.Form):
    title = forms.CharField(
        max_length=TITLE_MAX_LENGTH, error_messages={"required": "Enter a title"}
    )
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    area = forms.ModelChoiceField(Area.objects.all(), error_messages={"required": "Select an area"})
    owner = forms.ModelChoiceField(
        Organisation.objects.all(),
        required=False,
        help_text="Leave blank for the area's default owner.",
    )
    due_date = forms.DateField(
        widget=AdminDateWidget,
        error_messages={"required": "Enter a due date", "invalid": "Enter a real date"},
    )

    def __init__(self, *args, workshop: Workshop, **kwargs):
        super().__init__(*args, **kwargs)
        self.workshop = workshop
        self.fields[
            "due_date"
        ].help_text = (
            f"Three months after the workshop is {format_date(default_due_date(workshop.date))}."
        )

    def clean_due_date(self) -> datetime.date:
        due_date = self.cleaned_data["due_date"]
        if due_date < self.workshop.date:
            raise forms.ValidationError(
                f"The due date must be on or after the workshop, {format_date(self.workshop.date)}"
            )
        return due_date

    def clean(self):
        cleaned_data = super().clean()
        area, owner = cleaned_data.get("area"), cleaned_data.get("owner")
        if area and not owner and area.default_owner_id is None:
            self.add_error("owner", f"Select an owner: {area} has no default owner")
        return cleaned_data


class DueDateMoveForm(forms.Form):
    """A new due date and why; the rules are due_date_move_check's."""

    due_date = forms.DateField(
        label="New due date",
        widget=AdminDateWidget,
        error_messages={"required": "Enter the new due date", "invalid": "Enter a real date"},
    )
    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        help_text="Shown on the public progress page beside the new date.",
        error_messages={
            "required": "Enter a reason for the new date",
            "max_length": "Reason must be 1,000 characters or fewer",
        },
    )

    def __init__(self, *args, action: ActionItem, **kwargs):
        super().__init__(*args, **kwargs)
        self.action = action

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            try:
                due_date_move_check(
                    action=self.action, new_date=cleaned["due_date"], reason=cleaned["reason"]
                )
            except Refused as refused:
                self.add_error(refused.field, str(refused))
        return cleaned


class CascadeForm(forms.Form):
    owners = forms.ModelMultipleChoiceField(
        Organisation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label="Departments",
        error_messages={"required": "Select at least one department"},
    )

    def __init__(self, *args, action: ActionItem, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owners"].queryset = action_cascade_choices(action=action)


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
