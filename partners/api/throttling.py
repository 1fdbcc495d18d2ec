"""Per-partner rate limit (Partner.api_rate_limit requests per minute) on the shared cache."""

from rest_framework.throttling import SimpleRateThrottle


class PartnerRateThrottle(SimpleRateThrottle):
    """A fixed window per partner; the count lives in the default cache (Redis in production),
    so every web process shares it. Over the limit: 429 with Retry-After."""

    scope = "partner"

    def get_rate(self):
        return None  # set per request in allow_request, from the partner's own limit

    def allow_request(self, request, view):
        partner = getattr(request, "user", None)
        limit = getattr(partner, "api_rate_limit", None)
        if not limit:
            return True
        self.rate = f"{limit}/m"
        self.num_requests, self.duration = limit, 60
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}
