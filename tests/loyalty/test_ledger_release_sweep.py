"""The release sweep: concurrent sweepers, a sweeper killed mid-batch, the command and the task.

Transactional tests: sweepers run in other threads, in a subprocess or in a Celery worker, each on
its own connection, and see only committed rows.
"""

import datetime as dt
import subprocess
import sys
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from io import StringIO

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db import transaction as db_transaction
from django.utils import timezone

from loyalty import celery_app, ledger
from loyalty.models import Account, Transaction, TransactionStatus, TransactionType
from loyalty.selectors import member_account
from loyalty.tasks import release_due_transactions
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db(transaction=True)


def hold_due(
    origin: Account, destination: Account, *, amount: int, release_date: dt.datetime
) -> Transaction:
    """A pending transaction made a day before its release date, which may already have passed."""
    return ledger.hold(
        origin=origin,
        destination=destination,
        amount=amount,
        type=TransactionType.ACCRUAL,
        release_date=release_date,
        now=release_date - dt.timedelta(days=1),
    )


def new_member_accounts(currency, count: int) -> list[Account]:
    return [member_account(member=MemberFactory(loyalty_currency=currency)) for _ in range(count)]


def holdings(account: Account) -> tuple[int, int]:
    account.refresh_from_db(fields=["balance", "pending_balance"])
    return account.balance, account.pending_balance


def count_with(status: str) -> int:
    return Transaction.objects.filter(status=status).count()


def wait_for(condition: Callable[[], object], *, timeout: float, what: str) -> object:
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        assert time.monotonic() < deadline, f"timed out after {timeout} s waiting for {what}"
        time.sleep(0.05)
    return result


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
            [sys.executable, "manage.py", "release_due", "--batch-size", str(batch_size)],
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


@pytest.mark.django_db
def test_the_release_due_command_prints_how_many_it_released(mint, member_acc, ledger_balances):
    now = timezone.now()
    for minutes in (90, 60, 30):
        hold_due(mint, member_acc, amount=minutes, release_date=now - dt.timedelta(minutes=minutes))
    hold_due(mint, member_acc, amount=1, release_date=now + dt.timedelta(hours=1))
    out = StringIO()

    call_command("release_due", "--batch-size", "2", stdout=out)

    assert out.getvalue() == "Released 3 pending transaction(s).\n"
    assert holdings(member_acc) == (180, 1)
    ledger_balances()


@pytest.fixture
def own_celery_queue() -> Iterator[str]:
    """Send and consume the project's tasks on a queue of this test's own, then delete it.

    The Redis database may be shared with other test runs, whose workers would otherwise take
    this test's task (and run it against their own database), or hand theirs to this worker.
    """
    default_queue = celery_app.conf.task_default_queue
    queue = f"test-release-due-{uuid.uuid4().hex}"
    celery_app.conf.task_default_queue = queue
    del celery_app.amqp  # rebuilt from the configuration on next use
    try:
        yield queue
    finally:
        with celery_app.connection_for_write() as broker:
            bound = celery_app.amqp.queues[queue].bind(broker.default_channel)
            bound.declare()  # a channel deletes only the bindings it knows of
            bound.delete()
        celery_app.conf.task_default_queue = default_queue
        del celery_app.amqp


def test_the_celery_task_releases_due_transactions_through_a_redis_worker(
    own_celery_queue, mint, member_acc, ledger_balances
):
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    due = hold_due(
        mint, member_acc, amount=70, release_date=timezone.now() - dt.timedelta(minutes=1)
    )
    later = hold_due(
        mint, member_acc, amount=5, release_date=timezone.now() + dt.timedelta(hours=1)
    )

    # No result backend is configured, so the worker's ping check cannot run.
    with start_worker(celery_app, perform_ping_check=False, shutdown_timeout=30):
        release_due_transactions.delay()
        wait_for(
            lambda: Transaction.objects.get(pk=due.pk).status == TransactionStatus.COMPLETED,
            timeout=30,
            what="the worker to release the due transaction",
        )

    assert Transaction.objects.get(pk=later.pk).status == TransactionStatus.PENDING
    assert holdings(member_acc) == (70, 5)
    ledger_balances()
