"""Helpers shared by the loyalty tests of several modules: tiers, the release sweep, FX rates."""

import datetime as dt
import time
from collections.abc import Callable
from decimal import Decimal

from loyalty import ledger
from loyalty.models import Account, FxRate, Member, Transaction, TransactionType
from loyalty.selectors import mint_account

# Tiers ---------------------------------------------------------------------------------------


NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)


def accrue(account: Account, amount: int, *, at: dt.datetime = NOW, type=TransactionType.ACCRUAL):
    mint = mint_account(loyalty_currency=account.loyalty_currency)
    return ledger.post(origin=mint, destination=account, amount=amount, type=type, now=at)


def tier_of(member: Member):
    member.refresh_from_db()
    return member.tier


# Pending transactions and their release ------------------------------------------------------


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


def holdings(account: Account) -> tuple[int, int]:
    account.refresh_from_db(fields=["balance", "pending_balance"])
    return account.balance, account.pending_balance


def wait_for(condition: Callable[[], object], *, timeout: float, what: str) -> object:
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        assert time.monotonic() < deadline, f"timed out after {timeout} s waiting for {what}"
        time.sleep(0.05)
    return result


# FX rates ------------------------------------------------------------------------------------


DAY = dt.date(2026, 11, 20)
D = Decimal


def rate(base, quote, value, date=DAY):
    return FxRate.objects.create(base=base, quote=quote, date=date, rate=D(value))


def stored() -> set[tuple[str, str, dt.date, Decimal, str]]:
    return set(FxRate.objects.values_list("base", "quote", "date", "rate", "source"))
