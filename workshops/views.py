import datetime
import uuid
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Case, Count, Max, OuterRef, Prefetch, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe
from django.views.generic import DetailView, ListView

from accounts.roles import groups_for, may_run_workshops, role_required, workshops_for
from feedback_site import typed_input
from feedback_site.pagination import PaginationMixin
from workshops.forms import (
    CaptureForm,
    ContributionForm,
    KindFixForm,
    PhotoForm,
    StartRoundsForm,
)
from workshops.models import (
    CaptureBatch,
    Contribution,
    FlipchartGroup,
    FlipchartPhoto,
    visiting_group_index,
)
from workshops.photos import CONTENT_TYPES
from workshops.services import (
    REPEAT_WINDOW,
    CaptureClosed,
    CaptureKeyReused,
    KindFixError,
    contribution_kind_set,
    contributions_remove,
    notes_capture,
    photo_add,
    rounds_start,
    workshop_rounds_start,
)

NEWEST_NOTES_SHOWN = 50

# Where a page's success banner sits: redirecting here keeps it in view on a phone, with or
# without JavaScript (with it, GOV.UK Frontend also moves focus to the banner).
AT_THE_MESSAGE = "#main-content"


def present_note_count():
    """A group's notes that have not been removed."""
    return note_count(Contribution.objects.present())


def note_count(notes):
    """How many of `notes` a group has. A subquery, not a join: the database counts only for the
    groups a page shows, not for every group before it sorts and slices them."""
    notes = (
        notes.filter(group=OuterRef("pk"))
        .order_by()
        .values("group")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(notes), 0)


class WorkshopListView(PaginationMixin, ListView):
    """The home page: published workshops, and drafts too for organisers, newest first."""

    template_name = "workshops/workshop_list.html"
    context_object_name = "workshops"
    paginate_by = 20

    def get_queryset(self):
        return (
            workshops_for(self.request.user)
            .annotate(group_count=Count("groups"))
            .order_by("-date", "title", "pk")
        )


class WorkshopDetailView(DetailView):
    template_name = "workshops/workshop_detail.html"
    context_object_name = "workshop"

    def get_queryset(self):
        # The workshop page is the public's (organisers preview a draft as the public will see
        # it), so it counts only notes the public may see: reviewed where the workshop asks
        # for review, and not hidden.
        shown = Contribution.objects.present().reviewed().filter(hidden_from_public=False)
        groups = FlipchartGroup.objects.annotate(note_count=note_count(shown))
        return workshops_for(self.request.user).prefetch_related(
            Prefetch("groups", queryset=groups)
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["capturable_group_ids"] = set(
            groups_for(self.request.user).filter(workshop=self.object).values_list("pk", flat=True)
        )
        context["can_run_workshop"] = may_run_workshops(self.request.user)
        return context


class GroupListView(LoginRequiredMixin, PaginationMixin, ListView):
    """Your flipcharts: the groups you facilitate (all of them for organisers), today's first."""

    template_name = "workshops/flipchartgroup_list.html"
    context_object_name = "groups"
    paginate_by = 50

    def get_queryset(self):
        today = timezone.localdate()
        return (
            groups_for(self.request.user)
            .select_related("workshop")
            .annotate(
                note_count=present_note_count(),
                not_today=Case(When(workshop__date=today, then=Value(0)), default=Value(1)),
            )
            .order_by("not_today", "-workshop__date", "workshop__title", "order", "pk")
        )


def capturable_group(request, pk) -> FlipchartGroup:
    """The group if this user may capture for it; otherwise not found, revealing nothing."""
    return get_object_or_404(groups_for(request.user).select_related("workshop"), pk=pk)


def uuid_from(query, name) -> uuid.UUID | None:
    try:
        return uuid.UUID(query.get(name, ""))
    except ValueError:
        return None


def render_capture_page(request, group, *, capture_form=None, photo_form=None, status=200):
    notes = (
        group.contributions.present().select_related("entered_by").order_by("-entered_at", "-pk")
    )
    added = None
    added_key, resent_key = uuid_from(request.GET, "added"), uuid_from(request.GET, "resent")
    if added_key is not None:
        added = CaptureBatch.objects.filter(group=group, key=added_key).first()
    capture_form = capture_form or CaptureForm(
        initial={"key": uuid.uuid4(), **typed_input.restore(request)}
    )
    photo_form = photo_form or PhotoForm()
    if not capture_form.errors and not photo_form.errors:
        capture_form.focus_notes()
    # The notes just added, each with the kind it was read as, to fix with one tap.
    added_notes = (
        added.contributions.present().order_by("pk")
        if added is not None and added.group_id == group.pk
        else []
    )
    capture_form.helper.form_action = group.get_absolute_url()
    photo_form.helper.form_action = reverse("workshops:group_photo_add", kwargs={"pk": group.pk})
    context = {
        "group": group,
        "workshop": group.workshop,
        "capture_form": capture_form,
        "photo_form": photo_form,
        "notes": notes[:NEWEST_NOTES_SHOWN],
        "note_count": notes.count(),
        "photos": group.photos.select_related("uploaded_by"),
        "added": added,
        "added_notes": added_notes,
        "kinds": Contribution.Kind.choices,
        "changed_note_id": request.GET.get("changed", ""),
        # The key of a fresh form that sent notes already added: nothing new was stored.
        "resent_key": resent_key,
        "repeat_window_minutes": REPEAT_WINDOW // datetime.timedelta(minutes=1),
        "now": timezone.now(),
    }
    return render(request, "workshops/flipchartgroup_detail.html", context, status=status)


@login_required
def group_capture(request, pk):
    group = capturable_group(request, pk)
    if request.method == "POST":
        form = CaptureForm(request.POST)
        if form.is_valid():
            try:
                result = notes_capture(
                    group=group,
                    by=request.user,
                    key=form.cleaned_data["key"],
                    notes=form.cleaned_data["parsed_notes"],
                )
            except CaptureKeyReused:
                form.refuse_reused_key()
            except CaptureClosed:
                form.refuse_after_round(group)
            else:
                query = {"added": result.batch.key}
                if result.repeated:
                    query["resent"] = form.cleaned_data["key"]
                return redirect(f"{group.get_absolute_url()}?{urlencode(query)}#notes-added")
        return render_capture_page(request, group, capture_form=form)
    return render_capture_page(request, group)


@login_required
@require_POST
def group_round_start(request, pk):
    group = capturable_group(request, pk)
    rounds_start(groups=FlipchartGroup.objects.filter(pk=group.pk))
    group.refresh_from_db(fields=["round_started_at"])
    messages.success(
        request,
        _("Round started. It ends at %(time)s.")
        % {"time": f"{timezone.localtime(group.round_ends_at):%H:%M}"},
    )
    return redirect(group)


@login_required
@require_POST
def group_photo_add(request, pk):
    group = capturable_group(request, pk)
    form = PhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        return render_capture_page(request, group, photo_form=form)
    photo_add(group=group, by=request.user, photo=form.cleaned_data["photo"])
    messages.success(request, _("Photo uploaded"))
    return redirect(f"{group.get_absolute_url()}{AT_THE_MESSAGE}")


@login_required
@require_safe
def photo_file(request, pk):
    photo = get_object_or_404(
        FlipchartPhoto.objects.filter(group__in=groups_for(request.user)),
        pk=pk,
    )
    response = FileResponse(
        photo.image.open("rb"),
        content_type=CONTENT_TYPES[photo.image_format],
        filename=f"flipchart-photo-{photo.pk}.{photo.image_format}",
    )
    response["Cache-Control"] = "private, max-age=3600"
    return response


def editable_contribution(request, pk) -> Contribution:
    return get_object_or_404(
        Contribution.objects.present()
        .capturable_by(request.user)
        .select_related("group__workshop"),
        pk=pk,
    )


@login_required
def contribution_edit(request, pk):
    contribution = editable_contribution(request, pk)
    form = ContributionForm(
        request.POST or None,
        instance=contribution,
        initial=typed_input.restore(request) if request.method == "GET" else None,
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Note updated"))
        return redirect(f"{contribution.group.get_absolute_url()}{AT_THE_MESSAGE}")
    return render(
        request,
        "workshops/contribution_form.html",
        {
            "form": form,
            "contribution": contribution,
            "group": contribution.group,
            "page_title": _("Change a note"),
        },
    )


@login_required
def contribution_remove(request, pk):
    contribution = editable_contribution(request, pk)
    if request.method == "POST":
        contributions_remove(
            contributions=Contribution.objects.filter(pk=contribution.pk), by=request.user
        )
        messages.success(request, _("Note removed. An organiser can restore it if needed."))
        return redirect(f"{contribution.group.get_absolute_url()}{AT_THE_MESSAGE}")
    return render(
        request,
        "workshops/contribution_confirm_remove.html",
        {"contribution": contribution, "group": contribution.group},
    )


@login_required
@require_POST
def contribution_kind_fix(request, pk):
    """The one-tap fix beside a just-added note: read it as another kind. Back to the same
    note in the list, which says what changed."""
    contribution = editable_contribution(request, pk)
    form = KindFixForm(request.POST)
    group_url = contribution.group.get_absolute_url()
    if not form.is_valid():
        return redirect(group_url)
    query = {"changed": contribution.pk}
    if form.cleaned_data["added"]:
        query["added"] = form.cleaned_data["added"]
    try:
        contribution_kind_set(
            contribution=contribution, kind=form.cleaned_data["kind"], by=request.user
        )
    except KindFixError as error:
        messages.error(request, str(error))
        return redirect(f"{group_url}{AT_THE_MESSAGE}")
    return redirect(f"{group_url}?{urlencode(query)}#read-{contribution.pk}")


def rotation_table(workshop, groups) -> list[dict]:
    """Each flipchart with the group of attendees at it in every round, when groups rotate."""
    names = workshop.visiting_group_names(len(groups))
    count = len(groups)
    return [
        {
            "group": group,
            "visits": [
                names[visiting_group_index(flipchart=index, round_number=number, count=count)]
                for number in range(1, count + 1)
            ],
        }
        for index, group in enumerate(groups)
    ]


@role_required(may_run_workshops)
def workshop_run_sheet(request, slug):
    """The organiser's view of every group in the room: start the next round at every flipchart,
    watch notes arrive. Starting a round when one has run already asks first: it ends any round
    still running, and an ended round is never started again by accident."""
    workshop = get_object_or_404(workshops_for(request.user), slug=slug)
    next_round = workshop.current_round + 1
    form = StartRoundsForm(
        request.POST or None,
        initial={"grace_minutes": workshop.grace_minutes},
        round_number=next_round,
    )
    if request.method == "POST" and form.is_valid():
        started_before = workshop.groups.filter(round_started_at__isnull=False)
        if request.POST.get("confirmed") != str(next_round) and started_before.exists():
            return render(
                request,
                "workshops/workshop_round_confirm.html",
                {
                    "workshop": workshop,
                    "round_number": next_round,
                    "grace_minutes": form.cleaned_data["grace_minutes"],
                    "running": [g for g in started_before if g.round_ends_at > timezone.now()],
                    "group_count": workshop.groups.count(),
                },
            )
        started = workshop_rounds_start(
            workshop=workshop,
            grace_minutes=form.cleaned_data["grace_minutes"],
            number=next_round,
        )
        count = workshop.groups.count()
        messages.success(
            request,
            _("Round %(round)d:") % {"round": next_round}
            + " "
            + ngettext(
                "Round started for %(count)d group at %(time)s.",
                "Rounds started for all %(count)d groups at %(time)s.",
                count,
            )
            % {"count": count, "time": f"{timezone.localtime(started):%H:%M}"},
        )
        return redirect("workshops:workshop_run_sheet", slug=workshop.slug)
    # Both counts from one join of the notes: the subquery of present_note_count() would run
    # again for every joined note here.
    groups = workshop.groups.annotate(
        note_count=Count("contributions", filter=Q(contributions__removed_at__isnull=True)),
        late_count=Count(
            "contributions",
            filter=Q(
                contributions__removed_at__isnull=True,
                contributions__entered_after_round=True,
            ),
        ),
        latest_note_at=Max("contributions__entered_at"),
    ).order_by("order", "pk")
    return render(
        request,
        "workshops/workshop_run_sheet.html",
        {
            "workshop": workshop,
            "form": form,
            "groups": groups,
            "rotation": rotation_table(workshop, list(groups)) if workshop.rotates else [],
            "next_round": next_round,
            "now": timezone.now(),
            "refresh_url": reverse("workshops:workshop_run_sheet", kwargs={"slug": workshop.slug}),
        },
    )
