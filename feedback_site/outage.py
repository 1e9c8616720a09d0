"""Pages that keep working, in a small way, while the database is away.

When the database cannot be reached every page answers 503 with `Retry-After`, and a form that was
being sent is shown back so nothing typed is lost. Nothing here touches the database: the session
and the signed-in user live there too.
"""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader

from feedback_site.typed_input import typed_for_reading

logger = logging.getLogger(__name__)

# Raised when the database is down, unreachable, or gave up on a statement or a lock.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30


def outage_response(request) -> HttpResponse:
    """The 503 page, with anything the person was sending written out for them to copy."""
    typed = typed_for_reading(request.POST) if request.method == "POST" else []
    body = loader.render_to_string("503.html", {"typed": typed})
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseOutageMiddleware:
    """Answer 503 instead of 500 when a view finds the database unavailable."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_UNAVAILABLE):
            logger.warning("Database unavailable: %s %s answered 503", request.method, request.path)
            return outage_response(request)
        return None
