"""The pages every GOV.UK service has: accessibility statement, privacy notice, cookies and
feedback. What they say about cookies and retention is read from the settings, so it stays true
when a setting changes."""

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.messages.storage.fallback import FallbackStorage
from django.shortcuts import render
from django.utils.module_loading import import_string
from django.views.decorators.http import require_safe


def duration(seconds: int) -> str:
    """A length of time in the largest whole unit people read easily: "12 hours", "2 years"."""
    for unit, size in (("year", 365 * 86400), ("week", 7 * 86400), ("day", 86400)):
        if seconds >= size and seconds % size == 0:
            count = seconds // size
            return f"{count} {unit}{'' if count == 1 else 's'}"
    if seconds % 3600 == 0:
        count = seconds // 3600
        return f"{count} hour{'' if count == 1 else 's'}"
    count = max(1, seconds // 60)
    return f"{count} minute{'' if count == 1 else 's'}"


def _days(days: int) -> str:
    return duration(days * 86400)


def cookies_set() -> list[dict]:
    """Every cookie the service can set, as its settings have it: all essential, none tracking."""
    session_ends = (
        "when you close your browser"
        if settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
        else f"after {duration(settings.SESSION_COOKIE_AGE)}"
    )
    cookies = [
        {
            "name": settings.SESSION_COOKIE_NAME,
            "purpose": "Keeps you signed in, and keeps what you typed when a form had expired so "
            "it can be filled in again.",
            "expires": f"When you sign out, or {session_ends}. A signed-in session also ends "
            f"after {duration(settings.SESSION_IDLE_TIMEOUT)} without using the service.",
        },
    ]
    if not settings.CSRF_USE_SESSIONS:
        cookies.append(
            {
                "name": settings.CSRF_COOKIE_NAME,
                "purpose": "Makes sure forms you send come from this service and not from "
                "another website.",
                "expires": f"After {duration(settings.CSRF_COOKIE_AGE)}"
                if settings.CSRF_COOKIE_AGE
                else "When you close your browser",
            }
        )
    # The fallback storage (Django's default) keeps messages in a cookie until they are too big.
    if issubclass(import_string(settings.MESSAGE_STORAGE), (CookieStorage, FallbackStorage)):
        cookies.append(
            {
                "name": CookieStorage.cookie_name,
                "purpose": "Shows a message on the next page, such as \u201cNotes added\u201d, "
                "after you send a form.",
                "expires": "When the message has been shown, or when you close your browser",
            }
        )
    return cookies


def _page(request, template: str, title: str, **context):
    return render(request, template, {"page_title": title, **context})


@require_safe
def accessibility(request):
    return _page(request, "pages/accessibility.html", "Accessibility statement")


@require_safe
def privacy(request):
    return _page(
        request,
        "pages/privacy.html",
        "Privacy notice",
        follower_retention=_days(settings.FOLLOWER_RETENTION_DAYS),
        asker_retention=_days(settings.ASKER_RETENTION_DAYS),
        sign_in_record_retention=_days(settings.SIGN_IN_RECORD_RETENTION_DAYS),
        follow_confirm_hours=settings.FOLLOW_CONFIRM_MAX_AGE_HOURS,
        sign_in_link_minutes=settings.SESAME_MAX_AGE // 60,
    )


@require_safe
def cookies(request):
    return _page(request, "pages/cookies.html", "Cookies", cookies=cookies_set())


@require_safe
def feedback(request):
    return _page(request, "pages/feedback.html", "Give feedback")
