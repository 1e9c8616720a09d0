"""Every rate limit the service applies, each a named function counting requests in the cache.

Sign-in failures are counted by django-axes (accounts/throttle.py); everything else is here."""

import hashlib

from django.conf import settings
from django.core.cache import cache

from feedback_site.emails import normalise_email


def over_rate_limit(*keys: str, limit: int, window: int) -> bool:
    """Count one request against each key; true if any has passed `limit` in `window` seconds."""
    over = False
    for key in keys:
        cache.add(key, 0, window)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, window)
            count = 1
        over = over or count > limit
    return over


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


def _emailed_link_limit_reached(request, purpose: str, email: str) -> bool:
    """Count one request for an emailed link against the email address and the client's
    address, whether or not the email belongs to anyone."""
    limit, window = settings.SIGN_IN_LINK_RATE
    return over_rate_limit(
        f"{purpose}:email:{_email_key(email)}",
        f"{purpose}:ip:{client_address(request)}",
        limit=limit,
        window=window,
    )


def sign_in_link_limit_reached(request, email: str) -> bool:
    """Sign-in links asked for one address, or from one client, in the last 15 minutes."""
    return _emailed_link_limit_reached(request, "sign-in-link", email)


def password_reset_limit_reached(request, email: str) -> bool:
    """Password reset links asked for one address, or from one client, in the last 15 minutes."""
    return _emailed_link_limit_reached(request, "password-reset", email)


def follow_request_limit_reached(email: str) -> bool:
    """Confirmation emails asked for one address in the last hour. Keyed on the address, not the
    visitor's IP, which behind a proxy is everyone's."""
    return over_rate_limit(
        f"follow-requests:{_email_key(email)}",
        limit=settings.FOLLOW_REQUESTS_PER_HOUR,
        window=60 * 60,
    )
