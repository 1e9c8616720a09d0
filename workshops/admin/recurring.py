"""Linking a workshop's theme to a recurring theme: the page a triager meets after creating a
theme (in the workbench or here), and from a theme's own page. Each choice is one button."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from workshops.models import RecurringTheme, RecurringThemeLink, Theme
from workshops.services import (
    RecurringLinkError,
    recurring_theme_proposals,
    recurring_theme_start,
    theme_link_recurring,
    theme_unlink_recurring,
)

START_NEW = "new"
NONE_OF_THESE = "none"
UNLINK = "unlink"


def theme_recurring_url(theme: Theme, next_url: str = "") -> str:
    url = reverse("admin:workshops_theme_recurring", args=[theme.pk])
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def proposals_json(theme: Theme) -> dict:
    """What the workbench's script offers after a save that made this theme."""
    return {
        "url": theme_recurring_url(theme),
        "theme": theme.name,
        "choices": [
            {"id": recurring.pk, "name": recurring.name, "workshops": recurring.workshop_count}
            for recurring in recurring_theme_proposals(theme)
        ],
    }


def safe_next(request, fallback: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return fallback


def apply_choice(request, theme: Theme, choice: str) -> str:
    """Do what the triager chose; the message that says so."""
    if choice == NONE_OF_THESE:
        return f"“{theme}” is not linked to a recurring theme."
    if choice == UNLINK:
        theme_unlink_recurring(theme=theme, by=request.user)
        return f"“{theme}” is no longer linked to a recurring theme."
    if choice == START_NEW:
        recurring = recurring_theme_start(theme=theme, by=request.user)
        return f"Started the recurring theme “{recurring}” with “{theme}”."
    recurring = RecurringTheme.objects.filter(pk=int(choice) if choice.isdigit() else None).first()
    if recurring is None:
        raise RecurringLinkError("Choose a recurring theme from the list")
    theme_link_recurring(theme=theme, recurring=recurring, by=request.user)
    return f"Linked “{theme}” to the recurring theme “{recurring}”."


def theme_recurring_view(model_admin, request, object_id):
    theme = get_object_or_404(Theme.objects.select_related("workshop", "area"), pk=object_id)
    if not model_admin.has_change_permission(request, theme):
        raise PermissionDenied
    back = safe_next(request, reverse("admin:workshops_theme_change", args=[theme.pk]))
    wants_json = "application/json" in request.headers.get("Accept", "")
    error = ""
    if request.method == "POST":
        try:
            message = apply_choice(request, theme, request.POST.get("choice", ""))
        except RecurringLinkError as problem:
            error = str(problem)
            if wants_json:
                return JsonResponse({"ok": False, "error": error}, status=400)
        else:
            if wants_json:
                return JsonResponse({"ok": True, "message": message})
            messages.success(request, message)
            return HttpResponseRedirect(back)
    link = RecurringThemeLink.objects.filter(theme=theme).select_related("recurring_theme").first()
    context = {
        **model_admin.admin_site.each_context(request),
        "title": f"Link “{theme}” to a recurring theme",
        "subtitle": None,
        "opts": model_admin.opts,
        "theme": theme,
        "link": link,
        "proposals": recurring_theme_proposals(theme),
        "error": error,
        "next": back,
        "back_url": reverse("admin:workshops_theme_changelist"),
        "choice_new": START_NEW,
        "choice_none": NONE_OF_THESE,
        "choice_unlink": UNLINK,
        "recurring_list_url": reverse("admin:workshops_recurringtheme_changelist"),
    }
    return TemplateResponse(
        request, "admin/workshops/theme/recurring.html", context, status=400 if error else 200
    )
