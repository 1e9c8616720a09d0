"""Sign people out after a spell of inactivity, and after a fixed time however active they are.

The last activity is written to the session at most once a minute, so a busy page does not write
the session on every request. Pages warn before the end and offer to extend (WCAG 2.2.1).
"""

import math
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY as USER_ID_KEY
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.shortcuts import resolve_url
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

LAST_ACTIVITY_KEY = "last_activity"
SIGNED_IN_AT_KEY = "signed_in_at"
ACTIVITY_WRITE_INTERVAL_SECONDS = 60


def is_signed_in(session) -> bool:
    return USER_ID_KEY in session


def seconds_left(session, now: float) -> float:
    """Seconds until this signed-in session ends, through inactivity or the absolute limit."""
    idle_end = session.get(LAST_ACTIVITY_KEY, now) + settings.SESSION_IDLE_TIMEOUT
    absolute_end = session.get(SIGNED_IN_AT_KEY, now) + settings.SESSION_ABSOLUTE_TIMEOUT
    return min(idle_end, absolute_end) - now


def whole_seconds_left(session) -> int:
    """Seconds left, rounded up: a page's timer must never announce the end before it comes."""
    return math.ceil(seconds_left(session, time.time()))


def end_reason(session, now: float) -> str:
    """Why the session has ended, in words for the person; empty while it has not."""
    if now - session.get(SIGNED_IN_AT_KEY, now) >= settings.SESSION_ABSOLUTE_TIMEOUT:
        hours = settings.SESSION_ABSOLUTE_TIMEOUT // 3600
        return _("You have been signed out because you were signed in for %(hours)d hours.") % {
            "hours": hours
        }
    if now - session.get(LAST_ACTIVITY_KEY, now) >= settings.SESSION_IDLE_TIMEOUT:
        minutes = settings.SESSION_IDLE_TIMEOUT // 60
        return _(
            "You have been signed out because you had not used the service for %(minutes)d "
            "minutes. Sign in again to carry on."
        ) % {"minutes": minutes}
    return ""


def record_activity(session, now: float, *, force: bool = False) -> None:
    """Note that the person is here; written at most once a minute unless forced."""
    session.setdefault(SIGNED_IN_AT_KEY, now)
    if force or now - session.get(LAST_ACTIVITY_KEY, 0) >= ACTIVITY_WRITE_INTERVAL_SECONDS:
        session[LAST_ACTIVITY_KEY] = now


def start_session_clock(sender, request, user, **kwargs):
    """At sign-in both clocks start, so the first pages after it write nothing more."""
    if request is not None and hasattr(request, "session"):
        record_activity(request.session, time.time(), force=True)
        request.session[SIGNED_IN_AT_KEY] = request.session[LAST_ACTIVITY_KEY]


class IdleTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if is_signed_in(request.session):
            now = time.time()
            reason = end_reason(request.session, now)
            if not reason:
                record_activity(request.session, now)
            else:
                logout(request)
                messages.info(request, reason)
                if request.path != resolve_url(settings.LOGIN_URL):
                    return redirect_to_login(request.get_full_path())
        return self.get_response(request)


@login_required
@require_POST
def session_extend(request):
    """Stay signed in: restart the inactivity clock and say when the session now ends."""
    record_activity(request.session, time.time(), force=True)
    return JsonResponse({"expires_in": whole_seconds_left(request.session)})


def session_timeout(request):
    """Template context: seconds left for a signed-in session (None when signed out)."""
    session = getattr(request, "session", None)
    if session is None or not is_signed_in(session):
        return {"session_seconds_left": None}
    return {
        "session_seconds_left": whole_seconds_left(session),
        "session_warning_seconds": settings.SESSION_TIMEOUT_WARNING,
    }
