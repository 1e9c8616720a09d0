import hashlib
import io

import segno
from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.http import base36_to_int, int_to_base36
from django.views.decorators.http import require_safe

from actions import exports, following, progress_cache
from actions.progress import workshop_progress
from actions.rate_limits import over_rate_limit
from workshops.forms import ConfirmForm, FollowForm
from workshops.models import Workshop
from workshops.services import follower_confirm, follower_unsubscribe


def published_workshop(slug: str) -> Workshop:
    """A published workshop; drafts are not found, so the public learns nothing of them."""
    return get_object_or_404(Workshop.objects.published(), slug=slug)


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
    context = {
        "progress": workshop_progress(workshop),
        "short_url": request.build_absolute_uri(short_path(workshop)),
    }
    return render(request, "actions/workshop_progress.html", context)


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


def _too_many_follow_requests(email: str) -> bool:
    """A modest limit per address per hour, so the form cannot be used to flood an inbox. Keyed
    on the address, not the visitor's IP, which behind a proxy is everyone's."""
    key = "follow-requests:" + hashlib.sha256(email.strip().lower().encode()).hexdigest()
    return over_rate_limit(key, limit=settings.FOLLOW_REQUESTS_PER_HOUR, window=60 * 60)


def follow(request, slug):
    workshop = published_workshop(slug)
    form = FollowForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _too_many_follow_requests(form.cleaned_data["email"]):
            form.refuse_too_many()
        else:
            following.send_confirmation(
                workshop=workshop,
                email=form.cleaned_data["email"],
                site_url=request.build_absolute_uri("/").rstrip("/"),
            )
            return redirect("progress:follow_sent", slug=workshop.slug)
    return render(
        request,
        "actions/follow_form.html",
        {"form": form, "workshop": workshop, "page_title": "Get updates on this workshop"},
    )


@require_safe
def follow_sent(request, slug):
    """The same answer whether or not the address already follows, so it reveals nothing."""
    workshop = published_workshop(slug)
    return render(
        request,
        "actions/follow_sent.html",
        {
            "workshop": workshop,
            "page_title": "Check your email",
            "hours": settings.FOLLOW_CONFIRM_MAX_AGE_HOURS,
        },
    )


def _link_problem(request, workshop, problem: str):
    return render(
        request,
        "actions/follow_link_problem.html",
        {"workshop": workshop, "page_title": problem},
        status=400,
    )


def follow_confirm(request, slug, token):
    workshop = published_workshop(slug)
    try:
        email = following.email_to_confirm(token, workshop)
    except following.LinkExpired:
        return _link_problem(request, workshop, "This link has expired")
    except following.LinkInvalid:
        return _link_problem(request, workshop, "This link is not valid")
    form = ConfirmForm(request.POST if request.method == "POST" else None, submit_label="Confirm")
    if request.method == "POST" and form.is_valid():
        follower_confirm(workshop=workshop, email=email)
        return render(
            request,
            "actions/follow_done.html",
            {"workshop": workshop, "page_title": "You are following this workshop"},
        )
    return render(
        request,
        "actions/follow_confirm.html",
        {
            "form": form,
            "workshop": workshop,
            "email": email,
            "what": "get a daily email of progress on",
            "page_title": "Confirm updates",
        },
    )


def follow_unsubscribe(request, slug, token):
    workshop = published_workshop(slug)
    try:
        email = following.email_to_unsubscribe(token, workshop)
    except following.LinkInvalid:
        return _link_problem(request, workshop, "This link is not valid")
    form = ConfirmForm(
        request.POST if request.method == "POST" else None, submit_label="Stop emails"
    )
    if request.method == "POST" and form.is_valid():
        follower_unsubscribe(workshop=workshop, email=email)
        return render(
            request,
            "actions/follow_done.html",
            {"workshop": workshop, "page_title": "You will get no more emails"},
        )
    return render(
        request,
        "actions/follow_confirm.html",
        {
            "form": form,
            "workshop": workshop,
            "email": email,
            "what": "stop emails about",
            "page_title": "Stop emails",
        },
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
        buffer, kind="svg", scale=10, border=4, title=f"QR code for {url}", xmldecl=False
    )
    return HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
