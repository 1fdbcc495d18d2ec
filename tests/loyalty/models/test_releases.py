"""The release schedule: why a release writes no index entry of the transaction table."""

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from loyalty import ledger
from loyalty.models import TransactionType

pytestmark = pytest.mark.django_db


def updates_of_transactions() -> tuple[int, int]:
    """This database transaction's (updates, heap-only updates) of loyalty_transaction rows."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_stat_get_xact_tuples_updated(oid), "
            "pg_stat_get_xact_tuples_hot_updated(oid) "
            "FROM pg_class WHERE relname = 'loyalty_transaction'"
        )
        return cursor.fetchone()


def test_a_release_by_the_sweep_is_a_heap_only_update(mint, member_acc):
    """No index of the transaction table depends on a column a release changes: should one
    (an index of the status, or with the status in its condition), this fails."""
    now = timezone.now()
    ledger.hold(
        origin=mint,
        destination=member_acc,
        amount=10,
        type=TransactionType.ACCRUAL,
        release_date=now + dt.timedelta(minutes=5),
    )
    before = updates_of_transactions()

    assert ledger.release_due(now=now + dt.timedelta(minutes=10)) == 1

    updated, hot = updates_of_transactions()
    assert (updated - before[0], hot - before[1]) == (1, 1)


def test_the_transaction_table_keeps_room_on_each_page_for_a_release():
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = 'loyalty_transaction'")
        [options] = cursor.fetchone()
    assert "fillfactor=90" in options
