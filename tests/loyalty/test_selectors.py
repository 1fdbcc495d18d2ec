"""Read-side queries (loyalty.selectors): the FX rate lookup."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from loyalty.errors import FxRateMissing
from loyalty.models import ForwardingAttempt, ForwardingRecord
from loyalty.selectors import FX_RATE_MAX_AGE_DAYS, forwarding_health, fx_rate_get
from loyalty.services.accounts import loyalty_currency_create
from tests.factories import PartnerFactory
from tests.loyalty.helpers import DAY, rate
from tests.loyalty.services.exchange_fixtures import *  # noqa: F403

D = Decimal


@pytest.mark.django_db
def test_identical_currencies_need_no_rate():
    assert fx_rate_get(base="EUR", quote="EUR", on=DAY) == 1


@pytest.mark.django_db
def test_the_latest_rate_on_or_before_the_date_is_used():
    rate("USD", "EUR", "0.90", DAY - dt.timedelta(days=2))
    rate("USD", "EUR", "0.91", DAY - dt.timedelta(days=1))
    rate("USD", "EUR", "0.99", DAY + dt.timedelta(days=1))
    assert fx_rate_get(base="USD", quote="EUR", on=DAY) == D("0.91")
    rate("USD", "EUR", "0.92", DAY)
    assert fx_rate_get(base="USD", quote="EUR", on=DAY) == D("0.92")


@pytest.mark.django_db
def test_only_the_inverse_pair_gives_one_over_its_rate():
    rate("EUR", "USD", "1.25")
    assert fx_rate_get(base="USD", quote="EUR", on=DAY) == D("0.8")


@pytest.mark.django_db
def test_the_pair_as_asked_wins_on_the_same_date_and_the_newest_rate_wins_otherwise():
    rate("EUR", "USD", "1.25")
    rate("USD", "EUR", "0.81")
    assert fx_rate_get(base="USD", quote="EUR", on=DAY) == D("0.81")
    assert fx_rate_get(base="EUR", quote="USD", on=DAY) == D("1.25")
    rate("EUR", "USD", "2", DAY + dt.timedelta(days=1))
    assert fx_rate_get(base="USD", quote="EUR", on=DAY + dt.timedelta(days=1)) == D("0.5")


@pytest.mark.django_db
def test_a_rate_older_than_the_maximum_age_is_stale():
    rate("USD", "EUR", "0.9", DAY - dt.timedelta(days=FX_RATE_MAX_AGE_DAYS))
    assert fx_rate_get(base="USD", quote="EUR", on=DAY) == D("0.9")
    later = DAY + dt.timedelta(days=1)
    with pytest.raises(FxRateMissing) as exc:
        fx_rate_get(base="USD", quote="EUR", on=later)
    assert exc.value.message == (
        "No USD/EUR exchange rate published between 2026-11-14 and 2026-11-21."
    )
    assert fx_rate_get(base="USD", quote="EUR", on=later, max_age_days=8) == D("0.9")


@pytest.mark.django_db
def test_a_missing_rate_names_the_pair_and_the_date():
    rate("GBP", "EUR", "1.15")
    with pytest.raises(FxRateMissing, match=r"No USD/EUR exchange rate .* and 2026-11-20\."):
        fx_rate_get(base="USD", quote="EUR", on=DAY)


# Forwarding health ---------------------------------------------------------------------------


def test_forwarding_health_counts_each_status_and_the_last_day_of_answers(forwarded, avios):
    queued = forwarded()
    retrying = forwarded("transient", latencies=[400])
    forwarded("transient", "confirmed", latencies=[100, 200])
    forwarded("confirmed", latencies=[300])
    dead = forwarded("transient", dead=True, latencies=[1000])
    old = forwarded("confirmed", latencies=[9])
    ForwardingAttempt.objects.filter(record=old).update(
        started_at=old.created_at - dt.timedelta(hours=25)  # outside the 24 hours
    )
    ForwardingRecord.objects.filter(pk=retrying.pk).update(
        created_at=queued.created_at - dt.timedelta(hours=2)
    )
    loyalty_currency_create(
        code="NOBODY_MILES",
        name="Nobody",
        owner=PartnerFactory(),
        fiat_currency="EUR",
        is_hosted=False,
    )

    avios_health, nobody = forwarding_health()

    assert (avios_health.currency, avios_health.currency_id) == ("AVIOS", avios.pk)
    assert (avios_health.queued, avios_health.retrying, avios_health.dead) == (1, 1, 1)
    assert avios_health.queue_depth == 2
    assert avios_health.attempts_24h == 5  # 3 transient, 2 confirmed
    assert avios_health.success_rate_24h == pytest.approx(2 / 5)
    assert avios_health.median_latency_ms_24h == 300  # of 100, 200, 300, 400, 1000
    assert avios_health.oldest_waiting_id == retrying.pk  # created first; the dead one waits not
    assert dead.status == "dead"
    assert nobody.currency == "NOBODY_MILES"
    assert (nobody.queue_depth, nobody.dead, nobody.attempts_24h) == (0, 0, 0)
    assert nobody.success_rate_24h is None and nobody.median_latency_ms_24h is None
    assert nobody.oldest_waiting_id is None and nobody.oldest_waiting_since is None


def test_the_median_of_an_even_count_is_the_mean_of_the_middle_two(forwarded):
    forwarded("transient", "transient", "confirmed", latencies=[10, 20, 30])
    forwarded("confirmed", latencies=[41])
    [health] = forwarding_health()
    assert health.median_latency_ms_24h == 25.0


def test_the_embedded_database_gets_the_same_median_from_python(forwarded, monkeypatch):
    forwarded("transient", "confirmed", latencies=[10, 30])
    forwarded("confirmed", latencies=[70])
    on_postgresql = forwarding_health()
    monkeypatch.setattr(connection, "vendor", "sqlite")  # no PERCENTILE_CONT there
    [health] = forwarding_health()
    assert health == on_postgresql[0] and health.median_latency_ms_24h == 30.0


def test_forwarding_health_costs_the_same_for_many_programmes(forwarded):
    forwarded("confirmed")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            forwarding_health()
        return len(captured)

    few = queries()
    for n in range(5):
        loyalty_currency_create(
            code=f"OTHER_{n}",
            name=f"Other {n}",
            owner=PartnerFactory(),
            fiat_currency="EUR",
            is_hosted=False,
        )
    assert queries() == few == 3
