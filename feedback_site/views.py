import logging
import secrets
import sys

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_safe
from django_otp import user_has_device

from actions.sign_in import safe_next
from feedback_site import two_factor, typed_input
from feedback_site.hostile_input import render_bad_request
from feedback_site.outage import DATABASE_UNAVAILABLE, outage_response
from feedback_site.sign_in_throttle import over_emailed_link_limit
from workshops.forms import ConfirmAuthenticatorForm, SecurityCodeForm
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


def _next_or_start(request) -> str:
    return safe_next(request, request.GET.get("next", ""), fallback="signed_in")


@login_required
@never_cache
@sensitive_post_parameters("code")
def two_factor_setup(request):
    """Add an authenticator app: scan the QR code (or type the key), confirm with a code, then
    see the backup codes once."""
    if user_has_device(request.user):
        return redirect(f"{reverse('two_factor_verify')}?{request.GET.urlencode()}")
    device = two_factor.authenticator_device_to_set_up(request.user)
    form = ConfirmAuthenticatorForm(request.POST or None, device=device)
    if form.is_valid():
        backup_codes = two_factor.authenticator_device_confirm(device=device)
        two_factor.start_verified_session(request, device)
        return render(
            request,
            "registration/two_factor_backup_codes.html",
            {
                "page_title": "Save your backup codes",
                "backup_codes": backup_codes,
                "next": _next_or_start(request),
            },
        )
    return render(
        request,
        "registration/two_factor_setup.html",
        {
            "page_title": "Set up two-factor authentication",
            "form": form,
            "qr_code": two_factor.qr_code_data_uri(device),
            "key": two_factor.key_as_text(device),
        },
    )


@login_required
@never_cache
@sensitive_post_parameters("code")
def two_factor_verify(request):
    """Enter a code from the authenticator app, or a backup code."""
    if not user_has_device(request.user):
        return redirect(f"{reverse('two_factor_setup')}?{request.GET.urlencode()}")
    form = SecurityCodeForm(request.POST or None, user=request.user)
    if form.is_valid():
        two_factor.start_verified_session(request, form.device)
        return redirect(_next_or_start(request))
    return render(
        request,
        "registration/two_factor_verify.html",
        {"page_title": "Enter your security code", "form": form},
    )


class ResetPasswordView(auth_views.PasswordResetView):
    """Django's reset request, counted like sign-in links so that it cannot flood an inbox."""

    def form_valid(self, form):
        if over_emailed_link_limit(self.request, "password-reset", form.cleaned_data["email"]):
            form.add_error(
                "email",
                "You have asked for too many password reset links. Wait 15 minutes, then try again",
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().form_valid(form)
