"""Per-partner rate limit (Partner.api_rate_limit requests per minute) on the shared Redis.

A fixed one-minute window per partner, counted with one atomic INCR (and its EXPIRE) in Redis,
so every web process shares the count. Authentication (partners.api.authentication) takes the
count in the same round trip as the reference-data epoch (loyalty.caching) whenever it can, and
only for a request whose signature it has verified, so that holding a public key alone never
spends a partner's allowance. PartnerRateThrottle then only compares it with the limit: over
it, 429 with Retry-After (the seconds left in the window).

When Redis cannot be reached the limiter fails open: the request goes through after at most the
socket timeout (CACHE_TIMEOUT_SECONDS), a warning is logged (at most once a minute per process)
and the health check (/health/) reports the cache as down. Refusing every partner because the
counter store is away would turn a Redis outage into an API outage; the ledger's guarantees do
not depend on the limiter. Without Redis at all (the embedded development setup) the count is
kept in Django's local cache.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import redis
from django.conf import settings
from django.core.cache import cache
from rest_framework.throttling import BaseThrottle

from loyalty import caching

logger = logging.getLogger("partners.api")

WINDOW_SECONDS = 60
WARNING_INTERVAL_SECONDS = 60


@dataclass(frozen=True)
class Count:
    """A request's place in its partner's window, and when the window ends."""

    value: int | None  # None: not counted (the store was unreachable)
    wait: float


def _window(partner_id: int) -> tuple[str, float]:
    now = time.time()
    window = int(now // WINDOW_SECONDS)
    prefix = settings.CACHES["default"].get("KEY_PREFIX", "")
    return f"{prefix}:throttle:partner:{partner_id}:{window}", (window + 1) * WINDOW_SECONDS - now


def count(partner_id: int, *, with_token: bool = False) -> tuple[Count, str | None]:
    """Count one request of the partner; with `with_token`, also read the epoch token in the
    same round trip. Returns the count and the token (None when not asked or unreachable)."""
    key, wait = _window(partner_id)
    client = caching.redis_client()
    if client is None:
        return Count(_local_count(key), wait), None
    try:
        pipe = client.pipeline(transaction=False)
        pipe.incr(key)
        pipe.expire(key, WINDOW_SECONDS + 5, nx=True)
        if with_token:
            token_key = caching.token_key()
            pipe.set(token_key, caching.new_token(), nx=True)
            pipe.get(token_key)
        answers = pipe.execute()
    except redis.RedisError as exc:
        _warn(exc)
        return Count(None, wait), None
    token = answers[-1].decode() if with_token and answers[-1] else None
    return Count(answers[0], wait), token


def _local_count(key: str) -> int:
    if cache.add(key, 1, timeout=WINDOW_SECONDS + 5):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr: a new window
        cache.add(key, 1, timeout=WINDOW_SECONDS + 5)
        return 1


_last_warning = 0.0


def _warn(exc: Exception) -> None:
    global _last_warning
    now = time.monotonic()
    if now - _last_warning >= WARNING_INTERVAL_SECONDS:
        _last_warning = now
        logger.warning(
            "rate limiter failing open: the cache is unreachable (%s); requests are not "
            "counted until it answers again",
            type(exc).__name__,
        )


class PartnerRateThrottle(BaseThrottle):
    """Compares the count authentication took with the partner's limit."""

    def allow_request(self, request, view) -> bool:
        limit = getattr(request.user, "api_rate_limit", None)
        counted: Count | None = getattr(request._request, "partner_api_count", None)
        if not limit or counted is None or counted.value is None:
            return True
        self._wait = counted.wait
        return counted.value <= limit

    def wait(self) -> float:
        return self._wait
