"""The outbox's retry schedule: exponential backoff with jitter, capped, and a record that
keeps failing is dead after about two days; Retry-After is honoured when longer."""

import datetime as dt
import random

from django.conf import settings
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from loyalty.models import AttemptOutcome, ForwardingStatus
from loyalty.services.exchanges import exchange_execute
from loyalty.services.forwarding import Answer, backoff_seconds, forwarding_claim, forwarding_finish
from tests.loyalty.services.exchange_fixtures import *  # noqa: F403


@given(attempt=st.integers(min_value=1, max_value=60), seed=st.integers())
def test_backoff_doubles_within_jitter_and_is_capped(attempt, seed):
    delay = backoff_seconds(attempt, rng=random.Random(seed))
    nominal = min(
        settings.FORWARDING_BACKOFF_BASE_SECONDS * 2 ** (attempt - 1),
        settings.FORWARDING_BACKOFF_CAP_SECONDS,
    )
    assert 0.5 * nominal <= delay <= 1.5 * nominal


def test_a_record_that_keeps_failing_dies_after_about_two_days(
    currency, to_avios, rich_member, ledger_balances
):
    record = exchange_execute(
        partner=currency.owner,
        amount=100,
        origin_loyalty_currency="EXAMPLE_POINTS",
        destination_loyalty_currency="AVIOS",
        origin_member=rich_member.loyalty_program_identifiers,
        destination_member={"id": "3081470000000001", "family_name": "Andersen"},
    ).forwarding
    now = timezone.now()
    attempts = 0
    while True:
        claim = forwarding_claim(record_id=record.pk, now=now)
        assert claim is not None
        attempts += 1
        record = forwarding_finish(
            claim=claim, answer=Answer(AttemptOutcome.TRANSIENT, 503, 5, "HTTP_503"), now=now
        )
        if record.status == ForwardingStatus.DEAD:
            break
        assert record.status == ForwardingStatus.RETRYING
        assert forwarding_claim(record_id=record.pk, now=now) is None  # not due yet
        now = record.next_attempt_at
    elapsed = now - record.created_at
    assert dt.timedelta(days=1) < elapsed <= dt.timedelta(days=2)
    assert 10 <= attempts <= 60  # 30 s doubling to 4 h, each with ±50 % jitter
    assert record.transaction.status == "pending_external_approval"  # staff decide
    ledger_balances()


def test_retry_after_is_honoured_when_longer(currency, to_avios, rich_member):
    record = exchange_execute(
        partner=currency.owner,
        amount=100,
        origin_loyalty_currency="EXAMPLE_POINTS",
        destination_loyalty_currency="AVIOS",
        origin_member=rich_member.loyalty_program_identifiers,
        destination_member={"id": "3081470000000001", "family_name": "Andersen"},
    ).forwarding
    now = timezone.now()
    claim = forwarding_claim(record_id=record.pk, now=now)
    record = forwarding_finish(
        claim=claim,
        answer=Answer(AttemptOutcome.TRANSIENT, 429, 5, "HTTP_429", retry_after=3600),
        now=now,
    )
    assert record.next_attempt_at - now >= dt.timedelta(seconds=3600)
