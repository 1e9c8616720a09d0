import logging
import secrets
import sys

from django.core.cache import cache
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


def _cache_answers() -> bool:
    """Whether a value written to the cache reads back: the shared cache answers a miss, never
    an error, while Redis is away (feedback_site/cache.py), so only a round trip tells."""
    key, value = f"readyz:{secrets.token_hex(8)}", secrets.token_hex(8)
    cache.set(key, value, 10)
    answered = cache.get(key) == value
    cache.delete(key)
    return answered


@require_safe
@never_cache
def readyz(request):
    """200 when this instance can serve everything: the database answers and the cache keeps
    what it is given; 503 naming what does not. For rollouts and orchestrators; load balancers
    route on /healthz, since pages still answer without the cache."""
    checks = {"database": True, "cache": _cache_answers()}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("Readiness check: the database did not answer")
        checks["database"] = False
    if not checks["cache"]:
        logger.warning("Readiness check: the cache did not keep a value")
    body = "".join(f"{name} {'ok' if ok else 'unavailable'}\n" for name, ok in checks.items())
    return HttpResponse(
        body, status=200 if all(checks.values()) else 503, content_type="text/plain"
    )


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
