"""A worker killed (SIGKILL) while the programme holds its request: the lease expires, the next
sweep sends the same credit again, the programme answers DUPLICATE_TRANSACTION, and the
exchange is confirmed with exactly one credit at the programme."""

import signal
import subprocess
import sys
import time

from django.conf import settings
from django.utils import timezone

from loyalty.models import AttemptOutcome, ForwardingRecord, ForwardingStatus, TransactionStatus
from partners.connectors.delivery import sweep
from partners.services.connectors import connector_set


def wait_for(condition, *, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"Timed out waiting for {what}.")


def test_a_worker_killed_mid_delivery_credits_exactly_once(
    test_database_env, exchange_to_avios, connector, sandbox, ledger_balances
):
    connector_set(loyalty_currency=connector.loyalty_currency, read_timeout=10.0)
    sandbox.programme.switches.latency_ms = 1500
    record = exchange_to_avios()
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "forward_due"],
        cwd=settings.BASE_DIR,
        env={**test_database_env, "FORWARDING_LEASE_SECONDS": "2"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for(
            lambda: sandbox.programme.requests_seen == 1 or worker.poll() is not None,
            timeout=60,
            what="the worker's request to reach the programme",
        )
        assert worker.poll() is None, worker.communicate()[0].decode()
        worker.send_signal(signal.SIGKILL)
    finally:
        worker.kill()
        worker.communicate()

    stored = ForwardingRecord.objects.get(pk=record.pk)
    assert stored.status == ForwardingStatus.QUEUED
    assert [a.outcome for a in stored.tries.all()] == [AttemptOutcome.IN_FLIGHT]
    wait_for(lambda: len(sandbox.programme.credits) == 1, timeout=10, what="the credit")
    sandbox.programme.switches.latency_ms = 0
    assert sweep() == 0  # still leased by the dead worker
    wait_for(lambda: timezone.now() > stored.leased_until, timeout=10, what="the lease to expire")
    assert sweep() == 1

    stored = ForwardingRecord.objects.get(pk=record.pk)
    assert stored.status == ForwardingStatus.CONFIRMED
    assert stored.confirmed_by_duplicate
    assert stored.transaction.status == TransactionStatus.COMPLETED
    assert len(sandbox.programme.credits) == 1
    assert len(sandbox.programme.credits_for(stored.reference)) == 1
    ledger_balances()
