import logging

from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from feedback_site.hostile_input import render_bad_request
from workshops.roles import is_facilitator, is_organiser, is_owner

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


def bad_request(request, exception=None):
    """Oversized or malformed requests, and unknown hosts, in the service's own layout."""
    return render_bad_request(request)


def csrf_failure(request, reason=""):
    """Explain an expired or missing form token in plain words, in the service's own layout."""
    return render(request, "403_csrf.html", status=403)


@login_required
@require_safe
def signed_in(request):
    """Where signing in lands when no page was asked for: each role's own starting page."""
    user = request.user
    if is_organiser(user):
        return redirect("workshops:workshop_list")
    if is_facilitator(user):
        return redirect("workshops:group_list")
    if is_owner(user):
        return redirect("actions:action_list")
    return redirect("workshops:workshop_list")
