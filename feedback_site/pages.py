"""The pages every GOV.UK service has: accessibility statement, privacy notice, cookies and
feedback. What they say about cookies and retention is read from the settings, so it stays true
when a setting changes."""

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.messages.storage.fallback import FallbackStorage
from django.shortcuts import render
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_safe


def duration(seconds: int) -> str:
    """A length of time in the largest whole unit people read easily: "12 hours", "2 years"."""
    units = (
        (365 * 86400, lambda n: ngettext("%(count)d year", "%(count)d years", n)),
        (7 * 86400, lambda n: ngettext("%(count)d week", "%(count)d weeks", n)),
        (86400, lambda n: ngettext("%(count)d day", "%(count)d days", n)),
        (3600, lambda n: ngettext("%(count)d hour", "%(count)d hours", n)),
    )
    for size, words in units:
        if seconds >= size and seconds % size == 0:
            count = seconds // size
            return words(count) % {"count": count}
    count = max(1, seconds // 60)
    return ngettext("%(count)d minute", "%(count)d minutes", count) % {"count": count}


def _days(days: int) -> str:
    return duration(days * 86400)


def cookies_set() -> list[dict]:
    """Every cookie the service can set, as its settings have it: all essential, none tracking."""
    session_ends = (
        _("When you sign out, or when you close your browser.")
        if settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
        else _("When you sign out, or after %(duration)s.")
        % {"duration": duration(settings.SESSION_COOKIE_AGE)}
    )
    idle = _("A signed-in session also ends after %(duration)s without using the service.") % {
        "duration": duration(settings.SESSION_IDLE_TIMEOUT)
    }
    cookies = [
        {
            "name": settings.SESSION_COOKIE_NAME,
            "purpose": _(
                "Keeps you signed in, and keeps what you typed when a form had expired so "
                "it can be filled in again."
            ),
            "expires": f"{session_ends} {idle}",
        },
        {
            "name": settings.LANGUAGE_COOKIE_NAME,
            "purpose": _(
                "Remembers whether you chose English or Welsh, once you use the language links "
                "at the top of the page."
            ),
            "expires": _("After %(duration)s")
            % {"duration": duration(settings.LANGUAGE_COOKIE_AGE)},
        },
    ]
    if not settings.CSRF_USE_SESSIONS:
        cookies.append(
            {
                "name": settings.CSRF_COOKIE_NAME,
                "purpose": _(
                    "Makes sure forms you send come from this service and not from another website."
                ),
                "expires": _("After %(duration)s")
                % {"duration": duration(settings.CSRF_COOKIE_AGE)}
                if settings.CSRF_COOKIE_AGE
                else _("When you close your browser"),
            }
        )
    # The fallback storage (Django's default) keeps messages in a cookie until they are too big.
    if issubclass(import_string(settings.MESSAGE_STORAGE), (CookieStorage, FallbackStorage)):
        cookies.append(
            {
                "name": CookieStorage.cookie_name,
                "purpose": _(
                    "Shows a message on the next page, such as “Notes added”, "
                    "after you send a form."
                ),
                "expires": _("When the message has been shown, or when you close your browser"),
            }
        )
    return cookies


def _page(request, template: str, title: str, **context):
    return render(request, template, {"page_title": title, **context})


@require_safe
def accessibility(request):
    return _page(request, "pages/accessibility.html", _("Accessibility statement"))


@require_safe
def privacy(request):
    return _page(
        request,
        "pages/privacy.html",
        _("Privacy notice"),
        follower_retention=_days(settings.FOLLOWER_RETENTION_DAYS),
        asker_retention=_days(settings.ASKER_RETENTION_DAYS),
        sign_in_record_retention=_days(settings.SIGN_IN_RECORD_RETENTION_DAYS),
        follow_confirm_hours=settings.FOLLOW_CONFIRM_MAX_AGE_HOURS,
        sign_in_link_minutes=settings.SESAME_MAX_AGE // 60,
    )


@require_safe
def cookies(request):
    return _page(request, "pages/cookies.html", _("Cookies"), cookies=cookies_set())


@require_safe
def feedback(request):
    return _page(request, "pages/feedback.html", _("Give feedback"))
