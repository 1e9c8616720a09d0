"""Where signing in lands, the second factor, and password resets."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_safe
from django_otp import user_has_device

from accounts import two_factor
from accounts.forms import ConfirmAuthenticatorForm, SecurityCodeForm
from accounts.roles import is_facilitator, is_organiser, is_owner
from accounts.sign_in import safe_next
from accounts.tasks import password_reset_send
from feedback_site.jobs import enqueue_on_commit
from feedback_site.rate_limits import Verdict, password_reset_limit_reached, refused_for_now


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
                "page_title": _("Save your backup codes"),
                "backup_codes": backup_codes,
                "next": _next_or_start(request),
            },
        )
    return render(
        request,
        "registration/two_factor_setup.html",
        {
            "page_title": _("Set up two-factor authentication"),
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
    backup = "backup" in request.GET
    form = SecurityCodeForm(request.POST or None, user=request.user, backup=backup)
    if form.is_valid():
        two_factor.start_verified_session(request, form.device)
        return redirect(_next_or_start(request))
    other_way = request.GET.copy()
    if backup:
        del other_way["backup"]
    else:
        other_way["backup"] = "1"
    return render(
        request,
        "registration/two_factor_verify.html",
        {
            "page_title": _("Enter a backup code") if backup else _("Enter your security code"),
            "form": form,
            "backup": backup,
            "other_way_query": other_way.urlencode(),
        },
    )


class ResetPasswordView(auth_views.PasswordResetView):
    """Django's reset request, counted like sign-in links so that it cannot flood an inbox, with
    the email sent by a job."""

    def form_valid(self, form):
        if verdict := password_reset_limit_reached(self.request, form.cleaned_data["email"]):
            if verdict is Verdict.UNCOUNTABLE:
                form.add_error(
                    "email",
                    _(
                        "Password reset links cannot be sent at the moment. "
                        "Try again in a few minutes"
                    ),
                )
                return refused_for_now(self.render_to_response(self.get_context_data(form=form)))
            form.add_error(
                "email",
                _(
                    "You have asked for too many password reset links. "
                    "Wait 15 minutes, then try again"
                ),
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        # The job looks the address up and sends, so known and unknown addresses take the same
        # time here.
        enqueue_on_commit(
            password_reset_send,
            email=form.cleaned_data["email"],
            domain=self.request.get_host(),
            use_https=self.request.is_secure(),
        )
        return HttpResponseRedirect(self.get_success_url())
