import datetime as dt

import pytest
from django.utils import timezone

from loyalty import ledger
from loyalty.models import TransactionStatus, TransactionType


def test_post_hold_release_cancel_reverse(mint, member_acc, ledger_balances):
    tx = ledger.post(origin=mint, destination=member_acc, amount=100, type=TransactionType.ACCRUAL)
    assert tx.status == TransactionStatus.COMPLETED
    held = ledger.hold(
        origin=mint,
        destination=member_acc,
        amount=50,
        type=TransactionType.ACCRUAL,
        release_date=timezone.now() + dt.timedelta(minutes=5),
    )
    member_acc.refresh_from_db()
    assert (member_acc.balance, member_acc.pending_balance) == (100, 50)
    ledger.release(transaction=held)
    member_acc.refresh_from_db()
    assert (member_acc.balance, member_acc.pending_balance) == (150, 0)
    rev = ledger.reverse(transaction=tx, reason="mistake")
    member_acc.refresh_from_db()
    assert member_acc.balance == 50
    assert rev.type == TransactionType.REVERSAL
    with pytest.raises(ledger.InsufficientFunds):
        ledger.post(origin=member_acc, destination=mint, amount=51, type=TransactionType.TRANSFER)
    ledger_balances()
