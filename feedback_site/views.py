import logging
import secrets
import sys

from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from feedback_site import typed_input
from feedback_site.hostile_input import render_bad_request
from feedback_site.outage import DATABASE_UNAVAILABLE, outage_response

logger = logging.getLogger(__name__)


@require_safe
@never_cache
def healthz(request):
    """200 when the database answers a query, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("Health check: the database did not answer")
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


def server_error(request):
    """A generic page with a short reference that is logged with the exception; never a
    traceback. A database outage found outside a view still answers 503."""
    exception = sys.exception()
    if isinstance(exception, DATABASE_UNAVAILABLE):
        return outage_response(request)
    reference = secrets.token_hex(4).upper()
    logger.error(
        "Server error %s on %s %s",
        reference,
        request.method,
        request.path,
        exc_info=exception,
        extra={"error_reference": reference},
    )
    page = loader.render_to_string("500.html", {"reference": reference})
    response = HttpResponse(page, status=500)
    response["X-Error-Reference"] = reference
    return response


def bad_request(request, exception=None):
    """Oversized or malformed requests, and unknown hosts, in the service's own layout."""
    return render_bad_request(request)


def csrf_failure(request, reason=""):
    """Explain an expired or missing form token in plain words, in the service's own layout, and
    give back what was typed: shown here, and filled in again when the form is next opened."""
    same_origin = typed_input.is_same_origin(request)
    context = {
        "typed": typed_input.typed_for_reading(request.POST) if same_origin else [],
        "kept": same_origin and typed_input.stash(request),
        "form_path": request.path,
    }
    return render(request, "403_csrf.html", context, status=403)
