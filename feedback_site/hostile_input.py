"""Refuse requests whose text no page could store or show: a 400, before anything reads them.

PostgreSQL cannot hold a NUL character in text, so a NUL that reached a query would be a 500;
invalid UTF-8 would be silently replaced with U+FFFD further in. Both are refused here, in the
path, the query string, a form-encoded body, every header and every cookie.
"""

from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext as _

FORM_ENCODED = "application/x-www-form-urlencoded"


def _raw_bytes(value: str) -> bytes:
    """The bytes a WSGI server received, which it hands over decoded as Latin-1."""
    try:
        return value.encode("iso-8859-1")
    except UnicodeEncodeError:
        return value.encode("utf-8")


def is_clean_text(raw: bytes) -> bool:
    """Valid UTF-8 without a NUL character."""
    if b"\x00" in raw:
        return False
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def is_clean_encoded(encoded: bytes) -> bool:
    """A percent-encoded path, query string or form body that decodes to clean text."""
    return is_clean_text(unquote_to_bytes(encoded.replace(b"+", b" ")))


def hostile_part(request) -> str | None:
    """The name of the first part of the request that is not clean text, or None."""
    meta = request.META
    query = _raw_bytes(meta.get("QUERY_STRING", ""))
    if len(query) > settings.MAX_QUERY_STRING_LENGTH:
        return "query string (too long)"
    # Servers hand over the path decoded; decoding again also catches a test client's escapes.
    if not is_clean_encoded(_raw_bytes(meta.get("PATH_INFO", ""))):
        return "path"
    if not is_clean_encoded(query):
        return "query string"
    for name, value in meta.items():
        if name.startswith("HTTP_") and not is_clean_text(_raw_bytes(value)):
            return f"header {name}"
    # A quoted cookie value can carry an octal escape that becomes NUL once parsed.
    if not all(is_clean_text(_raw_bytes(value)) for value in request.COOKIES.values()):
        return "cookie"
    if request.content_type == FORM_ENCODED and not is_clean_encoded(request.body):
        return "form data"
    return None


def render_bad_request(request, status: int = 400):
    return render(
        request, "400.html", {"page_title": _("Sorry, there is a problem")}, status=status
    )


class HostileInputMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if hostile_part(request) is not None:
            return render_bad_request(request)
        return self.get_response(request)
