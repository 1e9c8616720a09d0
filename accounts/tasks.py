"""Jobs of signing in: the emailed sign-in link and the password reset email. The requests that
ask for an email only queue its job, with the address as typed, so they do the same work and take
the same time whether or not the account exists. Old sign-in records go with the daily retention
clean-up (progress/tasks.py)."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.views.decorators.debug import sensitive_variables
from sesame.utils import get_query_string

from accounts.forms import ResetPasswordForm
from feedback_site.jobs import job


@sensitive_variables("link")
def send_sign_in_link(user, next_url: str) -> None:
    link = (
        settings.SITE_URL
        + reverse("email_sign_in_link")
        + get_query_string(user)
        + "&"
        + urlencode({"next": next_url})
    )
    EmailMessage(
        subject=gettext("Your sign-in link for %(service)s")
        % {"service": gettext(settings.SERVICE_NAME)},
        body=render_to_string(
            "registration/email_sign_in_email.txt",
            {
                "link": link,
                "minutes": settings.SESAME_MAX_AGE // 60,
                "service_name": gettext(settings.SERVICE_NAME),
            },
        ),
        to=[user.email],
    ).send()


@job
def sign_in_link_send(*, email: str, next_url: str) -> bool:
    """Email a sign-in link if the address belongs to an active account; True if one was sent.
    The link is made when the job runs, so its 15 minutes start then."""
    user = get_user_model().objects.filter(email__iexact=email, is_active=True).first()
    if user is None:
        return False
    send_sign_in_link(user, next_url)
    return True


@job
def password_reset_send(*, email: str, domain: str, use_https: bool) -> None:
    """Email a password reset link to each active account with a usable password at the address,
    through Django's own reset form (nothing is sent for an unknown address)."""
    form = ResetPasswordForm({"email": email})
    if form.is_valid():
        form.save(
            domain_override=domain,
            use_https=use_https,
            extra_email_context={"site_name": gettext(settings.SERVICE_NAME)},
        )
