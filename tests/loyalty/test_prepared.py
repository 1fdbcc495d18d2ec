"""PostgreSQL keeps the hot path's statements prepared, and only those (loyalty.prepared)."""

import datetime as dt

import pytest
from django.db import connection

from loyalty import ledger
from loyalty.models import Account, TransactionType


@pytest.fixture
def clock(time_machine) -> dt.datetime:
    now = dt.datetime(2030, 6, 1, 12, 0, tzinfo=dt.UTC)
    time_machine.move_to(now, tick=False)
    return now


def prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def test_the_ledgers_statements_are_prepared_from_their_first_run(mint, member_acc):
    ledger.post(origin=mint, destination=member_acc, amount=5, type=TransactionType.ACCRUAL)

    prepared = prepared_statements()
    assert any(
        text.startswith('WITH written AS (UPDATE "loyalty_account" SET balance = balance + $1')
        and 'INSERT INTO "loyalty_transaction"' in text
        for text in prepared
    ), prepared


def test_the_orms_statements_are_planned_for_their_parameters_each_time(member_acc):
    """However often it runs, an ORM query is not prepared: its plan fits each run's values."""
    for _ in range(10):
        Account.objects.filter(pk=member_acc.pk).exists()

    assert not [text for text in prepared_statements() if "LIMIT 1" in text]


def test_the_release_sweep_is_planned_for_each_batch(clock, mint, member_acc):
    """Its best plan depends on the cutoff and the batch size: written once, never prepared."""
    ledger.hold(
        origin=mint,
        destination=member_acc,
        amount=5,
        type=TransactionType.ACCRUAL,
        release_date=clock + dt.timedelta(minutes=5),
    )
    for minutes in (10, 20):
        ledger.release_due(now=clock + dt.timedelta(minutes=minutes))

    member_acc.refresh_from_db()
    assert member_acc.balance == 5
    assert not [text for text in prepared_statements() if text.startswith("WITH due AS")]
