"""Every rate limit the service applies, each a named function counting requests in the cache.

Sign-in failures are counted by django-axes in the database (accounts/throttle.py); everything
else is here. When the cache cannot count (Redis is down), each limit says whether it refuses or
allows: every limit that guards an email sent to someone's inbox refuses, and says why
(`Verdict.UNCOUNTABLE`); the online form's limits allow, since what it stores waits for review
and sends nothing by itself. Reading public pages is never limited."""

import enum
import hashlib

from django.conf import settings
from django.core.cache import cache

from feedback_site.cache import CacheUnavailable
from feedback_site.emails import normalise_email


class Verdict(enum.Enum):
    """A rate limit's answer; true when the request is refused."""

    ALLOWED = "allowed"
    OVER_LIMIT = "over the limit"
    # The cache could not count, and this limit refuses rather than let requests through.
    UNCOUNTABLE = "cannot count"

    def __bool__(self) -> bool:
        return self is not Verdict.ALLOWED


def over_rate_limit(*keys: str, limit: int, window: int, refuse_uncounted: bool) -> Verdict:
    """Count one request against each key: over the limit if any has passed `limit` in `window`
    seconds. If the cache cannot count, UNCOUNTABLE when `refuse_uncounted`, else ALLOWED."""
    over = False
    try:
        for key in keys:
            cache.add(key, 0, window)
            try:
                count = cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.set(key, 1, window)
                count = 1
            over = over or count > limit
    except CacheUnavailable:
        return Verdict.UNCOUNTABLE if refuse_uncounted else Verdict.ALLOWED
    return Verdict.OVER_LIMIT if over else Verdict.ALLOWED


def refused_for_now(response):
    """A form refused because its limit cannot be counted (the cache is down): the page with its
    message, as 503 with a time to try again."""
    response.status_code = 503
    response["Retry-After"] = "60"
    return response


def client_address(request) -> str:
    """The address the nearest trusted proxy saw. Proxies append to X-Forwarded-For, so only the
    right-most entries are theirs; anything further left is whatever the client chose to send."""
    hops = settings.TRUSTED_PROXY_COUNT
    if hops:
        header = request.META.get("HTTP_X_FORWARDED_FOR", "")
        forwarded = [part.strip() for part in header.split(",")]
        if len(forwarded) >= hops and forwarded[-hops]:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR", "")


def _email_key(email: str) -> str:
    return hashlib.sha256(normalise_email(email).encode()).hexdigest()


def _emailed_link_limit_reached(request, purpose: str, email: str) -> Verdict:
    """Count one request for an emailed link against the email address and the client's
    address, whether or not the email belongs to anyone. Refused if it cannot be counted."""
    limit, window = settings.SIGN_IN_LINK_RATE
    return over_rate_limit(
        f"{purpose}:email:{_email_key(email)}",
        f"{purpose}:ip:{client_address(request)}",
        limit=limit,
        window=window,
        refuse_uncounted=True,
    )


def sign_in_link_limit_reached(request, email: str) -> Verdict:
    """Sign-in links asked for one address, or from one client, in the last 15 minutes."""
    return _emailed_link_limit_reached(request, "sign-in-link", email)


def password_reset_limit_reached(request, email: str) -> Verdict:
    """Password reset links asked for one address, or from one client, in the last 15 minutes."""
    return _emailed_link_limit_reached(request, "password-reset", email)


def _confirmations_limit_reached(purpose: str, email: str) -> Verdict:
    """Confirmation emails asked for one address in the last hour. Keyed on the address, not the
    visitor's IP, which behind a proxy is everyone's. Refused if it cannot be counted."""
    return over_rate_limit(
        f"{purpose}:{_email_key(email)}",
        limit=settings.FOLLOW_REQUESTS_PER_HOUR,
        window=60 * 60,
        refuse_uncounted=True,
    )


def follow_request_limit_reached(email: str) -> Verdict:
    """Emails confirming a follow sent to one address in the last hour."""
    return _confirmations_limit_reached("follow-requests", email)


def asker_confirmation_limit_reached(email: str) -> Verdict:
    """Emails confirming an asker's address sent to one address in the last hour."""
    return _confirmations_limit_reached("asker-confirmations", email)


def online_contributions_from_address_limit_reached(request) -> Verdict:
    """Questions and views sent online from one client address in the last hour, to any
    workshop."""
    return over_rate_limit(
        f"online-contributions:ip:{client_address(request)}",
        limit=settings.ONLINE_CONTRIBUTIONS_PER_ADDRESS_PER_HOUR,
        window=60 * 60,
        refuse_uncounted=False,
    )


def online_contributions_to_workshop_limit_reached(workshop_id: int) -> Verdict:
    """Questions and views sent online to one workshop in the last hour, from anyone: a flood
    from many addresses stops before it buries the triagers."""
    return over_rate_limit(
        f"online-contributions:workshop:{workshop_id}",
        limit=settings.ONLINE_CONTRIBUTIONS_PER_WORKSHOP_PER_HOUR,
        window=60 * 60,
        refuse_uncounted=False,
    )
