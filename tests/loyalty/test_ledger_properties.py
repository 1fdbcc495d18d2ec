"""A Hypothesis state machine drives the ledger with random operations, refused ones included.

A model of the expected balances and statuses is kept in Python. Each rule predicts whether the
ledger must accept or refuse the operation (and with which LedgerError); after every step the
database must match the model, balance (ledger_check), and respect every account's floor.
"""

import datetime as dt
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import partial

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    rule,
    run_state_machine_as_test,
)

from loyalty import errors, ledger
from loyalty.ledger_audit import ledger_report
from loyalty.models import Account, Transaction, TransactionStatus, TransactionType
from loyalty.selectors import member_account, mint_account
from tests.factories import LoyaltyCurrencyFactory, MemberFactory, PartnerFactory, partner_account

MINT = 0  # accounts by index: the mint, three members, then the partner
MEMBERS = (1, 2, 3)
PARTNER_CREDIT_LIMIT = 500
# Every example runs a month before the previous one (its clock moves a few days at most), so that
# the pending transactions earlier examples left in the database never fall due in its sweeps.
LATEST_START = dt.datetime(2200, 1, 1, 0, 0, 30, tzinfo=dt.UTC)
EXAMPLE_SPACING = dt.timedelta(days=30)

accounts = st.integers(min_value=0, max_value=4)
amounts = st.integers(min_value=1, max_value=400)
# Seconds from the clock to a release date; up to five minutes back, so that some are refused.
release_delays = st.integers(min_value=-300, max_value=3600)
# Which recorded transaction a rule acts on: an index (modulo how many there are) into all of
# them, or into those in one status when there are any, so that the happy paths come up often.
picks = st.tuples(
    st.sampled_from([None, TransactionStatus.PENDING, TransactionStatus.COMPLETED]),
    st.integers(min_value=0, max_value=10_000),
)
MEMBER_FUNDS = 300


@dataclass
class ExpectedTransaction:
    pk: int
    origin: int
    destination: int
    amount: int
    status: str
    release_date: dt.datetime | None = None


class LedgerMachine(RuleBasedStateMachine):
    """Mint, three members and a partner with a credit limit, in a fresh currency per example."""

    starts = itertools.count()

    def __init__(self) -> None:
        super().__init__()
        currency = LoyaltyCurrencyFactory()
        self.currency_id = currency.pk
        self.accounts = [
            mint_account(loyalty_currency=currency),
            *(member_account(member=MemberFactory(loyalty_currency=currency)) for _ in MEMBERS),
            partner_account(
                partner=PartnerFactory(),
                loyalty_currency=currency,
                credit_limit=PARTNER_CREDIT_LIMIT,
            ),
        ]
        self.floors = [None, 0, 0, 0, -PARTNER_CREDIT_LIMIT]  # None: no floor (the mint)
        self.balances = [0] * len(self.accounts)
        self.pending = [0] * len(self.accounts)
        self.transactions: list[ExpectedTransaction] = []
        self.clock = LATEST_START - next(self.starts) * EXAMPLE_SPACING
        for member in MEMBERS:  # a balance to spend and units pending, from the first step on
            self.post(MINT, member, MEMBER_FUNDS)
            self.hold(MINT, member, MEMBER_FUNDS, 1800)

    # Predictions ------------------------------------------------------------------------------

    @staticmethod
    def unless_pending(expected: ExpectedTransaction) -> type[errors.LedgerError] | None:
        pending = expected.status == TransactionStatus.PENDING
        return None if pending else errors.InvalidTransactionState

    def spending_refusal(
        self, origin: int, destination: int, amount: int
    ) -> type[errors.LedgerError] | None:
        if origin == destination:
            return errors.LedgerError
        floor = self.floors[origin]
        if floor is not None and self.balances[origin] - amount < floor:
            return errors.InsufficientFunds
        return None

    def attempt(
        self, refusal: type[errors.LedgerError] | None, operation: Callable[[], Transaction]
    ) -> Transaction | None:
        """Run the operation: it must succeed if `refusal` is None, else raise exactly `refusal`.

        Returns the operation's transaction, or None when it was (rightly) refused.
        """
        if refusal is None:
            return operation()
        with pytest.raises(errors.LedgerError) as caught:
            operation()
        assert type(caught.value) is refusal, caught.value
        return None

    def pick(self, chosen: tuple[str | None, int]) -> tuple[ExpectedTransaction, Transaction]:
        status, index = chosen
        candidates = [t for t in self.transactions if t.status == status] or self.transactions
        expected = candidates[index % len(candidates)]
        return expected, Transaction.objects.get(pk=expected.pk)

    def record(self, tx: Transaction, **expected) -> None:
        self.transactions.append(ExpectedTransaction(pk=tx.pk, amount=tx.amount, **expected))

    # Rules ------------------------------------------------------------------------------------

    @rule(origin=accounts, destination=accounts, amount=amounts, delay=st.none() | release_delays)
    def move(self, origin: int, destination: int, amount: int, delay: int | None) -> None:
        """Post now, or hold until `delay` seconds from the clock."""
        if delay is None:
            self.post(origin, destination, amount)
        else:
            self.hold(origin, destination, amount, delay)

    def post(self, origin: int, destination: int, amount: int) -> None:
        operation = partial(
            ledger.post,
            origin=self.accounts[origin],
            destination=self.accounts[destination],
            amount=amount,
            type=TransactionType.TRANSFER,
            now=self.clock,
        )
        if tx := self.attempt(self.spending_refusal(origin, destination, amount), operation):
            self.balances[origin] -= amount
            self.balances[destination] += amount
            self.record(
                tx, origin=origin, destination=destination, status=TransactionStatus.COMPLETED
            )

    def hold(self, origin: int, destination: int, amount: int, delay: int) -> None:
        release_date = self.clock + dt.timedelta(seconds=delay)
        release_minute = release_date.replace(second=0, microsecond=0)
        if release_minute <= self.clock:
            refusal = errors.InvalidReleaseDate
        else:
            refusal = self.spending_refusal(origin, destination, amount)
        operation = partial(
            ledger.hold,
            origin=self.accounts[origin],
            destination=self.accounts[destination],
            amount=amount,
            type=TransactionType.ACCRUAL,
            release_date=release_date,
            now=self.clock,
        )
        if tx := self.attempt(refusal, operation):
            self.balances[origin] -= amount
            self.pending[destination] += amount
            self.record(
                tx,
                origin=origin,
                destination=destination,
                status=TransactionStatus.PENDING,
                release_date=release_minute,
            )

    @rule(
        origin=accounts,
        destination=accounts,
        amount=st.sampled_from([0, -1, -400, True, Decimal("5"), Decimal("2.5"), "5"]),
    )
    def post_a_bad_amount(self, origin: int, destination: int, amount: object) -> None:
        operation = partial(
            ledger.post,
            origin=self.accounts[origin],
            destination=self.accounts[destination],
            amount=amount,
            type=TransactionType.TRANSFER,
        )
        self.attempt(errors.InvalidAmount, operation)

    @rule(chosen=picks, amount=amounts, delay=st.none() | release_delays)
    def amend(self, chosen: tuple[str | None, int], amount: int, delay: int | None) -> None:
        expected, tx = self.pick(chosen)
        release_date = None if delay is None else self.clock + dt.timedelta(seconds=delay)
        release_minute = release_date and release_date.replace(second=0, microsecond=0)
        delta = amount - expected.amount
        floor = self.floors[expected.origin]
        if expected.status != TransactionStatus.PENDING:
            refusal = errors.InvalidTransactionState
        elif release_minute is not None and release_minute <= self.clock:
            refusal = errors.InvalidReleaseDate
        elif delta > 0 and floor is not None and self.balances[expected.origin] - delta < floor:
            refusal = errors.InsufficientFunds
        else:
            refusal = None
        operation = partial(
            ledger.amend, transaction=tx, amount=amount, release_date=release_date, now=self.clock
        )
        if self.attempt(refusal, operation):
            self.balances[expected.origin] -= delta
            self.pending[expected.destination] += delta
            expected.amount = amount
            expected.release_date = release_minute or expected.release_date

    @rule(chosen=picks)
    def release(self, chosen: tuple[str | None, int]) -> None:
        expected, tx = self.pick(chosen)
        operation = partial(ledger.release, transaction=tx, now=self.clock)
        if self.attempt(self.unless_pending(expected), operation):
            self.settle(expected)

    @rule(chosen=picks)
    def cancel(self, chosen: tuple[str | None, int]) -> None:
        expected, tx = self.pick(chosen)
        if self.attempt(self.unless_pending(expected), partial(ledger.cancel, transaction=tx)):
            expected.status = TransactionStatus.CANCELLED
            self.pending[expected.destination] -= expected.amount
            self.balances[expected.origin] += expected.amount

    @rule(chosen=picks)
    def reverse(self, chosen: tuple[str | None, int]) -> None:
        expected, tx = self.pick(chosen)
        if expected.status != TransactionStatus.COMPLETED:
            refusal = errors.InvalidTransactionState
        else:
            refusal = self.spending_refusal(expected.destination, expected.origin, expected.amount)
        operation = partial(ledger.reverse, transaction=tx, reason="Property test", now=self.clock)
        if reversal := self.attempt(refusal, operation):
            expected.status = TransactionStatus.REVERSED
            self.balances[expected.destination] -= expected.amount
            self.balances[expected.origin] += expected.amount
            self.record(
                reversal,
                origin=expected.destination,
                destination=expected.origin,
                status=TransactionStatus.COMPLETED,
            )

    @rule(seconds=st.integers(min_value=1, max_value=2 * 3600))
    def wait(self, seconds: int) -> None:
        self.clock += dt.timedelta(seconds=seconds)

    @rule(
        seconds=st.integers(min_value=0, max_value=4 * 3600),
        batch_size=st.integers(min_value=1, max_value=4),
    )
    def release_due(self, seconds: int, batch_size: int) -> None:
        self.clock += dt.timedelta(seconds=seconds)
        due = [
            t
            for t in self.transactions
            if t.status == TransactionStatus.PENDING and t.release_date <= self.clock
        ]

        assert ledger.release_due(now=self.clock, batch_size=batch_size) == len(due)
        for expected in due:
            self.settle(expected)

    def settle(self, expected: ExpectedTransaction) -> None:
        expected.status = TransactionStatus.COMPLETED
        self.pending[expected.destination] -= expected.amount
        self.balances[expected.destination] += expected.amount

    # Invariants -------------------------------------------------------------------------------

    @invariant()
    def the_books_balance(self) -> None:
        report = ledger_report()
        assert report.ok, report.render()

    @invariant()
    def no_account_is_below_its_floor(self) -> None:
        stored = Account.objects.in_bulk([a.pk for a in self.accounts])
        for account, floor in zip(self.accounts, self.floors, strict=True):
            assert floor is None or stored[account.pk].balance >= floor

    @invariant()
    def the_database_matches_the_model(self) -> None:
        stored = Account.objects.in_bulk([a.pk for a in self.accounts])
        for i, account in enumerate(self.accounts):
            row = stored[account.pk]
            assert (row.balance, row.pending_balance) == (self.balances[i], self.pending[i])
        transactions = Transaction.objects.filter(loyalty_currency_id=self.currency_id)
        assert {
            pk: (status, amount, release_date)
            for pk, status, amount, release_date in transactions.values_list(
                "pk", "status", "amount", "release_date"
            )
        } == {t.pk: (t.status, t.amount, t.release_date) for t in self.transactions}


@pytest.mark.django_db
def test_the_ledger_keeps_its_invariants_under_random_operations():
    run_state_machine_as_test(
        LedgerMachine,
        settings=settings(max_examples=25, stateful_step_count=30, deadline=None),
    )
