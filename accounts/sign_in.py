"""Sign in by a single-use emailed link, for owners who visit rarely and have no password."""

from django.conf import settings
from django.contrib.auth import authenticate, login
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from accounts.forms import EmailSignInForm
from accounts.tasks import sign_in_link_send
from feedback_site.emails import normalise_email
from feedback_site.jobs import enqueue_on_commit
from feedback_site.rate_limits import Verdict, refused_for_now, sign_in_link_limit_reached


def safe_next(request, url: str, fallback: str = "actions:action_list") -> str:
    """The page asked for, if it is on this site; otherwise the named fallback page."""
    if url and url_has_allowed_host_and_scheme(url, {request.get_host()}, request.is_secure()):
        return url
    return reverse(fallback)


@never_cache
def email_sign_in(request):
    """Ask for an email address; say the same thing whether or not it belongs to anyone."""
    form = EmailSignInForm(
        request.POST if request.method == "POST" else None,
        initial={"next": request.GET.get("next", "")},
    )
    context = {"form": form, "page_title": _("Sign in with an email link")}
    if request.method == "POST" and form.is_valid():
        email = normalise_email(form.cleaned_data["email"])
        if verdict := sign_in_link_limit_reached(request, email):
            if verdict is Verdict.UNCOUNTABLE:
                form.add_error(
                    "email",
                    _("Sign-in links cannot be sent at the moment. Try again in a few minutes"),
                )
                return refused_for_now(
                    render(request, "registration/email_sign_in_form.html", context)
                )
            form.add_error(
                "email",
                _("You have asked for too many sign-in links. Wait 15 minutes, then try again"),
            )
            return render(request, "registration/email_sign_in_form.html", context, status=429)
        # Queued for every address: whether an account exists is decided by the job, so this
        # answer takes the same time for known and unknown addresses.
        enqueue_on_commit(
            sign_in_link_send, email=email, next_url=safe_next(request, form.cleaned_data["next"])
        )
        return redirect("email_sign_in_sent")
    return render(request, "registration/email_sign_in_form.html", context)


def email_sign_in_sent(request):
    return render(
        request,
        "registration/email_sign_in_sent.html",
        {"page_title": _("Check your email"), "minutes": settings.SESAME_MAX_AGE // 60},
    )


@never_cache
def email_sign_in_link(request):
    """Sign in with the emailed link. Opening it only asks for a click: mail scanners that open
    links must not use up the single use."""
    token = request.POST.get("sesame") if request.method == "POST" else request.GET.get("sesame")
    user = authenticate(request, sesame=token) if token else None
    if user is None:
        return render(
            request,
            "registration/email_sign_in_invalid.html",
            {"page_title": _("This sign-in link has expired or has already been used")},
            status=400,
        )
    next_url = safe_next(request, request.POST.get("next") or request.GET.get("next", ""))
    if request.method == "POST":
        login(request, user)  # sets the last login, which is what makes the link single-use
        return redirect(next_url)
    return render(
        request,
        "registration/email_sign_in_confirm.html",
        {"page_title": _("Sign in"), "token": token, "next": next_url, "person": user},
    )
