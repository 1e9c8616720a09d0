"""The contribution list, where notes are triaged into areas and themes."""

import re
from collections import defaultdict

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.forms.models import BaseModelFormSet
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import localize
from django.utils.html import format_html, format_html_join
from django.utils.timezone import template_localtime
from django.utils.translation import ngettext

from feedback_site.admin_site import HistoryAdmin, changelist_url, selected_ids, selection_url
from workshops.admin.widgets import (
    PlainHiddenInput,
    PrerenderedSelect,
    RenderedChoices,
    action_checkbox_html,
    first_words,
)
from workshops.edit_conflicts import EditConflictAdminMixin, EditConflictForm
from workshops.models import NOT_TRIAGED, Area, Contribution, FlipchartGroup, Reach, Theme, Workshop
from workshops.services import (
    MixedWorkshopsError,
    ThemeAdded,
    ThemeAreaError,
    contribution_save,
    contributions_add_to_theme,
    contributions_hide,
    contributions_move_to_area,
    contributions_publish,
    contributions_remove,
    contributions_restore,
    contributions_unhide,
    contributions_workshop,
)

# The contribution list opens on the work still to do.
DEFAULT_CONTRIBUTION_FILTERS = {"triaged": "no", "removed": "no"}


def contribution_list_url(request) -> str:
    """The contribution list with the filters it had when an intermediate page was opened."""
    filters = request.GET.get("_changelist_filters", "")
    return changelist_url(Contribution) + (f"?{filters}" if filters else "")


def id_or_none(value) -> int | None:
    """A filter value as a row id, or None for anything else: a word, a fraction, digits that are
    not ASCII, or more digits than the database stores."""
    if value and re.fullmatch(r"[0-9]{1,18}", value):
        return int(value)
    return None


def areas_of(request) -> list[Area]:
    """The areas, read once per request however often the admin asks for its actions."""
    if not hasattr(request, "_areas"):
        request._areas = list(Area.objects.all())
    return request._areas


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
        chosen = id_or_none(self.value())
        return (
            Workshop.objects.filter(Q(pk__in=recent) | Q(pk=chosen))
            .order_by("-date", "-pk")
            .values_list("pk", "title")
        )

    def queryset(self, request, queryset):
        if self.value():
            workshop_id = id_or_none(self.value())
            return (
                queryset.filter(group__workshop_id=workshop_id) if workshop_id else queryset.none()
            )
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
            return queryset.filter(NOT_TRIAGED)
        if self.value() == "yes":
            return queryset.filter(area__isnull=False)
        return queryset


class ReviewFilter(admin.SimpleListFilter):
    """Notes kept from the public until a triager reviews them, counted as the triage overview
    and the public page count them (ContributionQuerySet.awaiting_review)."""

    title = "review"
    parameter_name = "reviewed"

    def lookups(self, request, model_admin):
        return [("no", "Not yet reviewed"), ("yes", "Reviewed")]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.awaiting_review()
        if self.value() == "yes":
            return queryset.reviewed()
        return queryset


class GroupFilter(admin.SimpleListFilter):
    """The flipchart groups of the workshop chosen in the workshop filter."""

    title = "flipchart group"
    parameter_name = "group"

    def lookups(self, request, model_admin):
        workshop_id = id_or_none(request.GET.get(RecentWorkshopFilter.parameter_name))
        if workshop_id is None:
            return []
        return (
            FlipchartGroup.objects.filter(workshop_id=workshop_id)
            .order_by("order", "pk")
            .values_list("pk", "subject")
        )

    def queryset(self, request, queryset):
        if self.value():
            group_id = id_or_none(self.value())
            return queryset.filter(group_id=group_id) if group_id else queryset.none()
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
    offers each row only its own workshop's themes. A row's selects are named after its note:
    the column heading alone does not tell a screen reader user which note they change."""

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
        note = first_words(form.instance.text)
        form.fields["area"].widget.attrs["aria-label"] = f"Area for note: {note}"
        form.fields["theme"].widget.attrs["aria-label"] = f"Theme for note: {note}"
        return form


class ContributionChangeForm(EditConflictForm):
    def clean(self):
        cleaned_data = super().clean()
        newly_hidden = cleaned_data.get("hidden_from_public") and not (
            self.instance.pk
            and Contribution.objects.filter(pk=self.instance.pk, hidden_from_public=True).exists()
        )
        if newly_hidden and not cleaned_data.get("hidden_reason"):
            self.add_error("hidden_reason", "Select why the note is hidden from the public")
        return cleaned_data


class HideForm(forms.Form):
    reason = forms.ChoiceField(
        label="Why are these notes hidden from the public?",
        choices=[("", "Choose a reason"), *Contribution.HiddenReason.choices[1:]],
        help_text="Organisers see the reason; the public sees neither the notes nor the reason.",
        error_messages={"required": "Select why the notes are hidden from the public"},
    )


class AddToThemeForm(forms.Form):
    theme = forms.ModelChoiceField(
        Theme.objects.none(),
        required=False,
        label="An existing theme",
        empty_label="Choose a theme",
    )
    new_theme_name = forms.CharField(
        label="Or a new theme called",
        max_length=200,
        required=False,
        help_text="Notes already in a theme leave it: to split a theme, select some of its "
        "notes and name a new theme.",
    )
    area = forms.ModelChoiceField(
        Area.objects.all(),
        required=False,
        label="Area of the theme",
        empty_label="Choose an area",
        help_text="Needed only when the theme has no area yet and the notes are not all in one "
        "area. Notes in another area move to the theme's area.",
    )

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
class ContributionAdmin(EditConflictAdminMixin, HistoryAdmin):
    form = ContributionChangeForm
    # Area and theme straight after the note, where the eye is when deciding them; the note's
    # group, kind, reach and time share one column so that the note has room to be read.
    list_display = ["text", "area", "theme", "details", "workshop"]
    list_display_links = ["text"]
    list_editable = ["area", "theme"]
    list_select_related = ["group__workshop", "area", "theme"]
    list_filter = [
        RecentWorkshopFilter,
        GroupFilter,
        "area",
        "kind",
        TriagedFilter,
        ReviewFilter,
        HasActionFilter,
        RemovedFilter,
        "reach",
        "hidden_from_public",
        "hidden_reason",
        "channel",
    ]
    # Filtered by address only (the run sheet's rotation table links here): a sidebar filter of
    # every round and group would cost a query for its choices on each page.
    ROUND_LOOKUPS = {
        "round_number",
        "round_number__exact",
        "visiting_group",
        "visiting_group__exact",
    }
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
        "reviewed_by",
        "reviewed_at",
        "removed_by",
        "removed_at",
        "restored_by",
        "restored_at",
        # A question's clock moves only through the open questions page and its services.
        "acknowledged_at",
        "closed_at",
        "closure",
        "answer",
        "closure_reason",
        "closed_by",
        "out_of_order_reason",
        "proposed_answer",
        "proposed_answer_by",
        "proposed_answer_at",
        # Who asked, how and when are as the channel or file gave them.
        "channel",
        "source",
        "asked_by",
        "asked_at",
    ]
    actions = [
        "publish_selected",
        "hide_selected",
        "unhide_selected",
        "add_to_theme",
        "create_action",
        "remove_selected",
        "restore_selected",
    ]

    def lookup_allowed(self, lookup, value, request):
        # The workshop filter keeps the address the stock related filter had.
        if lookup in self.ROUND_LOOKUPS:
            return True
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
            path(
                "hide/",
                self.admin_site.admin_view(self.hide_view),
                name="workshops_contribution_hide",
            ),
            *super().get_urls(),
        ]

    class Media:
        css = {"all": ["css/admin/contributions.css"]}

    def changelist_view(self, request, extra_context=None):
        if request.method == "GET" and not request.GET:
            return HttpResponseRedirect(
                changelist_url(Contribution, **DEFAULT_CONTRIBUTION_FILTERS)
            )
        # The list is a work surface: at 1280 pixels the navigation sidebar would leave the
        # notes a third of the screen. The breadcrumbs still lead back to every other list.
        extra_context = {"is_nav_sidebar_enabled": False, **(extra_context or {})}
        workshop_id = id_or_none(request.GET.get(RecentWorkshopFilter.parameter_name))
        if workshop_id is not None:
            extra_context = {
                **extra_context,
                "workbench_url": reverse("admin:workshops_workshop_workbench", args=[workshop_id]),
            }
        return super().changelist_view(request, extra_context)

    def get_list_display(self, request):
        """Without the workshop column once the list shows one workshop: it would repeat the
        same long title on every row and squeeze the notes."""
        list_display = super().get_list_display(request)
        if id_or_none(request.GET.get(RecentWorkshopFilter.parameter_name)) is not None:
            return [name for name in list_display if name != "workshop"]
        return list_display

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

    @admin.display(description="Group, kind, reach and time", ordering="entered_at")
    def details(self, contribution):
        reach = "" if contribution.reach == Reach.UNKNOWN else contribution.get_reach_display()
        details = format_html(
            '{}<br>{}{}<br><span class="contribution-entered">{}</span>',
            contribution.group.subject,
            contribution.get_kind_display(),
            f", shared by {reach.lower()}" if reach else "",
            localize(template_localtime(contribution.entered_at)),
        )
        if contribution.channel == Contribution.Channel.FLIPCHART:
            return details
        return format_html(
            '{}<br><span class="contribution-channel">{}{}{}</span>',
            details,
            contribution.get_channel_display(),
            f": {contribution.source}" if contribution.source else "",
            f", asked by {contribution.asked_by}" if contribution.asked_by else "",
        )

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
        count = contributions_restore(contributions=queryset, by=request.user)
        self.message_user(
            request,
            ngettext("%d contribution restored.", "%d contributions restored.", count) % count,
            messages.SUCCESS,
        )

    @admin.action(description="Publish as they are", permissions=["change"])
    def publish_selected(self, request, queryset):
        count = contributions_publish(contributions=queryset, by=request.user)
        message = (
            ngettext(
                "%d contribution reviewed and published as it is.",
                "%d contributions reviewed and published as they are.",
                count,
            )
            % count
        )
        hidden = queryset.filter(hidden_from_public=True).count()
        if hidden:
            message += (
                " "
                + ngettext(
                    "%d hidden contribution stays hidden: show it to the public again first.",
                    "%d hidden contributions stay hidden: show them to the public again first.",
                    hidden,
                )
                % hidden
            )
        self.message_user(request, message, messages.SUCCESS)

    @admin.action(description="Hide from the public…", permissions=["change"])
    def hide_selected(self, request, queryset):
        url = selection_url("admin:workshops_contribution_hide", queryset, request)
        return HttpResponseRedirect(url) if url else None

    @admin.action(description="Show to the public again", permissions=["change"])
    def unhide_selected(self, request, queryset):
        count = contributions_unhide(contributions=queryset, by=request.user)
        self.message_user(
            request,
            ngettext(
                "%d contribution shown to the public again.",
                "%d contributions shown to the public again.",
                count,
            )
            % count,
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
            try:
                added = contributions_add_to_theme(
                    contributions=contributions,
                    by=request.user,
                    theme=form.cleaned_data["theme"],
                    new_theme_name=form.cleaned_data["new_theme_name"],
                    area=form.cleaned_data["area"],
                )
            except ThemeAreaError as error:
                form.add_error("area", str(error))
            else:
                self.message_user(request, theme_added_message(added), messages.SUCCESS)
                return HttpResponseRedirect(back)
        context = {
            **self.admin_site.each_context(request),
            "title": "Add to theme",
            "subtitle": None,
            "opts": self.opts,
            "form": form,
            "workshop": workshop,
            "contributions": contributions.select_related("group", "theme", "area"),
            "back_url": back,
        }
        return TemplateResponse(request, "admin/workshops/contribution/add_to_theme.html", context)

    def hide_view(self, request):
        if not self.has_change_permission(request):
            raise PermissionDenied
        back = contribution_list_url(request)
        contributions = Contribution.objects.filter(pk__in=selected_ids(request))
        if not contributions.exists():
            self.message_user(request, "Select the contributions to hide first.", messages.ERROR)
            return HttpResponseRedirect(back)
        form = HideForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            reason = form.cleaned_data["reason"]
            count = contributions_hide(contributions=contributions, by=request.user, reason=reason)
            self.message_user(
                request,
                ngettext(
                    "%(count)d contribution hidden from the public: %(reason)s.",
                    "%(count)d contributions hidden from the public: %(reason)s.",
                    count,
                )
                % {"count": count, "reason": Contribution.HiddenReason(reason).label.lower()},
                messages.SUCCESS,
            )
            return HttpResponseRedirect(back)
        context = {
            **self.admin_site.each_context(request),
            "title": "Hide from the public",
            "subtitle": None,
            "opts": self.opts,
            "form": form,
            "contributions": contributions.select_related("group__workshop"),
            "back_url": back,
        }
        return TemplateResponse(request, "admin/workshops/contribution/hide.html", context)


def theme_added_message(added: ThemeAdded) -> str:
    parts = [
        ngettext(
            "%(count)d contribution is in the theme “%(theme)s”",
            "%(count)d contributions are in the theme “%(theme)s”",
            added.selected,
        )
        % {"count": added.selected, "theme": added.theme},
    ]
    area = added.theme.area
    if added.given_area:
        parts.append(
            ngettext(
                "%(count)d untriaged contribution is now in %(area)s",
                "%(count)d untriaged contributions are now in %(area)s",
                added.given_area,
            )
            % {"count": added.given_area, "area": area}
        )
    if added.moved_area:
        parts.append(
            ngettext(
                "%(count)d contribution moved from another area to %(area)s",
                "%(count)d contributions moved from other areas to %(area)s",
                added.moved_area,
            )
            % {"count": added.moved_area, "area": area}
        )
    return "; ".join(parts) + "."


def move_to_area_action(area: Area):
    """An admin action that moves the selected contributions into `area`."""

    def move(modeladmin, request, queryset):
        result = contributions_move_to_area(contributions=queryset, area=area, by=request.user)
        message = ngettext(
            "%(count)d contribution moved to %(area)s.",
            "%(count)d contributions moved to %(area)s.",
            result.moved,
        ) % {"count": result.moved, "area": area}
        if result.left_theme:
            message += " " + ngettext(
                "%(count)d of them left its theme, which is in another area.",
                "%(count)d of them left their themes, which are in other areas.",
                result.left_theme,
            ) % {"count": result.left_theme}
        modeladmin.message_user(request, message, messages.SUCCESS)

    return move
