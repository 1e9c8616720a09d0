import functools
import io

import segno
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import base36_to_int, int_to_base36
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from accounts.roles import may_run_workshops, role_required, workshops_for
from actions.dates import default_due_date
from feedback_site.forms import ConfirmForm
from feedback_site.jobs import enqueue_on_commit
from feedback_site.pagination import pagination
from feedback_site.rate_limits import (
    asker_confirmation_limit_reached,
    follow_request_limit_reached,
    online_contributions_from_address_limit_reached,
    online_contributions_to_workshop_limit_reached,
)
from feedback_site.signed_links import LinkExpired, LinkInvalid
from progress import cache as progress_cache
from progress import exports, following, reports
from progress.forms import FollowForm, OnlineContributionForm, ReportForm, SearchForm
from progress.models import WorkshopReport
from progress.recurring import recurring_histories, recurring_summaries
from progress.selectors import (
    AREA_NOTES_PER_PAGE,
    NOT_YET_SORTED,
    SEARCH_RESULTS_PER_KIND,
    area_notes,
    workshop_progress,
    workshop_search,
)
from progress.services import follower_confirm, follower_unsubscribe, report_publish, report_save
from progress.tasks import follow_confirmation_send
from workshops import askers
from workshops.models import Area, RecurringTheme, Workshop
from workshops.services import asker_confirm, asker_forget, online_contribution_add
from workshops.tasks import asker_confirmation_send


def published_workshop(slug: str) -> Workshop:
    """A published workshop; drafts are not found, so the public learns nothing of them."""
    return get_object_or_404(Workshop.objects.published().select_related("report"), slug=slug)


@require_safe
def progress(request, slug):
    """You said, we did: what was heard at a workshop and what is being done about it. The page
    everyone sees comes from the cache, or as a 304, until something on it changes."""
    if not progress_cache.is_shared_request(request):
        return render_progress(request, published_workshop(slug))
    version = progress_cache.published_page_version(slug)
    if not_modified := get_conditional_response(request, etag=progress_cache.page_etag(version)):
        return progress_cache.shared_page(not_modified, version)
    return progress_cache.cached_page(request, version) or progress_cache.cache_page(
        request, version, render_progress(request, published_workshop(slug))
    )


def render_progress(request, workshop: Workshop):
    progress = workshop_progress(workshop)
    report_due_date = reports.report_due_date(workshop)
    context = {
        "progress": progress,
        "report": reports.published_report(workshop),
        "report_due_date": report_due_date,
        "report_days_late": (progress.today - report_due_date).days,
        "may_write_report": may_run_workshops(request.user),
        "short_url": request.build_absolute_uri(short_path(workshop)),
    }
    return render(request, "progress/workshop_progress.html", context)


@require_safe
def progress_json(request, slug):
    """The progress page's public data at a stable address, for anyone to reuse."""
    return JsonResponse(
        exports.feed(published_workshop(slug)),
        encoder=exports.HtmlSafeJSONEncoder,
        json_dumps_params={"indent": 2},
    )


@require_safe
def export(request, slug, table, file_format):
    return exports.export_response(published_workshop(slug), table, file_format)


@require_safe
def workbook(request, slug):
    """Every table of the workshop's public data in one workbook, for the follow-up report."""
    return exports.workbook_response(published_workshop(slug))


def follow(request, slug):
    workshop = published_workshop(slug)
    form = FollowForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if verdict := follow_request_limit_reached(form.cleaned_data["email"]):
            form.refuse(verdict)
        else:
            enqueue_on_commit(
                follow_confirmation_send,
                workshop_id=workshop.pk,
                email=form.cleaned_data["email"],
                site_url=request.build_absolute_uri("/").rstrip("/"),
            )
            return redirect("progress:follow_sent", slug=workshop.slug)
    return render(
        request,
        "progress/follow_form.html",
        {"form": form, "workshop": workshop, "page_title": _("Get updates on this workshop")},
    )


@require_safe
def follow_sent(request, slug):
    """The same answer whether or not the address already follows, so it reveals nothing."""
    workshop = published_workshop(slug)
    return render(
        request,
        "progress/follow_sent.html",
        {
            "workshop": workshop,
            "page_title": _("Check your email"),
            "hours": settings.FOLLOW_CONFIRM_MAX_AGE_HOURS,
        },
    )


def _link_problem(request, workshop, problem: str, *, again_url: str = ""):
    return render(
        request,
        "progress/follow_link_problem.html",
        {
            "workshop": workshop,
            "page_title": problem,
            "again_url": again_url or reverse("progress:follow", kwargs={"slug": workshop.slug}),
        },
        status=400,
    )


def _confirm_by_link(request, workshop, *, email, change, submit_label, what, title, done):
    """The page an emailed link opens: one button, since mail scanners open links too, and the
    change (a callable taking nothing) made only when it is pressed."""
    form = ConfirmForm(
        request.POST if request.method == "POST" else None, submit_label=submit_label
    )
    if request.method == "POST" and form.is_valid():
        change()
        return render(
            request, "progress/follow_done.html", {"workshop": workshop, "page_title": done}
        )
    return render(
        request,
        "progress/follow_confirm.html",
        {"form": form, "workshop": workshop, "email": email, "what": what, "page_title": title},
    )


def follow_confirm(request, slug, token):
    workshop = published_workshop(slug)
    try:
        email = following.email_to_confirm(token, workshop)
    except LinkExpired:
        return _link_problem(request, workshop, _("This link has expired"))
    except LinkInvalid:
        return _link_problem(request, workshop, _("This link is not valid"))
    return _confirm_by_link(
        request,
        workshop,
        email=email,
        change=functools.partial(
            follower_confirm, workshop=workshop, email=email, language=get_language()
        ),
        submit_label=_("Confirm"),
        what=_("get a daily email of progress on"),
        title=_("Confirm updates"),
        done=_("You are following this workshop"),
    )


def follow_unsubscribe(request, slug, token):
    workshop = published_workshop(slug)
    try:
        email = following.email_to_unsubscribe(token, workshop)
    except LinkInvalid:
        return _link_problem(request, workshop, _("This link is not valid"))
    return _confirm_by_link(
        request,
        workshop,
        email=email,
        change=functools.partial(follower_unsubscribe, workshop=workshop, email=email),
        submit_label=_("Stop emails"),
        what=_("stop emails about"),
        title=_("Stop emails"),
        done=_("You will get no more emails"),
    )


def ask(request, slug):
    """Ask a question or add a view online while the workshop's online channel is open. What is
    sent waits for review like a flipchart note; an address given is kept only once confirmed.
    A robot that fills the hidden field is thanked and nothing is stored."""
    workshop = published_workshop(slug)
    if not workshop.online_is_open():
        return render(
            request,
            "progress/ask_closed.html",
            {
                "workshop": workshop,
                "page_title": _("Asking online is closed"),
                "now": timezone.now(),
            },
        )
    form = OnlineContributionForm(request.POST or None, workshop=workshop)
    if request.method == "POST" and form.is_valid():
        if form.is_from_a_robot:
            return redirect("progress:ask_sent", slug=workshop.slug)
        email = form.cleaned_data["email"]
        if online_contributions_from_address_limit_reached(
            request
        ) or online_contributions_to_workshop_limit_reached(workshop.pk):
            form.refuse_as_too_many()
        elif email and (verdict := asker_confirmation_limit_reached(email)):
            form.refuse_email(verdict)
        else:
            with transaction.atomic():
                question = online_contribution_add(
                    group=form.cleaned_data["group"],
                    kind=form.cleaned_data["kind"],
                    text=form.cleaned_data["text"],
                )
                if email:
                    enqueue_on_commit(
                        asker_confirmation_send,
                        question_id=question.pk,
                        email=email,
                        site_url=request.build_absolute_uri("/").rstrip("/"),
                    )
            return redirect("progress:ask_sent", slug=workshop.slug)
    return render(
        request,
        "progress/ask_form.html",
        {
            "form": form,
            "workshop": workshop,
            "page_title": _("Ask a question or add your view"),
        },
    )


@require_safe
def ask_sent(request, slug):
    workshop = published_workshop(slug)
    return render(
        request,
        "progress/ask_sent.html",
        {
            "workshop": workshop,
            "page_title": _("Thank you"),
            "hours": settings.FOLLOW_CONFIRM_MAX_AGE_HOURS,
        },
    )


def asker_confirm_view(request, slug, token):
    workshop = published_workshop(slug)
    again_url = reverse("progress:ask", kwargs={"slug": workshop.slug})
    try:
        question, email = askers.question_to_confirm(token, workshop)
    except LinkExpired:
        return _link_problem(request, workshop, _("This link has expired"), again_url=again_url)
    except LinkInvalid:
        return _link_problem(request, workshop, _("This link is not valid"), again_url=again_url)
    return _confirm_by_link(
        request,
        workshop,
        email=email,
        change=functools.partial(
            asker_confirm, question=question, email=email, language=get_language()
        ),
        submit_label=_("Confirm"),
        what=_("be told the answer to your question about"),
        title=_("Confirm your email address"),
        done=_("You will be told the answer"),
    )


def asker_forget_view(request, slug, token):
    workshop = published_workshop(slug)
    try:
        question, email = askers.question_to_forget(token, workshop)
    except LinkInvalid:
        return _link_problem(
            request,
            workshop,
            _("This link is not valid"),
            again_url=reverse("progress:ask", kwargs={"slug": workshop.slug}),
        )
    return _confirm_by_link(
        request,
        workshop,
        email=email,
        change=functools.partial(asker_forget, question=question, email=email),
        submit_label=_("Delete my email address"),
        what=_("delete your email address, kept to tell you the answer to your question about"),
        title=_("Delete your email address"),
        done=_("Your email address has been deleted"),
    )


def short_path(workshop: Workshop) -> str:
    return reverse("progress:short_link", kwargs={"code": int_to_base36(workshop.pk)})


@require_safe
def short_link(request, code):
    """The short address put on the flipchart, leading to the workshop's progress page."""
    try:
        pk = base36_to_int(code)
    except ValueError as error:
        raise Http404 from error
    workshop = get_object_or_404(Workshop.objects.published(), pk=pk)
    return redirect("progress:workshop_progress", slug=workshop.slug)


@require_safe
def qr_code(request, slug):
    """A printable QR code of the workshop's short address, drawn by segno."""
    workshop = published_workshop(slug)
    url = request.build_absolute_uri(short_path(workshop))
    buffer = io.BytesIO()
    segno.make(url, error="m").save(
        buffer,
        kind="svg",
        scale=10,
        border=4,
        title=_("QR code for %(url)s") % {"url": url},
        xmldecl=False,
    )
    return HttpResponse(buffer.getvalue(), content_type="image/svg+xml")


@require_safe
def area_notes_list(request, slug, area):
    """Every public note of one area of a workshop, a page at a time, so anyone can find their
    own words; the progress page quotes only a few."""
    workshop = published_workshop(slug)
    found = Area.objects.filter(slug=area).first()
    if found is None and area != NOT_YET_SORTED:
        raise Http404
    paginator = Paginator(area_notes(workshop, found), AREA_NOTES_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    name = str(found) if found else _("Not yet sorted")
    return render(
        request,
        "progress/area_notes.html",
        {
            "workshop": workshop,
            "area_name": name,
            "area_anchor": f"area-{area}",
            "page_obj": page,
            "pagination": pagination(request, page),
        },
    )


@require_safe
def search(request, slug):
    """The progress page's search: not cached, since each query has its own answer."""
    workshop = published_workshop(slug)
    form = SearchForm(request.GET if "q" in request.GET else None)
    results, query = None, request.GET.get("q", "")
    if form.is_valid():
        query = form.cleaned_data["q"]
        results = workshop_search(workshop, query)
    return render(
        request,
        "progress/search.html",
        {
            "workshop": workshop,
            "form": form,
            "results": results,
            "query": query,
            "error": next(iter(form.errors.get("q", [])), ""),
            "results_per_kind": SEARCH_RESULTS_PER_KIND,
        },
    )


@require_safe
def report(request, slug):
    """The published report back: the narrative and figures as they were when it was published.
    A report not yet published is not found."""
    workshop = published_workshop(slug)
    found = reports.published_report(workshop)
    if found is None:
        raise Http404
    return render(
        request,
        "progress/report.html",
        {
            "workshop": workshop,
            "report": found,
            "content": found.published,
            "figures": reports.readable(found.published["figures"]),
        },
    )


def _workshop_to_report_on(request, slug) -> Workshop:
    return get_object_or_404(workshops_for(request.user).select_related("report"), slug=slug)


@role_required(may_run_workshops)
def report_edit(request, slug):
    """The organisers write the report's narrative, and may move its date."""
    workshop = _workshop_to_report_on(request, slug)
    draft = getattr(workshop, "report", None) or WorkshopReport(workshop=workshop)
    form = ReportForm(
        request.POST or None, instance=draft, rule_date=default_due_date(workshop.date)
    )
    if request.method == "POST" and form.is_valid():
        report_save(workshop=workshop, by=request.user, **form.cleaned_data)
        return redirect("progress:report_preview", slug=workshop.slug)
    return render(
        request,
        "progress/report_form.html",
        {"form": form, "workshop": workshop, "report": draft, "page_title": _("Write the report")},
    )


@role_required(may_run_workshops)
def report_preview(request, slug):
    """The report as publishing it now would freeze it, with the button that does."""
    workshop = _workshop_to_report_on(request, slug)
    draft = getattr(workshop, "report", None)
    if draft is None:
        return redirect("progress:report_edit", slug=workshop.slug)
    form = ConfirmForm(
        request.POST if request.method == "POST" else None,
        submit_label=_("Publish the report again") if draft.is_published else _("Publish report"),
    )
    if request.method == "POST" and form.is_valid():
        report_publish(workshop=workshop, by=request.user)
        messages.success(request, _("Report published"))
        if workshop.is_published:
            return redirect("progress:report", slug=workshop.slug)
        return redirect("progress:report_preview", slug=workshop.slug)
    return render(
        request,
        "progress/report_preview.html",
        {
            "form": form,
            "workshop": workshop,
            "report": draft,
            "content": {"introduction": draft.introduction, "next_steps": draft.next_steps},
            "figures": reports.readable(reports.report_figures(workshop)),
        },
    )


@require_safe
def recurring_themes(request):
    """What people said at workshop after workshop, from published workshops' public notes."""
    return render(
        request, "progress/recurring_themes.html", {"summaries": recurring_summaries(public=True)}
    )


@require_safe
def recurring_theme(request, slug):
    """One recurring theme: the published workshops that raised it, what was said and what was
    done each time. Not found until a public note of a published workshop is in it."""
    recurring = get_object_or_404(RecurringTheme.objects.select_related("area"), slug=slug)
    [history] = recurring_histories([recurring], public=True)
    if not history.occurrences:
        raise Http404
    return render(request, "progress/recurring_theme.html", {"history": history})
