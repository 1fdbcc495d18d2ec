"""Per-partner rate limit (Partner.api_rate_limit requests per minute) on the shared cache.

When the cache (Redis) cannot be reached the limiter fails open: the request goes through after
at most the cache's socket timeout (CACHE_TIMEOUT_SECONDS), a warning is logged (at most once a
minute per process) and the health check (/health/) reports the cache as down. Refusing every
partner because the counter store is away would turn a Redis outage into an API outage; the
ledger's guarantees do not depend on the limiter.
"""

import logging
import time

from django.core.cache import cache
from rest_framework.throttling import BaseThrottle

logger = logging.getLogger("partners.api")

WINDOW_SECONDS = 60
WARNING_INTERVAL_SECONDS = 60


class PartnerRateThrottle(BaseThrottle):
    """A fixed one-minute window per partner, counted with an atomic increment in the default
    cache (Redis in production), so every web process shares the count and each request costs
    one round trip whatever the partner's rate. Over the limit: 429 with Retry-After (the
    seconds left in the window)."""

    _last_warning = 0.0

    def allow_request(self, request, view) -> bool:
        limit = getattr(request.user, "api_rate_limit", None)
        if not limit:
            return True
        now = time.time()
        window = int(now // WINDOW_SECONDS)
        self._wait = (window + 1) * WINDOW_SECONDS - now
        try:
            count = self._count(f"throttle:partner:{request.user.pk}:{window}")
        except Exception as exc:  # the cache's client raises its own errors (redis.RedisError)
            self._warn(exc)
            return True
        return count <= limit

    def wait(self) -> float:
        return self._wait

    @staticmethod
    def _count(key: str) -> int:
        if cache.add(key, 1, timeout=WINDOW_SECONDS + 5):
            return 1
        try:
            return cache.incr(key)
        except ValueError:  # expired between add and incr: a new window
            cache.add(key, 1, timeout=WINDOW_SECONDS + 5)
            return 1

    @classmethod
    def _warn(cls, exc: Exception) -> None:
        now = time.monotonic()
        if now - cls._last_warning >= WARNING_INTERVAL_SECONDS:
            cls._last_warning = now
            logger.warning(
                "rate limiter failing open: the cache is unreachable (%s); requests are not "
                "counted until it answers again",
                type(exc).__name__,
            )
