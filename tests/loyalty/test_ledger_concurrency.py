"""The ledger under real concurrency: threads with their own PostgreSQL connections.

Transactional tests, because each thread works in its own connection and must see committed rows.
"""

import threading

import pytest

from loyalty import errors, ledger
from loyalty.models import Account, Transaction, TransactionType
from loyalty.selectors import member_account
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db(transaction=True)


def balance_of(account: Account) -> int:
    return Account.objects.values_list("balance", flat=True).get(pk=account.pk)


def test_concurrent_debits_never_overdraw_a_member(
    mint, member_acc, partner_acc, run_concurrently, ledger_balances
):
    funds, amount, attempts = 1_000, 30, 50
    ledger.post(origin=mint, destination=member_acc, amount=funds, type=TransactionType.ACCRUAL)
    unfinished = [attempts]
    lock = threading.Lock()
    finished = threading.Event()

    def debit() -> Transaction:
        try:
            return ledger.post(
                origin=member_acc,
                destination=partner_acc,
                amount=amount,
                type=TransactionType.REDEMPTION,
            )
        finally:
            with lock:
                unfinished[0] -= 1
                if not unfinished[0]:
                    finished.set()

    def lowest_balance_seen() -> int:
        seen = [balance_of(member_acc)]
        while not finished.is_set():
            seen.append(balance_of(member_acc))
        return min(seen)

    *outcomes, lowest = run_concurrently([debit] * attempts + [lowest_balance_seen])

    debits = [o for o in outcomes if isinstance(o, Transaction)]
    refusals = [o for o in outcomes if not isinstance(o, Transaction)]
    assert len(debits) == funds // amount
    assert all(type(r) is errors.InsufficientFunds for r in refusals), refusals
    assert lowest >= 0
    assert balance_of(member_acc) == funds - len(debits) * amount
    assert balance_of(partner_acc) == len(debits) * amount
    assert Transaction.objects.count() == 1 + len(debits)
    ledger_balances()


def test_opposite_transfers_between_two_members_never_deadlock(
    currency, mint, run_concurrently, ledger_balances
):
    alice = member_account(member=MemberFactory(loyalty_currency=currency))
    bob = member_account(member=MemberFactory(loyalty_currency=currency))
    for account in (alice, bob):
        ledger.post(origin=mint, destination=account, amount=500, type=TransactionType.ACCRUAL)
    threads_per_direction, transfers_per_thread = 20, 5  # at most 5 units each: never short

    def transfers(origin: Account, destination: Account, seed: int) -> int:
        moved = 0
        for step in range(transfers_per_thread):
            amount = (seed + step) % 5 + 1
            ledger.post(
                origin=origin, destination=destination, amount=amount, type=TransactionType.TRANSFER
            )
            moved += amount
        return moved

    calls = []
    for seed in range(threads_per_direction):
        calls.append(lambda seed=seed: transfers(alice, bob, seed))
        calls.append(lambda seed=seed: transfers(bob, alice, seed + 2))
    outcomes = run_concurrently(calls)

    failures = [o for o in outcomes if not isinstance(o, int)]
    assert not failures, failures
    alice_to_bob, bob_to_alice = sum(outcomes[0::2]), sum(outcomes[1::2])
    assert balance_of(alice) == 500 - alice_to_bob + bob_to_alice
    assert balance_of(bob) == 500 - bob_to_alice + alice_to_bob
    assert Transaction.objects.count() == 2 + 2 * threads_per_direction * transfers_per_thread
    ledger_balances()
