"""Counting requests in the cache, to stop a form being used to flood inboxes."""

from django.core.cache import cache


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
