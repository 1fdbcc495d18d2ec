"""Per-partner rate limit (Partner.api_rate_limit requests per minute) on the shared cache."""

import time

from django.core.cache import cache
from rest_framework.throttling import BaseThrottle

WINDOW_SECONDS = 60


class PartnerRateThrottle(BaseThrottle):
    """A fixed one-minute window per partner, counted with an atomic increment in the default
    cache (Redis in production), so every web process shares the count and each request costs
    one round trip whatever the partner's rate. Over the limit: 429 with Retry-After (the
    seconds left in the window)."""

    def allow_request(self, request, view) -> bool:
        limit = getattr(request.user, "api_rate_limit", None)
        if not limit:
            return True
        now = time.time()
        window = int(now // WINDOW_SECONDS)
        key = f"throttle:partner:{request.user.pk}:{window}"
        if cache.add(key, 1, timeout=WINDOW_SECONDS + 5):
            count = 1
        else:
            try:
                count = cache.incr(key)
            except ValueError:  # expired between add and incr: a new window
                cache.add(key, 1, timeout=WINDOW_SECONDS + 5)
                count = 1
        self._wait = (window + 1) * WINDOW_SECONDS - now
        return count <= limit

    def wait(self) -> float:
        return self._wait
