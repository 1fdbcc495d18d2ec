"""ledger.supersede: a completed transaction becomes adjusted or cancelled while a new one,
linked to it, moves the difference (a redemption's adjustments and cancellation)."""

import pytest
from django.db import connection, transaction
from django.db.utils import IntegrityError

from loyalty import errors, ledger
from loyalty.models import Transaction, TransactionStatus, TransactionSubType, TransactionType
from tests.loyalty.helpers import accrue, holdings


def redeem(member_acc, partner_acc, amount=100):
    return ledger.post(
        origin=member_acc,
        destination=partner_acc,
        amount=amount,
        type=TransactionType.REDEMPTION,
        sub_type=TransactionSubType.STANDARD,
    )


def supersede(link, origin, destination, amount, status=TransactionStatus.ADJUSTED, **extra):
    return ledger.supersede(
        transaction=link,
        status=status,
        origin=origin,
        destination=destination,
        amount=amount,
        type=TransactionType.REDEMPTION,
        sub_type=TransactionSubType.ADJUSTMENT_INCREASE,
        **extra,
    )


def test_adjusting_moves_the_difference_and_links_the_new_transaction(
    member_acc, partner_acc, ledger_balances
):
    accrue(member_acc, 500)
    original = redeem(member_acc, partner_acc)
    follower = supersede(original, member_acc, partner_acc, 40)
    original.refresh_from_db()
    assert original.status == TransactionStatus.ADJUSTED
    assert original.completed_at is not None
    assert follower.previous_id == original.pk
    assert follower.status == TransactionStatus.COMPLETED
    assert holdings(member_acc) == (360, 0)
    ledger_balances()


def test_a_completed_transaction_cancelled_stays_settled_for_ledger_check(
    member_acc, partner_acc, ledger_balances
):
    accrue(member_acc, 500)
    original = redeem(member_acc, partner_acc)
    refund = supersede(original, partner_acc, member_acc, 100, status=TransactionStatus.CANCELLED)
    original.refresh_from_db()
    assert (original.status, refund.previous_id) == (TransactionStatus.CANCELLED, original.pk)
    assert original.completed_at is not None
    assert holdings(member_acc) == (500, 0)
    assert holdings(partner_acc) == (0, 0)
    ledger_balances()


def test_a_pending_transaction_cancelled_still_moves_nothing(
    mint, member_acc, partner_acc, ledger_balances
):
    import datetime as dt

    from django.utils import timezone

    held = ledger.hold(
        origin=mint,
        destination=member_acc,
        amount=70,
        type=TransactionType.ACCRUAL,
        release_date=timezone.now() + dt.timedelta(days=1),
    )
    ledger.cancel(transaction=held)
    assert holdings(member_acc) == (0, 0)
    ledger_balances()


def test_a_link_is_superseded_once(member_acc, partner_acc, ledger_balances):
    accrue(member_acc, 500)
    original = redeem(member_acc, partner_acc)
    supersede(original, member_acc, partner_acc, 10)
    stale = Transaction.objects.get(pk=original.pk)
    stale.status = TransactionStatus.COMPLETED
    with pytest.raises(errors.InvalidTransactionState):
        supersede(stale, partner_acc, member_acc, 50, status=TransactionStatus.CANCELLED)
    assert holdings(member_acc) == (390, 0)
    ledger_balances()


def test_the_new_transaction_moves_between_the_same_accounts(
    member_acc, partner_acc, other_member_acc
):
    accrue(member_acc, 500)
    original = redeem(member_acc, partner_acc)
    with pytest.raises(errors.LedgerError, match="two accounts"):
        supersede(original, other_member_acc, partner_acc, 10)
    original.refresh_from_db()
    assert original.status == TransactionStatus.COMPLETED


def test_a_refused_difference_leaves_the_link_completed(member_acc, partner_acc, ledger_balances):
    accrue(member_acc, 150)
    original = redeem(member_acc, partner_acc)
    with pytest.raises(errors.InsufficientFunds), transaction.atomic():
        supersede(original, member_acc, partner_acc, 51)
    assert original.status == TransactionStatus.COMPLETED
    original.refresh_from_db()
    assert original.status == TransactionStatus.COMPLETED
    ledger_balances()


def test_only_adjusted_or_cancelled(member_acc, partner_acc):
    accrue(member_acc, 500)
    original = redeem(member_acc, partner_acc)
    with pytest.raises(ValueError, match="adjusted or cancelled"):
        supersede(original, member_acc, partner_acc, 10, status=TransactionStatus.REVERSED)


def test_only_a_redemption_is_cancelled_once_completed(mint, member_acc):
    accrual = accrue(member_acc, 500)
    with pytest.raises(errors.InvalidTransactionState, match="reverse it instead"):
        supersede(accrual, member_acc, mint, 500, status=TransactionStatus.CANCELLED)
    accrual.refresh_from_db()
    assert accrual.status == TransactionStatus.COMPLETED


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the guard is a PostgreSQL trigger")
def test_the_database_refuses_a_completed_transaction_cancelled_without_completed_at(
    member_acc, partner_acc
):
    accrue(member_acc, 500)
    original = redeem(member_acc, partner_acc)
    refused = pytest.raises(IntegrityError, match="cannot go from completed to cancelled")
    with refused, transaction.atomic():
        Transaction.objects.filter(pk=original.pk).update(
            status=TransactionStatus.CANCELLED, completed_at=None
        )
    follower = supersede(original, member_acc, partner_acc, 5)
    with pytest.raises(IntegrityError, match="identity"), transaction.atomic():
        Transaction.objects.filter(pk=follower.pk).update(previous=None)


@pytest.mark.django_db(transaction=True)
def test_concurrent_supersedes_of_one_link_one_wins(
    member_acc, partner_acc, run_concurrently, ledger_balances
):
    accrue(member_acc, 1_000)
    original = redeem(member_acc, partner_acc)

    def change(amount):
        return lambda: supersede(
            Transaction.objects.get(pk=original.pk), member_acc, partner_acc, amount
        )

    outcomes = run_concurrently([change(n + 1) for n in range(8)])
    won = [o for o in outcomes if isinstance(o, Transaction)]
    assert len(won) == 1, outcomes
    assert all(isinstance(o, errors.InvalidTransactionState) for o in outcomes if o not in won)
    assert holdings(member_acc) == (900 - won[0].amount, 0)
    ledger_balances()
