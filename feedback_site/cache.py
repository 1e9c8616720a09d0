"""The shared cache: Django's own Redis backend, made to answer a miss rather than fail when
Redis cannot be reached, so that a cache outage never becomes an error page.

Reads answer the default and writes are dropped, with a log line. Counting is different: a
counter that silently read zero would wave every request through, so `incr` and `decr` raise
`CacheUnavailable` and each rate limit decides what that means (`feedback_site/rate_limits.py`).
Several services, or test runs, may share one Redis database: `clear` removes only the entries
under this cache's KEY_PREFIX."""

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# What redis-py raises when the server is down, refuses, or does not answer within the socket
# timeouts set in settings.py.
UNREACHABLE = (RedisConnectionError, RedisTimeoutError)

# After a failure a process answers misses without trying Redis for this many seconds: a Redis
# that hangs would otherwise cost every request a socket timeout for each cache call. One log
# line for each pause.
PAUSE_SECONDS = 5


class CacheUnavailable(Exception):
    """The cache cannot be reached, so a count could not be kept."""


def _cannot_count():
    raise CacheUnavailable


class ForgivingRedisCache(RedisCache):
    """RedisCache whose reads miss and whose writes are dropped while Redis is unreachable."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._paused_until = 0.0

    def _or_else(self, operation: str, call, fallback):
        """`call()`, or `fallback()` when Redis cannot be reached or could not be lately."""
        if time.monotonic() < self._paused_until:
            return fallback()
        try:
            return call()
        except UNREACHABLE as error:
            self._paused_until = time.monotonic() + PAUSE_SECONDS
            logger.warning(
                "Cache unavailable: %s answered as a miss; Redis not tried again for %s s (%s)",
                operation,
                PAUSE_SECONDS,
                error,
            )
            return fallback()

    def get(self, key, default=None, version=None):
        return self._or_else(
            "get",
            lambda: super(ForgivingRedisCache, self).get(key, default, version),
            lambda: default,
        )

    def get_many(self, keys, version=None):
        return self._or_else(
            "get_many", lambda: super(ForgivingRedisCache, self).get_many(keys, version), dict
        )

    def has_key(self, key, version=None):
        return self._or_else(
            "has_key", lambda: super(ForgivingRedisCache, self).has_key(key, version), bool
        )

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._or_else(
            "add",
            lambda: super(ForgivingRedisCache, self).add(key, value, timeout, version),
            bool,
        )

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._or_else(
            "set",
            lambda: super(ForgivingRedisCache, self).set(key, value, timeout, version),
            lambda: None,
        )

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._or_else(
            "set_many",
            lambda: super(ForgivingRedisCache, self).set_many(data, timeout, version),
            lambda: list(data),
        )

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._or_else(
            "touch", lambda: super(ForgivingRedisCache, self).touch(key, timeout, version), bool
        )

    def delete(self, key, version=None):
        return self._or_else(
            "delete", lambda: super(ForgivingRedisCache, self).delete(key, version), bool
        )

    def delete_many(self, keys, version=None):
        self._or_else(
            "delete_many",
            lambda: super(ForgivingRedisCache, self).delete_many(keys, version),
            lambda: None,
        )

    def incr(self, key, delta=1, version=None):
        return self._or_else(
            "incr",
            lambda: super(ForgivingRedisCache, self).incr(key, delta, version),
            _cannot_count,
        )

    def clear(self):
        """Removes this service's entries (its KEY_PREFIX) only, never the rest of a Redis
        database that others may share."""
        return self._or_else("clear", self._clear_own_keys, bool)

    def _clear_own_keys(self) -> bool:
        client = self._cache.get_client(write=True)
        keys = list(client.scan_iter(match=f"{self.key_prefix}:*", count=1000))
        for start in range(0, len(keys), 1000):
            client.delete(*keys[start : start + 1000])
        return True
