"""Unit tests of every ledger operation and every refusal, on PostgreSQL.

A refusal must change nothing: `refused()` compares the transaction count and every account's
balance and pending balance before and after. Every scenario ends with ledger_check's invariants.
"""

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from loyalty import errors, ledger
from loyalty.models import (
    Account,
    Member,
    MemberStatus,
    PartnerStatus,
    PendingRelease,
    StatusMessageCode,
    Transaction,
    TransactionStatus,
    TransactionType,
)
from loyalty.selectors import member_account, mint_account
from tests.factories import LoyaltyCurrencyFactory, MemberFactory

NOW = dt.datetime(2030, 6, 1, 12, 0, 30, tzinfo=dt.UTC)


@pytest.fixture
def clock(time_machine) -> dt.datetime:
    """Stop the clock half-way through a minute, so that minute truncation shows."""
    time_machine.move_to(NOW, tick=False)
    return NOW


def books() -> tuple[int, dict[int, tuple[int, int]]]:
    """The transaction count and every account's (balance, pending balance)."""
    accounts = Account.objects.values_list("pk", "balance", "pending_balance")
    return Transaction.objects.count(), {pk: (bal, pending) for pk, bal, pending in accounts}


@contextmanager
def refused(error: type[Exception]) -> Iterator[pytest.ExceptionInfo]:
    """Expect `error` and prove that the refused operation changed nothing."""
    before = books()
    with pytest.raises(error) as caught:
        yield caught
    assert books() == before


def holdings(account: Account) -> tuple[int, int]:
    account.refresh_from_db(fields=["balance", "pending_balance"])
    return account.balance, account.pending_balance


def issue(mint: Account, account: Account, amount: int) -> Transaction:
    return ledger.post(
        origin=mint, destination=account, amount=amount, type=TransactionType.ACCRUAL
    )


def spend(account: Account, destination: Account, amount: int) -> Transaction:
    return ledger.post(
        origin=account, destination=destination, amount=amount, type=TransactionType.REDEMPTION
    )


def hold(origin: Account, destination: Account, amount: int, **kwargs) -> Transaction:
    kwargs.setdefault("release_date", NOW + dt.timedelta(hours=1))
    return ledger.hold(
        origin=origin,
        destination=destination,
        amount=amount,
        type=TransactionType.ACCRUAL,
        **kwargs,
    )


def stored(tx: Transaction) -> Transaction:
    return Transaction.objects.get(pk=tx.pk)


def schedule() -> list[tuple[int, dt.datetime, int]]:
    """The release schedule: (transaction id, release date, amount) per pending transaction."""
    return list(PendingRelease.objects.order_by("pk").values_list("pk", "release_date", "amount"))


# post ---------------------------------------------------------------------------------------


def test_post_completes_at_once_and_moves_the_units(clock, mint, member_acc, ledger_balances):
    tx = ledger.post(
        origin=mint,
        destination=member_acc,
        amount=250,
        type=TransactionType.ACCRUAL,
        reason="Welcome bonus",
        metadata={"campaign": "spring"},
        bonus=True,
    )

    tx = stored(tx)
    assert tx.status == TransactionStatus.COMPLETED
    assert tx.completed_at == clock
    assert tx.release_date is None
    assert (tx.status_message, tx.status_message_code) == (None, None)
    assert (tx.origin_account_id, tx.destination_account_id, tx.amount) == (
        mint.pk,
        member_acc.pk,
        250,
    )
    assert tx.loyalty_currency_id == member_acc.loyalty_currency_id
    assert (tx.reason, tx.metadata, tx.bonus) == ("Welcome bonus", {"campaign": "spring"}, True)
    assert holdings(mint) == (-250, 0)
    assert holdings(member_acc) == (250, 0)
    ledger_balances()


def test_post_and_hold_record_history_at_its_own_time(mint, member_acc, ledger_balances):
    """created_at is the insert's time unless history is recorded (the demo data, an import);
    the units move now either way."""
    before = dt.datetime.now(dt.UTC)
    plain = ledger.post(origin=mint, destination=member_acc, amount=5, type=TransactionType.ACCRUAL)
    assert plain.created_at >= before
    then = dt.datetime(2026, 3, 4, 11, 50, 3, tzinfo=dt.UTC)
    posted = ledger.post(
        origin=mint,
        destination=member_acc,
        amount=10,
        type=TransactionType.ACCRUAL,
        now=then,
        created_at=then,
    )
    held = ledger.hold(
        origin=mint,
        destination=member_acc,
        amount=20,
        type=TransactionType.ACCRUAL,
        release_date=then + dt.timedelta(days=3),
        now=then,
        created_at=then,
    )
    for tx in (posted, held):
        tx.refresh_from_db()
        assert tx.created_at == then
    assert posted.completed_at == then
    member_acc.refresh_from_db()
    assert (member_acc.balance, member_acc.pending_balance) == (15, 20)
    ledger_balances()


def test_post_spends_a_members_units(mint, member_acc, partner_acc, ledger_balances):
    issue(mint, member_acc, 100)

    spend(member_acc, partner_acc, 40)

    assert holdings(member_acc) == (60, 0)
    assert holdings(partner_acc) == (40, 0)
    ledger_balances()


def _unit():
    from loyalty.unit_of_work import unit_of_work

    return unit_of_work(ledger.apply_deferred)


def test_a_late_debit_is_written_last_in_a_unit_of_work(
    mint, member_acc, partner_acc, ledger_balances
):
    """late_debit defers the member's debit with the partner's credit to the unit's end: the
    stored balance is unchanged until then, and both are written when the unit closes."""
    issue(mint, member_acc, 100)
    with _unit() as unit:
        tx = ledger.post(
            origin=member_acc,
            destination=partner_acc,
            amount=40,
            type=TransactionType.REDEMPTION,
            late_debit=True,
        )
        assert holdings(member_acc) == (100, 0)
        assert holdings(partner_acc) == (0, 0)
        assert unit.members == {member_acc.pk}
    assert stored(tx).status == TransactionStatus.COMPLETED
    assert holdings(member_acc) == (60, 0)
    assert holdings(partner_acc) == (40, 0)
    ledger_balances()


def test_a_late_debit_beyond_the_balance_rolls_the_whole_unit_back(
    mint, member_acc, partner_acc, ledger_balances
):
    issue(mint, member_acc, 100)
    with refused(errors.InsufficientFunds), _unit():
        ledger.post(
            origin=member_acc,
            destination=partner_acc,
            amount=60,
            type=TransactionType.REDEMPTION,
            late_debit=True,
        )
        ledger.post(
            origin=member_acc,
            destination=partner_acc,
            amount=60,
            type=TransactionType.REDEMPTION,
            late_debit=True,
        )
    assert holdings(member_acc) == (100, 0)
    ledger_balances()


def test_a_late_debit_outside_a_unit_of_work_is_written_at_once(
    mint, member_acc, partner_acc, ledger_balances
):
    issue(mint, member_acc, 100)
    with refused(errors.InsufficientFunds):
        ledger.post(
            origin=member_acc,
            destination=partner_acc,
            amount=101,
            type=TransactionType.REDEMPTION,
            late_debit=True,
        )
    ledger.post(
        origin=member_acc,
        destination=partner_acc,
        amount=30,
        type=TransactionType.REDEMPTION,
        late_debit=True,
    )
    assert holdings(member_acc) == (70, 0)
    ledger_balances()


def _rename_member_last(unit, member: Member, name: str) -> None:
    unit.write_last("UPDATE loyalty_member SET first_name = %s WHERE id = %s", [name, member.pk])


def test_a_units_last_writes_are_written_with_its_deferred_updates(
    member, mint, member_acc, partner_acc, ledger_balances
):
    issue(mint, partner_acc, 100)
    with _unit() as unit:
        ledger.post(
            origin=partner_acc, destination=member_acc, amount=30, type=TransactionType.ACCRUAL
        )
        _rename_member_last(unit, member, "Renamed")
        member.refresh_from_db()
        assert member.first_name != "Renamed"
    member.refresh_from_db()
    assert member.first_name == "Renamed"
    assert holdings(partner_acc) == (70, 0)
    assert holdings(member_acc) == (30, 0)
    ledger_balances()


def test_a_refused_deferred_debit_rolls_the_last_writes_back_too(
    member, member_acc, partner_acc, ledger_balances
):
    """partner_acc may go 1,000 below zero, not 1,001."""
    with refused(errors.InsufficientFunds), _unit() as unit:
        ledger.post(
            origin=partner_acc, destination=member_acc, amount=1_001, type=TransactionType.ACCRUAL
        )
        _rename_member_last(unit, member, "Renamed")
    member.refresh_from_db()
    assert member.first_name != "Renamed"
    ledger_balances()


def test_a_units_last_writes_are_written_without_deferred_updates(member):
    with _unit() as unit:
        _rename_member_last(unit, member, "Renamed")
    member.refresh_from_db()
    assert member.first_name == "Renamed"


@pytest.mark.parametrize("payer_first", [True, False], ids=["debit-in-insert", "debit-after"])
def test_a_refused_debit_outside_a_unit_changes_nothing(
    payer_first, mint, member_acc, other_member_acc, ledger_balances
):
    """Outside a unit of work the INSERT carries the first account's write in the lock order
    (by id between members), the other follows: whichever is refused, nothing stays."""
    low, high = sorted((member_acc, other_member_acc), key=lambda account: account.pk)
    payer, payee = (low, high) if payer_first else (high, low)
    issue(mint, payer, 10)
    with refused(errors.InsufficientFunds):
        ledger.post(origin=payer, destination=payee, amount=11, type=TransactionType.TRANSFER)
    ledger.post(origin=payer, destination=payee, amount=10, type=TransactionType.TRANSFER)
    assert holdings(payer) == (0, 0)
    assert holdings(payee) == (10, 0)
    ledger_balances()


def test_post_refuses_an_unknown_field(mint, member_acc, ledger_balances):
    with refused(TypeError):
        ledger.post(
            origin=mint,
            destination=member_acc,
            amount=1,
            type=TransactionType.ACCRUAL,
            colour="red",
        )
    ledger_balances()


# hold ---------------------------------------------------------------------------------------


def test_hold_takes_the_units_now_and_keeps_them_pending(
    clock, mint, member_acc, partner_acc, ledger_balances
):
    issue(mint, member_acc, 100)

    tx = hold(
        member_acc,
        partner_acc,
        30,
        release_date=dt.datetime(2030, 6, 1, 12, 5, 42, 7, tzinfo=dt.UTC),
    )

    tx = stored(tx)
    assert tx.status == TransactionStatus.PENDING
    assert tx.release_date == dt.datetime(2030, 6, 1, 12, 5, tzinfo=dt.UTC)
    assert tx.completed_at is None
    assert tx.status_message_code == StatusMessageCode.RELEASE_DATE_NOT_REACHED
    assert holdings(member_acc) == (70, 0)
    assert holdings(partner_acc) == (0, 30)
    ledger_balances()


def test_hold_puts_the_transaction_in_the_release_schedule(
    clock, mint, member_acc, ledger_balances
):
    tx = hold(mint, member_acc, 30, release_date=dt.datetime(2030, 6, 1, 12, 5, 42, tzinfo=dt.UTC))

    assert schedule() == [(tx.pk, dt.datetime(2030, 6, 1, 12, 5, tzinfo=dt.UTC), 30)]
    ledger_balances()


@pytest.mark.parametrize("operation", [ledger.release, ledger.cancel], ids=["release", "cancel"])
def test_release_and_cancel_take_the_transaction_off_the_schedule(
    clock, operation, mint, member_acc, ledger_balances
):
    tx = hold(mint, member_acc, 30)
    kept = hold(mint, member_acc, 40)

    operation(transaction=tx)

    assert schedule() == [(kept.pk, kept.release_date, 40)]
    ledger_balances()


def test_a_refused_cancel_leaves_the_schedule_as_it_was(clock, mint, member_acc, ledger_balances):
    tx = hold(mint, member_acc, 30)
    ledger.release(transaction=tx)
    kept = hold(mint, member_acc, 40)

    with refused(errors.InvalidTransactionState):
        ledger.cancel(transaction=tx)
    assert schedule() == [(kept.pk, kept.release_date, 40)]
    ledger_balances()


def test_a_hold_costs_the_statements_of_a_post(clock, mint, member_acc):
    """Its schedule row rides the statement of its INSERT and the member's credit."""
    with CaptureQueriesContext(connection) as posted:
        issue(mint, member_acc, 10)
    with CaptureQueriesContext(connection) as held:
        hold(mint, member_acc, 10)

    assert len(held) == len(posted)
    [insert] = [q["sql"] for q in held.captured_queries if "loyalty_transaction" in q["sql"]]
    assert "loyalty_pendingrelease" in insert


def test_hold_accepts_the_next_minute(clock, mint, member_acc, ledger_balances):
    tx = hold(mint, member_acc, 10, release_date=dt.datetime(2030, 6, 1, 12, 1, tzinfo=dt.UTC))

    assert stored(tx).release_date == dt.datetime(2030, 6, 1, 12, 1, tzinfo=dt.UTC)
    ledger_balances()


@pytest.mark.parametrize(
    "release_date",
    [
        NOW - dt.timedelta(days=1),
        NOW - dt.timedelta(seconds=31),  # 12:00:00, the start of the current minute
        NOW + dt.timedelta(seconds=29),  # 12:00:59, still the current minute once truncated
    ],
    ids=["past", "start-of-current-minute", "end-of-current-minute"],
)
def test_hold_refuses_a_release_date_not_after_the_current_minute(
    clock, release_date, mint, member_acc, ledger_balances
):
    with refused(errors.InvalidReleaseDate) as caught:
        hold(mint, member_acc, 10, release_date=release_date)
    assert caught.value.field == "release_date"
    ledger_balances()


def test_hold_refuses_a_naive_release_date(clock, mint, member_acc, ledger_balances):
    with refused(errors.InvalidReleaseDate):
        hold(mint, member_acc, 10, release_date=dt.datetime(2030, 6, 2, 12, 0))
    ledger_balances()


def test_hold_refuses_a_member_without_the_units(clock, mint, member_acc, partner_acc):
    issue(mint, member_acc, 10)

    with refused(errors.InsufficientFunds):
        hold(member_acc, partner_acc, 11)


def test_pending_units_cannot_be_spent(clock, mint, member_acc, partner_acc, ledger_balances):
    hold(mint, member_acc, 100)

    with refused(errors.InsufficientFunds):
        spend(member_acc, partner_acc, 1)
    ledger_balances()


# release ------------------------------------------------------------------------------------


def test_release_completes_a_pending_transaction_before_its_date(
    clock, mint, member_acc, ledger_balances
):
    tx = hold(mint, member_acc, 40, release_date=clock + dt.timedelta(days=30))

    ledger.release(transaction=tx)

    tx = stored(tx)
    assert tx.status == TransactionStatus.COMPLETED
    assert tx.completed_at == clock
    assert (tx.status_message, tx.status_message_code) == (None, None)
    assert holdings(member_acc) == (40, 0)
    assert holdings(mint) == (-40, 0)
    ledger_balances()


def test_release_refuses_a_cancelled_transaction(clock, mint, member_acc, ledger_balances):
    tx = hold(mint, member_acc, 40)
    ledger.cancel(transaction=tx)

    with refused(errors.InvalidTransactionState):
        ledger.release(transaction=stored(tx))
    assert stored(tx).status == TransactionStatus.CANCELLED
    ledger_balances()


def test_release_refuses_a_second_release(clock, mint, member_acc, ledger_balances):
    tx = hold(mint, member_acc, 40)
    ledger.release(transaction=tx)

    with refused(errors.InvalidTransactionState):
        ledger.release(transaction=stored(tx))
    assert holdings(member_acc) == (40, 0)
    ledger_balances()


# cancel -------------------------------------------------------------------------------------


def test_cancel_returns_the_units_to_the_origin(
    clock, mint, member_acc, partner_acc, ledger_balances
):
    issue(mint, member_acc, 100)
    tx = hold(member_acc, partner_acc, 60)

    ledger.cancel(transaction=tx)

    tx = stored(tx)
    assert tx.status == TransactionStatus.CANCELLED
    assert tx.completed_at is None
    assert (tx.status_message, tx.status_message_code) == (None, None)
    assert holdings(member_acc) == (100, 0)
    assert holdings(partner_acc) == (0, 0)
    ledger_balances()


def test_cancel_refuses_a_completed_transaction(mint, member_acc, ledger_balances):
    tx = issue(mint, member_acc, 100)

    with refused(errors.InvalidTransactionState):
        ledger.cancel(transaction=tx)
    assert stored(tx).status == TransactionStatus.COMPLETED
    ledger_balances()


def test_cancel_refuses_a_released_transaction(clock, mint, member_acc, ledger_balances):
    tx = hold(mint, member_acc, 100)
    ledger.release(transaction=tx)

    with refused(errors.InvalidTransactionState):
        ledger.cancel(transaction=stored(tx))
    ledger_balances()


def test_cancel_refuses_a_second_cancel(clock, mint, member_acc, ledger_balances):
    tx = hold(mint, member_acc, 100)
    ledger.cancel(transaction=tx)

    with refused(errors.InvalidTransactionState):
        ledger.cancel(transaction=stored(tx))
    assert holdings(mint) == (0, 0)
    ledger_balances()


# reverse ------------------------------------------------------------------------------------


def test_reverse_posts_a_linked_reversal_and_marks_the_original(
    clock, mint, member_acc, partner_acc, ledger_balances
):
    issue(mint, member_acc, 100)
    original = spend(member_acc, partner_acc, 30)
    original_completed_at = stored(original).completed_at

    reversal = ledger.reverse(transaction=original, reason="Duplicate order")

    reversal = stored(reversal)
    assert reversal.type == TransactionType.REVERSAL
    assert reversal.status == TransactionStatus.COMPLETED
    assert reversal.reverses_id == original.pk
    assert (reversal.origin_account_id, reversal.destination_account_id) == (
        partner_acc.pk,
        member_acc.pk,
    )
    assert (reversal.amount, reversal.reason, reversal.completed_at) == (
        30,
        "Duplicate order",
        clock,
    )
    original = stored(original)
    assert original.status == TransactionStatus.REVERSED
    assert original.completed_at == original_completed_at
    assert list(original.reversals.all()) == [reversal]
    assert holdings(member_acc) == (100, 0)
    assert holdings(partner_acc) == (0, 0)
    ledger_balances()


def test_reverse_is_allowed_whatever_the_members_status(mint, member, member_acc, ledger_balances):
    tx = issue(mint, member_acc, 100)
    Member.objects.filter(pk=member.pk).update(status=MemberStatus.FRAUD)

    ledger.reverse(transaction=tx, reason="Fraudulent accrual")

    assert holdings(member_acc) == (0, 0)
    ledger_balances()


def test_reverse_refuses_when_the_member_spent_the_units(
    mint, member_acc, partner_acc, ledger_balances
):
    accrual = issue(mint, member_acc, 100)
    spend(member_acc, partner_acc, 60)

    with refused(errors.InsufficientFunds):
        ledger.reverse(transaction=accrual, reason="Mistake")
    assert stored(accrual).status == TransactionStatus.COMPLETED
    ledger_balances()


def test_refused_reverse_leaves_the_callers_transaction_as_it_was(
    mint, member_acc, partner_acc, ledger_balances
):
    """The caller's instance must not claim a reversal that was rolled back."""
    accrual = issue(mint, member_acc, 100)
    spend(member_acc, partner_acc, 60)

    with refused(errors.InsufficientFunds):
        ledger.reverse(transaction=accrual, reason="Mistake")
    assert accrual.status == TransactionStatus.COMPLETED
    ledger_balances()


def test_reverse_refuses_a_pending_transaction(clock, mint, member_acc, ledger_balances):
    tx = hold(mint, member_acc, 100)

    with refused(errors.InvalidTransactionState):
        ledger.reverse(transaction=tx, reason="Too early")
    assert stored(tx).status == TransactionStatus.PENDING
    ledger_balances()


def test_reverse_refuses_a_second_reversal(mint, member_acc, ledger_balances):
    tx = issue(mint, member_acc, 100)
    ledger.reverse(transaction=tx, reason="Mistake")

    with refused(errors.InvalidTransactionState):
        ledger.reverse(transaction=stored(tx), reason="Mistake again")
    ledger_balances()


# amend --------------------------------------------------------------------------------------


def test_amend_raises_a_pending_amount_and_takes_the_difference_now(
    clock, mint, member_acc, partner_acc, ledger_balances
):
    issue(mint, member_acc, 100)
    tx = hold(member_acc, partner_acc, 30)

    ledger.amend(transaction=tx, amount=50, reason="Two more nights")

    assert tx.amount == 50
    assert (stored(tx).amount, stored(tx).reason) == (50, "Two more nights")
    assert holdings(member_acc) == (50, 0)
    assert holdings(partner_acc) == (0, 50)
    ledger_balances()


def test_amend_lowers_a_pending_amount_and_returns_the_difference(
    clock, mint, member_acc, partner_acc, ledger_balances
):
    issue(mint, member_acc, 100)
    tx = hold(member_acc, partner_acc, 30)

    ledger.amend(transaction=tx, amount=10)

    assert holdings(member_acc) == (90, 0)
    assert holdings(partner_acc) == (0, 10)
    ledger_balances()


def test_amend_moves_the_release_date_truncated_to_the_minute(
    clock, mint, member_acc, ledger_balances
):
    tx = hold(mint, member_acc, 30)

    ledger.amend(transaction=tx, release_date=dt.datetime(2030, 6, 3, 8, 15, 59, tzinfo=dt.UTC))

    assert stored(tx).release_date == dt.datetime(2030, 6, 3, 8, 15, tzinfo=dt.UTC)
    assert stored(tx).status == TransactionStatus.PENDING
    ledger_balances()


def test_amend_reschedules_the_release_with_the_new_date_and_amount(
    clock, mint, member_acc, ledger_balances
):
    tx = hold(mint, member_acc, 30)

    ledger.amend(
        transaction=tx, amount=45, release_date=dt.datetime(2030, 6, 3, 8, 15, 59, tzinfo=dt.UTC)
    )

    assert schedule() == [(tx.pk, dt.datetime(2030, 6, 3, 8, 15, tzinfo=dt.UTC), 45)]
    ledger_balances()


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"amount": 101}, errors.InsufficientFunds),
        ({"amount": 0}, errors.InvalidAmount),
        ({"amount": True}, errors.InvalidAmount),
        ({"release_date": NOW + dt.timedelta(seconds=29)}, errors.InvalidReleaseDate),
        ({"release_date": dt.datetime(2030, 6, 3, 8, 0)}, errors.InvalidReleaseDate),
        ({"colour": "red"}, TypeError),
    ],
    ids=["beyond-funds", "zero", "bool", "current-minute", "naive", "unknown-field"],
)
def test_amend_refuses_bad_changes(
    clock, changes, error, mint, member_acc, partner_acc, ledger_balances
):
    issue(mint, member_acc, 100)
    tx = hold(member_acc, partner_acc, 30)

    with refused(error):
        ledger.amend(transaction=tx, **changes)
    assert stored(tx).amount == 30
    ledger_balances()


@pytest.mark.parametrize("status", [TransactionStatus.COMPLETED, TransactionStatus.CANCELLED])
def test_amend_refuses_a_transaction_that_is_no_longer_pending(
    clock, status, mint, member_acc, ledger_balances
):
    tx = hold(mint, member_acc, 30)
    if status == TransactionStatus.COMPLETED:
        ledger.release(transaction=tx)
    else:
        ledger.cancel(transaction=tx)

    with refused(errors.InvalidTransactionState):
        ledger.amend(transaction=stored(tx), amount=40)
    ledger_balances()


def test_release_moves_the_amended_amount_whatever_the_callers_copy_says(
    clock, mint, member_acc, ledger_balances
):
    """A copy loaded before an amendment (another request, another process) is stale."""
    tx = hold(mint, member_acc, 100)
    ledger.amend(transaction=stored(tx), amount=150)

    ledger.release(transaction=tx)

    assert holdings(member_acc) == (150, 0)
    ledger_balances()


def test_cancel_returns_the_amended_amount_whatever_the_callers_copy_says(
    clock, mint, member_acc, ledger_balances
):
    tx = hold(mint, member_acc, 100)
    ledger.amend(transaction=stored(tx), amount=150)

    ledger.cancel(transaction=tx)

    assert holdings(mint) == (0, 0)
    assert holdings(member_acc) == (0, 0)
    ledger_balances()


# overdraft and credit limits -----------------------------------------------------------------


def test_a_member_can_spend_exactly_its_balance_and_no_more(
    mint, member_acc, partner_acc, ledger_balances
):
    issue(mint, member_acc, 100)

    with refused(errors.InsufficientFunds) as caught:
        spend(member_acc, partner_acc, 101)
    assert (caught.value.code, caught.value.field) == ("insufficient_funds", "amount")

    spend(member_acc, partner_acc, 100)
    assert holdings(member_acc) == (0, 0)
    with refused(errors.InsufficientFunds):
        spend(member_acc, partner_acc, 1)
    ledger_balances()


def test_a_partner_may_go_down_to_exactly_minus_its_credit_limit(
    member_acc, partner_acc, ledger_balances
):
    assert partner_acc.credit_limit == 1_000

    with refused(errors.InsufficientFunds):
        spend(partner_acc, member_acc, 1_001)

    spend(partner_acc, member_acc, 1_000)
    assert holdings(partner_acc) == (-1_000, 0)
    with refused(errors.InsufficientFunds):
        spend(partner_acc, member_acc, 1)
    ledger_balances()


def test_the_mint_goes_negative_without_limit(clock, mint, member_acc, ledger_balances):
    issue(mint, member_acc, 10**15)
    hold(mint, member_acc, 10**15)

    assert holdings(mint) == (-2 * 10**15, 0)
    ledger_balances()


# owners -------------------------------------------------------------------------------------


@pytest.mark.parametrize("operation", ["post", "hold"])
@pytest.mark.parametrize("side", ["origin", "destination"])
@pytest.mark.parametrize(
    "status", [MemberStatus.BLOCKED, MemberStatus.CLOSED, MemberStatus.DECEASED, MemberStatus.FRAUD]
)
def test_an_inactive_member_neither_spends_nor_receives(
    clock, status, side, operation, mint, member, member_acc, ledger_balances
):
    issue(mint, member_acc, 100)
    Member.objects.filter(pk=member.pk).update(status=status)
    account = member_account(member=Member.objects.get(pk=member.pk))
    origin, destination = (account, mint) if side == "origin" else (mint, account)

    with refused(errors.InactiveAccountOwner) as caught:
        if operation == "post":
            spend(origin, destination, 10)
        else:
            hold(origin, destination, 10)
    assert caught.value.field == "member"
    ledger_balances()


@pytest.mark.parametrize("side", ["origin", "destination"])
def test_a_suspended_partner_neither_spends_nor_receives(
    side, mint, partner, partner_acc, member_acc, ledger_balances
):
    issue(mint, member_acc, 100)
    partner.status = PartnerStatus.SUSPENDED
    partner.save(update_fields=["status"])
    origin, destination = (
        (partner_acc, member_acc) if side == "origin" else (member_acc, partner_acc)
    )

    with refused(errors.InactiveAccountOwner):
        spend(origin, destination, 10)
    ledger_balances()


def test_a_suspended_currency_owner_issues_nothing(currency, member_acc, ledger_balances):
    owner = currency.owner
    owner.status = PartnerStatus.SUSPENDED
    owner.save(update_fields=["status"])

    with refused(errors.InactiveAccountOwner):
        issue(mint_account(loyalty_currency=currency), member_acc, 10)
    ledger_balances()


# input --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "amount",
    [0, -1, -100, True, False, Decimal("10"), 10.0, "10", None],
    ids=repr,
)
def test_the_amount_must_be_a_positive_whole_number(amount, mint, member_acc, ledger_balances):
    with refused(errors.InvalidAmount) as caught:
        issue(mint, member_acc, amount)
    assert caught.value.field == "amount"
    ledger_balances()


def test_accounts_of_two_currencies_are_refused(clock, mint, ledger_balances):
    other_currency = LoyaltyCurrencyFactory()
    foreign = member_account(member=MemberFactory(loyalty_currency=other_currency))

    with refused(errors.CurrencyMismatch):
        issue(mint, foreign, 10)
    with refused(errors.CurrencyMismatch):
        hold(mint, foreign, 10)
    ledger_balances()


def test_the_same_account_on_both_sides_is_refused(mint, member_acc, ledger_balances):
    issue(mint, member_acc, 100)

    with refused(errors.LedgerError) as caught:
        spend(member_acc, member_acc, 10)
    assert type(caught.value) is errors.LedgerError
    assert caught.value.field == "origin"
    ledger_balances()
