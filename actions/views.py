import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import get_template
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from accounts.roles import (
    actions_for,
    actions_owned_for,
    board_pack_organisations_for,
    may_accept,
    may_cascade,
    may_decide_due_dates,
    may_see_board_pack,
    may_update,
    role_required,
)
from actions.forms import (
    AcceptForm,
    ActionFilterForm,
    CascadeForm,
    DueDateDecisionForm,
    QuestionAnswerForm,
    UpdateForm,
)
from actions.models import ActionItem, DueDateChange, Organisation, Status, rollup_sentence
from actions.packs import board_pack, pack_context, pack_file, pack_file_prepare, pack_xlsx
from actions.services import (
    AlreadyAccepted,
    Refused,
    action_accept,
    action_cascade,
    action_post_update,
    due_date_decide,
    routed_question_answer,
    routed_questions,
)
from actions.templatetags.action_tags import due_tags
from feedback_site import typed_input
from feedback_site.pagination import pagination
from feedback_site.spreadsheets import XLSX_CONTENT_TYPE
from workshops.models import Contribution, Workshop


def visible_action(request, pk) -> ActionItem:
    """The action if this user may see it; otherwise not found, revealing nothing."""
    return get_object_or_404(
        actions_for(request.user)
        .select_related(
            "workshop", "area", "owner", "theme", "parent__owner", "accountable", "deputy"
        )
        .with_due_date_moves(),
        pk=pk,
    )


# What the list of actions shows of each: a row builds three model instances, so only these.
LISTED_ACTION_FIELDS = [
    "title",
    "status",
    "due_date",
    "accepted_at",
    "workshop__title",
    "owner__name",
]


# A page of "Your actions": an organiser sees every organisation's, thousands at department scale.
ACTIONS_PER_PAGE = 100


@login_required
def action_list(request):
    """Your actions: your organisations' (every one for organisers), grouped by status, soonest
    due first within each, a hundred to a page. Copies cascaded from them are not listed: each
    row says how they are doing."""
    visible = actions_owned_for(request.user)
    form = ActionFilterForm(
        request.GET or None,
        workshops=Workshop.objects.filter(actions__in=visible).distinct().order_by("-date"),
    )
    listed = visible
    if form.is_valid():
        if form.cleaned_data["workshop"]:
            listed = listed.filter(workshop=form.cleaned_data["workshop"])
        if form.cleaned_data["status"]:
            listed = listed.filter(status=form.cleaned_data["status"])
    totals = listed.totals_by_status()
    paginator = Paginator(
        listed.select_related("workshop", "owner")
        .only(*LISTED_ACTION_FIELDS)
        .with_due_date_moves()
        .in_status_order(),
        ACTIONS_PER_PAGE,
    )
    paginator.count = sum(totals.values())  # known from the totals: no second count query
    page = paginator.get_page(request.GET.get("page"))
    groups = {}
    listed_actions = list(page)
    if listed_actions:
        ActionItem.objects.set_cascade_progress(listed_actions)
    for action, row in zip(listed_actions, listed_rows(listed_actions), strict=True):
        groups.setdefault(Status(action.status), []).append(row)
    proposals = []
    if may_decide_due_dates(request.user):
        proposals = DueDateChange.objects.filter(state=DueDateChange.State.PROPOSED).select_related(
            "action__owner", "by"
        )
    return render(
        request,
        "actions/actionitem_list.html",
        {
            "form": form,
            "groups": [(status, totals[status], rows) for status, rows in groups.items()],
            "page_obj": page,
            "is_paginated": page.has_other_pages(),
            "pagination": pagination(request, page),
            "is_filtered": form.is_bound and form.has_changed(),
            "proposals": proposals,
            "board_packs": board_pack_organisations_for(request.user),
        },
    )


def listed_action(action: ActionItem, today) -> dict:
    """A row of the list as plain values: a template reads a dict's keys fastest, and a page
    may list hundreds of actions."""
    return {
        "url": action.get_absolute_url(),
        "title": action.title,
        "workshop": action.workshop.title,
        "owner": str(action.owner),
        "due_date": action.due_date,
        "move_count": action.move_count,
        "due_tags": due_tags(action, today),
        "cascade_rollup": action.cascade_rollup,
    }


# A row is a pure function of what it shows, so a rendered row can be kept as long as that lasts.
ROW_CACHE_SECONDS = 24 * 60 * 60
ROW_TEMPLATE = "actions/includes/action_row.html"


def _row_key(action: ActionItem, today) -> str:
    """Names a row by everything it shows and everything its tags depend on, today included: a
    change to the action, its workshop's title or its owner's name names another row, so a
    kept row is never stale, and the same row is right for everyone who may list the action."""
    shown = [
        action.pk,
        action.title,
        action.status,
        action.due_date.isoformat(),
        action.accepted_at is None,
        action.move_count,
        action.cascade_count,
        action.cascade_reported,
        action.cascade_done,
        action.workshop.title,
        str(action.owner),
        today.isoformat(),
        get_language(),
    ]
    digest = hashlib.sha256(json.dumps(shown, ensure_ascii=False).encode()).hexdigest()
    return f"action-row:{action.pk}:{digest[:32]}"


def listed_rows(actions) -> list[str]:
    """Each action's row of the table, rendered once per change of what it shows and shared by
    everyone who lists it (one cache round trip for the page). Who sees which rows is decided by
    the query that found `actions`, never by the cache."""
    today = timezone.localdate()
    keys = [_row_key(action, today) for action in actions]
    kept = cache.get_many(keys)
    template = get_template(ROW_TEMPLATE)
    rendered = {}
    for action, key in zip(actions, keys, strict=True):
        if key not in kept:
            rendered[key] = template.render({"action": listed_action(action, today)})
    if rendered:
        cache.set_many(rendered, ROW_CACHE_SECONDS)
    # Every row is markup our own template rendered, escaping what people typed.
    return [mark_safe(kept[key] if key in kept else rendered[key]) for key in keys]


@dataclass
class HistoryEntry:
    at: datetime
    kind: str
    item: object
    date_change: DueDateChange | None = None


def history_of(action: ActionItem) -> list[HistoryEntry]:
    """Everything that happened to the action, newest first: updates, date changes, acceptance."""
    changes = list(action.due_date_changes.select_related("by", "decided_by"))
    proposed_with = {change.update_id: change for change in changes if change.update_id}
    entries = [
        HistoryEntry(update.created_at, "update", update, proposed_with.get(update.pk))
        for update in action.updates.select_related("author")
    ]
    entries += [
        HistoryEntry(change.at, "date_change", change, change)
        for change in changes
        if not change.update_id
    ]
    if action.accepted_at:
        entries.append(HistoryEntry(action.accepted_at, "accepted", action))
    entries.append(HistoryEntry(action.assigned_at, "assigned", action))
    return sorted(entries, key=lambda entry: entry.at, reverse=True)


def waiting_proposal(action: ActionItem) -> DueDateChange | None:
    """The new due date waiting for the organisers' decision, if there is one."""
    return (
        action.due_date_changes.filter(state=DueDateChange.State.PROPOSED)
        .select_related("by")
        .first()
    )


def cascaded_copies(request, action: ActionItem) -> list[ActionItem]:
    """The copies cascaded from the action that this user may see, each with its latest update."""
    return list(
        action.children.filter(pk__in=actions_for(request.user).values("pk"))
        .select_related("owner")
        .with_latest_update()
        .order_by("owner__name", "pk")
    )


@dataclass
class RoutedQuestion:
    question: object
    form: QuestionAnswerForm | None


def questions_to_answer(request, action: ActionItem) -> list[RoutedQuestion]:
    """The questions routed to the action, each with a form to answer it for those who update
    the action, while it has no answer published or waiting for review."""
    can_answer = may_update(request.user, action)
    return [
        RoutedQuestion(
            question,
            QuestionAnswerForm(question=question, action=action)
            if can_answer
            and question.closure == question.Closure.ROUTED
            and not question.proposed_answer
            else None,
        )
        for question in routed_questions(action)
    ]


def render_action_page(request, action, *, form, proposal, status=200):
    can_update = may_update(request.user, action)
    children = cascaded_copies(request, action)
    context = {
        "questions": questions_to_answer(request, action),
        "action": action,
        "form": form if can_update else None,
        "history": history_of(action),
        "proposal": proposal,
        "sources": action.sources.select_related("contribution__group"),
        "parent": (
            action.parent
            if action.parent_id and actions_for(request.user).filter(pk=action.parent_id).exists()
            else None
        ),
        "children": children,
        # Only those who see every copy see the roll-up of them all.
        "rollup": (
            rollup_sentence(
                count=len(children),
                reported=sum(child.latest_update_at is not None for child in children),
                done=sum(child.status == Status.DONE for child in children),
            )
            if can_update and children
            else ""
        ),
        "can_accept": action.is_awaiting_acceptance and may_accept(request.user, action),
        "can_cascade": may_cascade(request.user, action),
        "can_decide": may_decide_due_dates(request.user),
        "today": timezone.localdate(),
    }
    return render(request, "actions/actionitem_detail.html", context, status=status)


@login_required
def action_detail(request, pk):
    action = visible_action(request, pk)
    proposal = waiting_proposal(action)
    if request.method != "POST":
        form = UpdateForm(
            action=action,
            proposal_waiting=proposal is not None,
            initial={"status": action.status, **typed_input.restore(request)},
        )
        return render_action_page(request, action, form=form, proposal=proposal)
    if not may_update(request.user, action):
        raise PermissionDenied
    form = UpdateForm(request.POST, action=action, proposal_waiting=proposal is not None)
    if form.is_valid():
        try:
            action_post_update(
                action=action,
                by=request.user,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
                new_due_date=form.cleaned_data.get("new_due_date"),
                reason=form.cleaned_data.get("reason", ""),
            )
        except Refused as refused:
            # Someone else posted or proposed in the moment between the check and the write.
            form.add_refusal(refused)
        else:
            if form.cleaned_data.get("new_due_date"):
                messages.success(
                    request,
                    _("Update posted. An organiser will approve or reject the new due date"),
                )
            else:
                messages.success(request, _("Update posted"))
            return redirect(f"{action.get_absolute_url()}#history")
    return render_action_page(request, action, form=form, proposal=proposal)


@login_required
def action_accept_view(request, pk):
    action = visible_action(request, pk)
    if not may_accept(request.user, action):
        raise PermissionDenied
    if not action.is_awaiting_acceptance:
        messages.info(
            request, _("%(owner)s has already accepted this action") % {"owner": action.owner}
        )
        return redirect(action)
    form = AcceptForm(request.POST if request.method == "POST" else None, action=action)
    if request.method == "POST" and form.is_valid():
        try:
            action_accept(
                action=action,
                by=request.user,
                accountable=form.cleaned_data["accountable"],
                deputy=form.cleaned_data["deputy"],
                proposed_due_date=form.cleaned_data["proposed_due_date"],
                reason=form.cleaned_data["reason"],
            )
        except AlreadyAccepted as error:
            messages.info(request, str(error))
        else:
            messages.success(request, _("Action accepted"))
        return redirect(action)
    return render(request, "actions/actionitem_accept.html", {"action": action, "form": form})


@role_required(may_decide_due_dates)
def due_date_decide_view(request, pk, change_pk):
    action = visible_action(request, pk)
    proposal = get_object_or_404(
        action.due_date_changes.select_related("by"),
        pk=change_pk,
        state=DueDateChange.State.PROPOSED,
    )
    form = DueDateDecisionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        due_date_decide(
            proposal=proposal, by=request.user, approve=approve, note=form.cleaned_data["note"]
        )
        messages.success(
            request, _("New due date approved") if approve else _("New due date rejected")
        )
        return redirect(action)
    return render(
        request,
        "actions/duedatechange_form.html",
        {"action": action, "proposal": proposal, "form": form},
    )


@login_required
def action_cascade_view(request, pk):
    """Members of the owning organisation give departments each their own copy to report on."""
    action = visible_action(request, pk)
    if not may_cascade(request.user, action):
        raise Http404
    form = CascadeForm(request.POST if request.method == "POST" else None, action=action)
    if request.method == "POST" and form.is_valid():
        children = action_cascade(
            action=action, owners=form.cleaned_data["owners"], by=request.user
        )
        messages.success(
            request,
            ngettext(
                "Cascaded to %(count)d department",
                "Cascaded to %(count)d departments",
                len(children),
            )
            % {"count": len(children)},
        )
        return redirect(f"{action.get_absolute_url()}#cascade")
    return render(
        request,
        "actions/actionitem_cascade.html",
        {
            "action": action,
            "form": form,
            "children": action.children.select_related("owner").order_by("owner__name", "pk"),
        },
    )


def visible_organisation(request, slug: str) -> Organisation:
    """The organisation if this user may read its board pack; otherwise not found."""
    organisation = get_object_or_404(Organisation, slug=slug)
    if not may_see_board_pack(request.user, organisation):
        raise Http404
    return organisation


@login_required
def organisation_pack(request, organisation):
    """What an organisation owes across every workshop, for its members and the organisers."""
    pack = board_pack(visible_organisation(request, organisation))
    pack_file_prepare(pack)
    return render(request, "actions/organisation_pack.html", pack_context(pack))


def _download(body: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def organisation_pack_pdf(request, organisation):
    pack = board_pack(visible_organisation(request, organisation))
    return _download(pack_file(pack).pdf_bytes, "application/pdf", f"{pack.filename_stem}.pdf")


@login_required
def organisation_pack_xlsx(request, organisation):
    pack = board_pack(visible_organisation(request, organisation))
    return _download(pack_xlsx(pack), XLSX_CONTENT_TYPE, f"{pack.filename_stem}.xlsx")


@login_required
def question_answer_view(request, pk, question_pk):
    """Answer a question routed to the action: the form is on the action's page; this page
    shows it again with what went wrong, the answer kept."""
    action = visible_action(request, pk)
    if not may_update(request.user, action):
        raise Http404
    question = get_object_or_404(
        routed_questions(action), pk=question_pk, closure=Contribution.Closure.ROUTED
    )
    form = QuestionAnswerForm(
        request.POST if request.method == "POST" else None, question=question, action=action
    )
    if request.method == "POST" and form.is_valid():
        try:
            published = routed_question_answer(
                action=action,
                question=question,
                by=request.user,
                answer=form.cleaned_data["answer"],
            )
        except Refused as refused:
            form.add_error(refused.field, str(refused))
        else:
            messages.success(
                request,
                _("Answer published")
                if published
                else _("Answer sent: an organiser will publish it once they have reviewed it"),
            )
            return redirect(f"{action.get_absolute_url()}#questions")
    return render(
        request,
        "actions/question_answer.html",
        {
            "action": action,
            "question": question,
            "form": form,
            "page_title": _("Answer a question"),
        },
    )
