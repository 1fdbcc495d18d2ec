"""The per-partner rate limit (partners.api.throttling)."""

import datetime as dt

import time_machine
from django.core.cache import cache


def test_rate_limit_per_partner_gives_429_with_retry_after(issuer_client, issuer, owner_client):
    issuer.api_rate_limit = 3
    issuer.save(update_fields=["api_rate_limit"])
    start = dt.datetime(2031, 5, 4, 12, 30, 15, tzinfo=dt.UTC)
    minute = int(start.timestamp() // 60)
    cache.delete_many([f"throttle:partner:{issuer.pk}:{m}" for m in (minute, minute + 1)])
    with time_machine.travel(start, tick=False):
        codes = [issuer_client.get("/transactions").status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        limited = issuer_client.get("/transactions")
        assert limited.json()["errors"][0]["code"] == "throttled"
        assert limited["Retry-After"] == "45"
        assert owner_client.get("/transactions").status_code == 200  # others are unaffected
    with time_machine.travel(start + dt.timedelta(minutes=1), tick=False):
        assert issuer_client.get("/transactions").status_code == 200  # a new window
    issuer.api_rate_limit = 3
    issuer.save(update_fields=["api_rate_limit"])
    codes = [issuer_client.get("/transactions").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    limited = issuer_client.get("/transactions")
    assert limited.json()["errors"][0]["code"] == "throttled"
    assert int(limited["Retry-After"]) > 0
    assert owner_client.get("/transactions").status_code == 200  # another partner is unaffected
    cache.clear()
