"""Sign-in throttling with django-axes: who is counting (the address and the username), and what
a locked-out visitor sees."""

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.db.models import Sum
from django.shortcuts import render
from django.utils.translation import gettext as _

from feedback_site.emails import normalise_email


def sign_in_username(request, credentials: dict | None) -> str | None:
    """Case and surrounding space variants of one email address share a counter."""
    username = (request.POST if credentials is None else credentials).get("username")
    return normalise_email(username) or None


def _failures(attempts) -> int:
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


class SignInThrottle(AxesDatabaseHandler):
    """Counts failures by username and by address, each against its own limit, so one attacker
    guessing one account does not lock out a bystander who shares the address."""

    def get_failures(self, request, credentials: dict | None = None) -> int:
        """How many of the two limits this request has reached (axes locks out at one)."""
        recent = AccessAttempt.objects.filter(attempt_time__gte=get_cool_off_threshold(request))
        username = get_client_username(request, credentials)
        by_username = _failures(recent.filter(username=username)) if username else 0
        by_address = _failures(recent.filter(ip_address=request.axes_ip_address))
        return int(by_username >= settings.SIGN_IN_FAILURES_PER_USERNAME) + int(
            by_address >= settings.SIGN_IN_FAILURES_PER_ADDRESS
        )


def locked_out(request, original_response=None, credentials=None):
    """The same page whether or not the account exists."""
    return render(
        request,
        "registration/locked_out.html",
        {
            "page_title": _("You have tried to sign in too many times"),
            "minutes": settings.SIGN_IN_COOL_OFF_MINUTES,
        },
        status=429,
    )


def sign_in_records_delete(*, before) -> int:
    """Delete the records of sign-ins and failed sign-ins (address typed, IP address, browser)
    made before this moment, as the privacy notice promises; returns how many went."""
    deleted = 0
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        count, _ = model.objects.filter(attempt_time__lt=before).delete()
        deleted += count
    return deleted
