"""Keep what someone typed when their session or form token ran out while they were sending it.

The text is stashed in the (new, anonymous) session under the form's path, and the form's view
pre-fills itself from the stash when the person comes back after signing in again.
"""

import time
import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.http import QueryDict
from django.shortcuts import resolve_url
from django.utils.translation import gettext as _

SESSION_KEY = "typed_input"
MAX_FORMS = 5
MAX_AGE_SECONDS = 2 * 60 * 60
# Never kept, under any field name that contains one of these.
SECRET_FIELD_MARKERS = ("password", "token", "csrf", "otp", "secret")


def is_kept_field(name: str) -> bool:
    lowered = name.lower()
    return not any(marker in lowered for marker in SECRET_FIELD_MARKERS)


def typed_text(data: QueryDict) -> dict[str, list[str]]:
    """The posted fields worth keeping: no secrets, no empty ones (files never arrive here)."""
    return {
        name: values
        for name, values in data.lists()
        if is_kept_field(name) and any(value.strip() for value in values)
    }


# Sent with a form but never typed: the button pressed (ours is "submit"; the admin's start with
# "_", as do "_save" and "_continue") and where to go next.
BUTTON_AND_HIDDEN_FIELDS = {"submit", "next", "action", "select_across", "index"}


def is_typed_field(name: str) -> bool:
    return name not in BUTTON_AND_HIDDEN_FIELDS and not name.startswith("_")


def typed_for_reading(data) -> list[tuple[str, str]]:
    """(label, text) for each field typed into the form; buttons, hidden fields and machine keys
    (UUIDs) are left out. They are still kept, so the form comes back as it was sent."""
    return [
        (name.replace("_", " ").capitalize(), value)
        for name, values in typed_text(data).items()
        if is_typed_field(name)
        for value in values
        if not is_uuid(value)
    ]


def is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def is_same_origin(request) -> bool:
    """Whether the browser says the form came from one of our own pages."""
    source = request.headers.get("Origin") or request.headers.get("Referer") or ""
    parts = urlsplit(source)
    return bool(parts.netloc) and parts.netloc == request.get_host()


def stash(request) -> bool:
    """Keep the request's typed text for its path; the newest MAX_FORMS forms are kept."""
    fields = typed_text(request.POST)
    if not fields:
        return False
    now = time.time()
    kept = {
        path: entry
        for path, entry in request.session.get(SESSION_KEY, {}).items()
        if path != request.path and now - entry["at"] < MAX_AGE_SECONDS
    }
    kept[request.path] = {"at": now, "fields": fields}
    newest = sorted(kept.items(), key=lambda item: item[1]["at"])[-MAX_FORMS:]
    request.session[SESSION_KEY] = dict(newest)
    return True


def restore(request) -> dict[str, str | list[str]]:
    """Take back, once, the text stashed for this path: form initial data, or {} if none."""
    stashed = request.session.get(SESSION_KEY)
    if not stashed or request.path not in stashed:
        return {}
    entry = stashed.pop(request.path)
    request.session[SESSION_KEY] = stashed
    if time.time() - entry["at"] >= MAX_AGE_SECONDS:
        return {}
    return {
        name: values[0] if len(values) == 1 else values for name, values in entry["fields"].items()
    }


class StashOnSignInRedirectMiddleware:
    """When a form is sent by someone whose session has ended and the page sends them to sign in,
    keep what they typed for when they come back."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.method == "POST"
            and response.status_code == 302
            and not request.user.is_authenticated
            and is_sign_in_redirect(response)
            # The inactivity check answers before the form token is checked.
            and is_same_origin(request)
            and stash(request)
        ):
            messages.info(
                request, _("Sign in again to go back to your form. What you typed has been kept.")
            )
        return response


def is_sign_in_redirect(response) -> bool:
    return urlsplit(response["Location"]).path == resolve_url(settings.LOGIN_URL)
