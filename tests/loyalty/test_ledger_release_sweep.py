"""The release sweep (loyalty.ledger.release_due): concurrent sweepers, and a sweeper killed
mid-batch.

Transactional tests: sweepers run in other threads or in a subprocess, each on its own connection,
and see only committed rows.
"""

import datetime as dt
import subprocess
import sys
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db import transaction as db_transaction
from django.utils import timezone

from loyalty import ledger
from loyalty.errors import InvalidTransactionState
from loyalty.models import Account, Transaction, TransactionStatus
from loyalty.selectors import member_account
from tests.factories import MemberFactory
from tests.loyalty.helpers import hold_due, holdings, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def new_member_accounts(currency, count: int) -> list[Account]:
    return [member_account(member=MemberFactory(loyalty_currency=currency)) for _ in range(count)]


def count_with(status: str) -> int:
    return Transaction.objects.filter(status=status).count()


def test_two_concurrent_sweeps_release_each_due_transaction_once(
    currency, mint, run_concurrently, ledger_balances
):
    members = new_member_accounts(currency, 10)
    sweep_at = timezone.now()
    released, still_pending = defaultdict(int), defaultdict(int)
    with db_transaction.atomic():  # one commit for the whole set-up
        for i in range(500):
            destination, amount = members[i % len(members)], i % 7 + 1
            due = sweep_at - dt.timedelta(minutes=i)
            hold_due(mint, destination, amount=amount, release_date=due)
            released[destination.pk] += amount
        for i in range(20):
            destination, amount = members[i % len(members)], 100
            not_due = sweep_at + dt.timedelta(minutes=1)
            hold_due(mint, destination, amount=amount, release_date=not_due)
            still_pending[destination.pk] += amount

    def sweep() -> int:
        return ledger.release_due(now=sweep_at, batch_size=20)

    counts = run_concurrently([sweep, sweep])

    assert sum(counts) == 500, counts
    assert count_with(TransactionStatus.COMPLETED) == 500
    assert count_with(TransactionStatus.PENDING) == 20
    for account in members:
        assert holdings(account) == (released[account.pk], still_pending[account.pk])
    ledger_balances()


def test_one_sweep_runs_its_batches_in_several_connections_and_releases_each_once(
    currency, mint, monkeypatch, ledger_balances
):
    members = new_member_accounts(currency, 6)  # shared by the batches: they meet on accounts
    sweep_at = timezone.now()
    expected = defaultdict(int)
    with db_transaction.atomic():
        for i in range(300):
            destination, amount = members[i % len(members)], i % 5 + 1
            hold_due(
                mint, destination, amount=amount, release_date=sweep_at - dt.timedelta(seconds=i)
            )
            expected[destination.pk] += amount
    backends = set()
    batch = ledger._release_batch

    def watched(**kwargs) -> int:
        with connection.cursor() as cursor:  # the connection of the thread running this batch
            cursor.execute("SELECT pg_backend_pid()")
            backends.add(cursor.fetchone()[0])
        return batch(**kwargs)

    monkeypatch.setattr(ledger, "_release_batch", watched)

    released = ledger.release_due(now=sweep_at, batch_size=10, concurrency=3)

    assert released == 300
    assert len(backends) == 3
    assert count_with(TransactionStatus.PENDING) == 0
    for account in members:
        assert holdings(account) == (expected[account.pk], 0)
    ledger_balances()


@contextmanager
def row_lock(account: Account) -> Iterator[None]:
    """Hold FOR UPDATE on the account's row in an open transaction on a connection of its own."""
    locker = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        locker.set_autocommit(False)
        with locker.cursor() as cursor:
            cursor.execute("SELECT id FROM loyalty_account WHERE id = %s FOR UPDATE", [account.pk])
        yield
        locker.rollback()
    finally:
        locker.close()


def backend_waiting_on_a_lock(application_name: str) -> int | None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity "
            "WHERE application_name = %s AND wait_event_type = 'Lock'",
            [application_name],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def backend_gone(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = %s)", [pid])
        return cursor.fetchone()[0]


def test_a_sweeper_killed_mid_batch_leaves_its_batch_to_the_next_sweep(
    currency, mint, test_database_env, ledger_balances
):
    batch_size, batches = 10, 4
    members = new_member_accounts(currency, batches)
    first_due = timezone.now() - dt.timedelta(hours=1)
    with db_transaction.atomic():
        for i in range(batch_size * batches):
            # Oldest first, so batch n (of batch_size rows) releases into members[n] only.
            hold_due(
                mint,
                members[i // batch_size],
                amount=i + 1,
                release_date=first_due + dt.timedelta(minutes=i),
            )
    application_name = f"killed-sweeper-{uuid.uuid4().hex[:12]}"

    with row_lock(members[1]):
        sweeper = subprocess.Popen(
            # One batch at a time, so what has committed when it blocks is exactly one batch.
            [
                sys.executable,
                "manage.py",
                "release_due",
                "--batch-size",
                str(batch_size),
                "--concurrency",
                "1",
            ],
            cwd=settings.BASE_DIR,
            env={**test_database_env, "PGAPPNAME": application_name},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        try:
            backend = wait_for(
                lambda: sweeper.poll() is None and backend_waiting_on_a_lock(application_name),
                timeout=60,
                what="the sweeper to block on the locked account",
            )
            assert sweeper.poll() is None, sweeper.communicate()[0].decode()
            assert count_with(TransactionStatus.COMPLETED) == batch_size  # first batch committed
        finally:
            sweeper.kill()
            sweeper.communicate()
    # Its backend only notices the dead client once the lock is granted; then it rolls back.
    wait_for(lambda: backend_gone(backend), timeout=30, what="the killed sweeper's backend to end")

    assert count_with(TransactionStatus.COMPLETED) == batch_size
    assert holdings(members[1]) == (0, sum(range(batch_size + 1, 2 * batch_size + 1)))
    assert ledger.release_due(batch_size=batch_size) == batch_size * (batches - 1)
    assert count_with(TransactionStatus.COMPLETED) == batch_size * batches
    for n, account in enumerate(members):
        amounts = range(n * batch_size + 1, (n + 1) * batch_size + 1)
        assert holdings(account) == (sum(amounts), 0)
    ledger_balances()


def test_a_sweep_leaves_a_transaction_being_changed_to_the_next_sweep(
    currency, mint, ledger_balances
):
    """An amend or a cancel holds the schedule row first: the sweep skips it, waits for nothing."""
    [member] = new_member_accounts(currency, 1)
    sweep_at = timezone.now()
    with db_transaction.atomic():
        held, free = (
            hold_due(mint, member, amount=amount, release_date=sweep_at - dt.timedelta(minutes=1))
            for amount in (10, 20)
        )
    locker = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        locker.set_autocommit(False)
        with locker.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM loyalty_pendingrelease WHERE transaction_id = %s FOR UPDATE",
                [held.pk],
            )
        assert ledger.release_due(now=sweep_at) == 1
        locker.rollback()
    finally:
        locker.close()

    assert Transaction.objects.get(pk=free.pk).status == TransactionStatus.COMPLETED
    assert Transaction.objects.get(pk=held.pk).status == TransactionStatus.PENDING
    assert holdings(member) == (20, 10)
    assert ledger.release_due(now=sweep_at) == 1
    assert holdings(member) == (30, 0)
    ledger_balances()


def test_sweeps_amends_and_cancels_at_once_settle_each_transaction_once(
    currency, mint, run_concurrently, ledger_balances
):
    """The schedule row is the first lock of all three: however they interleave, nothing
    deadlocks, each due transaction ends released, cancelled or moved to a later date, and
    the books (with the schedule) agree."""
    members = new_member_accounts(currency, 4)
    sweep_at = timezone.now()
    with db_transaction.atomic():
        held = [
            hold_due(
                mint,
                members[i % len(members)],
                amount=i + 1,
                release_date=sweep_at - dt.timedelta(seconds=i),
            )
            for i in range(120)
        ]
    to_cancel, to_amend = held[0::3], held[1::3]
    later = sweep_at + dt.timedelta(days=1)

    def attempt_each(operation, transactions) -> int:
        done = 0
        for tx in reversed(transactions):  # newest first, against the sweep's order
            try:
                operation(tx)
                done += 1
            except InvalidTransactionState:
                pass  # released first
        return done

    def cancel_all() -> int:
        return attempt_each(lambda tx: ledger.cancel(transaction=tx), to_cancel)

    def amend_all() -> int:
        return attempt_each(
            lambda tx: ledger.amend(transaction=tx, amount=tx.amount + 1, release_date=later),
            to_amend,
        )

    def sweep() -> int:
        return ledger.release_due(now=sweep_at, batch_size=5)

    swept, other_sweep, cancelled, amended = run_concurrently([sweep, sweep, cancel_all, amend_all])

    for result in (swept, other_sweep, cancelled, amended):
        assert isinstance(result, int), result
    statuses = Counter(Transaction.objects.values_list("status", flat=True))
    assert statuses[TransactionStatus.COMPLETED] == swept + other_sweep
    assert statuses[TransactionStatus.CANCELLED] == cancelled
    assert statuses[TransactionStatus.PENDING] == amended
    assert sum(statuses.values()) == len(held)
    assert ledger.release_due(now=sweep_at) == 0  # what is left is not due
    ledger_balances()
