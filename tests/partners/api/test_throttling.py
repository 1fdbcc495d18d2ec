"""The per-partner rate limit (partners.api.throttling), and how it fails open."""

import datetime as dt
import logging
import time

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse

from partners.api import throttling


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


@pytest.mark.parametrize("outage", ["cache_down", "cache_hung"])
def test_with_the_cache_down_the_api_and_the_admin_keep_serving(
    request, outage, issuer_client, issuer, admin_client, caplog, monkeypatch
):
    """The limiter lets requests through within the cache's socket timeout (it used to answer
    500), warns once a minute; the admin does not depend on the cache at all."""
    request.getfixturevalue(outage)
    assert issuer.api_rate_limit > 0
    monkeypatch.setattr(throttling, "_last_warning", 0.0)
    caplog.set_level(logging.WARNING, logger="partners.api")

    started = time.monotonic()
    response = issuer_client.get("/transactions")
    elapsed = time.monotonic() - started

    assert response.status_code == 200, response.content
    assert elapsed < 2, f"{elapsed:.2f} s"
    warnings = [r for r in caplog.records if "rate limiter failing open" in r.getMessage()]
    assert [r.levelno for r in warnings] == [logging.WARNING]
    assert issuer_client.get("/transactions").status_code == 200
    assert len([r for r in caplog.records if "failing open" in r.getMessage()]) == 1  # once

    changelist = admin_client.get(reverse("admin:loyalty_member_changelist"))
    assert changelist.status_code == 200
