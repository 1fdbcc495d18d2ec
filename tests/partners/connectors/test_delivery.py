"""Forwarding to the sandbox programme over real HTTP: confirmation, a rejection that refunds
the member, an outage that loses nothing and credits once, a timeout followed by
DUPLICATE_TRANSACTION, a delivery cut off before its answer was recorded, a dead record
retried. Each ends with ledger_check's invariants."""

import time

import pytest
from django.core.management import call_command
from django.utils import timezone

from loyalty.models import (
    AttemptOutcome,
    ForwardingRecord,
    ForwardingStatus,
    LinkedAccount,
    TransactionStatus,
)
from loyalty.services.forwarding import forwarding_claim, forwarding_retry_now
from partners.connectors.avios import AviosConnector
from partners.connectors.delivery import deliver, sweep
from tests.loyalty.services.exchange_fixtures import balance


def make_due(record):
    """The backoff has elapsed (and any lease with it)."""
    ForwardingRecord.objects.filter(pk=record.pk).update(
        next_attempt_at=timezone.now(), leased_until=None
    )


def stored(record):
    return ForwardingRecord.objects.select_related("transaction", "exchange").get(pk=record.pk)


def test_confirmed_credit_completes_the_exchange(
    exchange_to_avios, sandbox, rich_member, ledger_balances
):
    record = exchange_to_avios()
    deliver(record.pk)
    record = stored(record)
    assert record.status == ForwardingStatus.CONFIRMED
    (credit,) = sandbox.programme.credits
    assert credit.external_transaction_identifier == record.reference
    assert record.reference in credit.description
    assert credit.amount == 1000
    tx = record.transaction
    assert tx.status == TransactionStatus.COMPLETED
    assert tx.loyalty_system_id == credit.identifier
    attempt = record.tries.get()
    assert (attempt.outcome, attempt.http_status) == (AttemptOutcome.CONFIRMED, 201)
    assert attempt.latency_ms is not None
    linked = LinkedAccount.objects.get(member=rich_member)
    assert (linked.membership_number, linked.family_name) == ("3081470000000001", "Andersen")
    assert balance(rich_member) == 4000
    ledger_balances()


@pytest.mark.parametrize(
    ("account", "family_name", "switch", "code"),
    [
        ("3081470000000001", "Wrong", "", "MEMBERSHIP_NUMBER_SURNAME_MISMATCH"),
        ("3081470000000077", "Andersen", "", "ACCOUNT_INVALID"),
        ("3081470000000009", "Blocked", "", "ACCOUNT_NOT_AUTHORISED"),
        ("3081470000000001", "Andersen", "PROGRAMME_NOT_SUPPORTED", "PROGRAMME_NOT_SUPPORTED"),
    ],
)
def test_a_rejection_refunds_the_member_with_the_reason(
    exchange_to_avios, sandbox, rich_member, account, family_name, switch, code, ledger_balances
):
    sandbox.programme.switches.reject = switch
    record = exchange_to_avios(account=account, family_name=family_name)
    assert balance(rich_member) == 4000
    deliver(record.pk)
    record = stored(record)
    assert record.status == ForwardingStatus.REJECTED
    assert record.last_code == code
    tx = record.transaction
    assert tx.status == TransactionStatus.REJECTED
    assert code in tx.status_message
    origin = record.exchange.origin_transaction
    origin.refresh_from_db()
    assert origin.status == TransactionStatus.REVERSED
    assert balance(rich_member) == 5000
    assert sandbox.programme.credits == []
    assert not LinkedAccount.objects.exists()
    ledger_balances()


def test_an_outage_loses_nothing_and_credits_once(exchange_to_avios, sandbox, ledger_balances):
    sandbox.programme.switches.unavailable = True
    records = [exchange_to_avios(amount=100 + n) for n in range(3)]
    for record in records:
        deliver(record.pk)
    for _ in range(2):
        for record in records:
            make_due(record)
        assert sweep() == 3
    for record in records:
        record = stored(record)
        assert record.status == ForwardingStatus.RETRYING
        assert record.attempts == 3
        assert record.next_attempt_at > timezone.now()
        assert {a.http_status for a in record.tries.all()} == {503}
    sandbox.programme.switches.unavailable = False
    assert sweep() == 0  # nothing is due before its backoff
    for record in records:
        make_due(record)
    call_command("forward_due", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert sweep() == 0
    for record in records:
        assert stored(record).status == ForwardingStatus.CONFIRMED
        assert len(sandbox.programme.credits_for(record.reference)) == 1
    assert len(sandbox.programme.credits) == 3
    ledger_balances()


def test_a_timeout_then_duplicate_transaction_confirms(exchange_to_avios, sandbox, ledger_balances):
    sandbox.programme.switches.latency_ms = 900  # longer than the connector waits
    record = exchange_to_avios()
    deliver(record.pk)
    first = stored(record).tries.get()
    assert (first.outcome, first.http_status, first.code) == (
        AttemptOutcome.TRANSIENT,
        None,
        "TIMEOUT",
    )
    assert stored(record).status == ForwardingStatus.RETRYING
    time.sleep(1.0)  # the programme finishes the request it was given
    assert len(sandbox.programme.credits) == 1
    sandbox.programme.switches.latency_ms = 0
    make_due(record)
    deliver(record.pk)
    record = stored(record)
    assert record.status == ForwardingStatus.CONFIRMED
    assert record.confirmed_by_duplicate
    assert record.tries.last().code == "DUPLICATE_TRANSACTION"
    assert record.transaction.status == TransactionStatus.COMPLETED
    assert len(sandbox.programme.credits) == 1
    ledger_balances()


def test_a_delivery_cut_off_before_its_answer_is_recorded_credits_once(
    exchange_to_avios, connector, sandbox, ledger_balances
):
    """The worker sent the credit and died before recording the answer: its lease expires and
    the next sweep's repeat is recognised by the programme."""
    record = exchange_to_avios()
    claim = forwarding_claim(record_id=record.pk)
    AviosConnector(connector).credit(claim.record)  # sent; the answer is never recorded
    assert deliver(record.pk) is None  # leased: nobody else sends it meanwhile
    ForwardingRecord.objects.filter(pk=record.pk).update(leased_until=timezone.now())
    assert sweep() == 1
    record = stored(record)
    assert record.status == ForwardingStatus.CONFIRMED
    assert record.confirmed_by_duplicate
    assert [a.outcome for a in record.tries.all()] == [
        AttemptOutcome.IN_FLIGHT,
        AttemptOutcome.DUPLICATE,
    ]
    assert len(sandbox.programme.credits) == 1
    ledger_balances()


def test_a_silent_programme_is_retried(exchange_to_avios, sandbox, ledger_balances):
    sandbox.programme.switches.silent = True
    record = exchange_to_avios()
    deliver(record.pk)
    assert stored(record).tries.get().code == "TIMEOUT"
    sandbox.programme.switches.silent = False
    make_due(record)
    deliver(record.pk)
    record = stored(record)
    assert record.status == ForwardingStatus.CONFIRMED
    assert not record.confirmed_by_duplicate  # the silent programme had credited nothing
    assert len(sandbox.programme.credits) == 1
    ledger_balances()


def test_a_dead_record_is_retried_and_confirms(exchange_to_avios, sandbox, ledger_balances):
    sandbox.programme.switches.unavailable = True
    record = exchange_to_avios()
    ForwardingRecord.objects.filter(pk=record.pk).update(give_up_at=timezone.now())
    deliver(record.pk)
    record = stored(record)
    assert record.status == ForwardingStatus.DEAD
    assert record.transaction.status == TransactionStatus.PENDING_EXTERNAL_APPROVAL
    assert sweep() == 0  # the sweeper leaves dead records to staff
    sandbox.programme.switches.unavailable = False
    forwarding_retry_now(record=record)
    deliver(record.pk)
    record = stored(record)
    assert record.status == ForwardingStatus.CONFIRMED
    assert len(sandbox.programme.credits) == 1
    ledger_balances()


def test_the_api_key_never_reaches_an_attempt(exchange_to_avios, sandbox, connector):
    sandbox.programme.switches.unavailable = True
    record = exchange_to_avios()
    deliver(record.pk)
    for attempt in stored(record).tries.all():
        assert connector.api_key not in f"{attempt.code} {attempt.message}"


@pytest.mark.django_db(transaction=True)
def test_two_sweepers_at_once_send_each_record_once(
    exchange_to_avios, sandbox, run_concurrently, ledger_balances
):
    records = [exchange_to_avios(amount=100 + n) for n in range(12)]
    sandbox.programme.switches.latency_ms = 20  # so that the two sweeps overlap

    def sweeper():
        return sweep(limit=3)

    attempts = run_concurrently([sweeper, sweeper])
    assert sum(attempts) == len(records), attempts
    assert all(a > 0 for a in attempts), attempts  # both took part
    assert len(sandbox.programme.credits) == len(records)
    for record in records:
        assert stored(record).status == ForwardingStatus.CONFIRMED
        assert stored(record).attempts == 1
    ledger_balances()


def test_an_exchange_is_delivered_right_after_its_commit(
    owner_client, to_avios, rich_member, connector, sandbox, django_capture_on_commit_callbacks
):
    """The request's commit hands the record to the delivery task (run in place here, as
    CELERY_TASK_ALWAYS_EAGER runs it), which credits the sandbox at once."""
    from loyalty.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = owner_client.post(
                "/exchanges/execute",
                {
                    "amount": 100,
                    "origin_loyalty_currency": "EXAMPLE_POINTS",
                    "destination_loyalty_currency": "AVIOS",
                    "origin_member": rich_member.loyalty_program_identifiers,
                    "destination_member": {"id": "3081470000000001", "family_name": "Andersen"},
                },
            )
    finally:
        app.conf.task_always_eager = eager
    assert response.status_code == 200, response.content
    assert response.json()["destination_transaction"]["status"] == "pending_external_approval"
    record = ForwardingRecord.objects.get()
    assert record.status == ForwardingStatus.CONFIRMED
    assert len(sandbox.programme.credits) == 1
