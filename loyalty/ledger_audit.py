"""Reads that prove the ledger: stored balances against what the transactions say, and the
release schedule against the pending transactions.

Used by `manage.py ledger_check` and by the test suite after every ledger scenario.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q, Sum

from loyalty.models import Account, PendingRelease, Transaction, TransactionStatus
from loyalty.models.transactions import PENDING_STATUSES, SETTLED


@dataclass(frozen=True)
class AccountMismatch:
    account: str
    stored_balance: int
    expected_balance: int
    stored_pending: int
    expected_pending: int


@dataclass(frozen=True)
class CurrencyTotal:
    currency: str
    accounts: int
    total: int  # balance + pending over every account; zero when the books balance


@dataclass
class LedgerReport:
    accounts_checked: int = 0
    transactions_checked: int = 0
    mismatches: list[AccountMismatch] = field(default_factory=list)
    currencies: list[CurrencyTotal] = field(default_factory=list)
    # Pending transactions the sweep would never release (no schedule row with their release
    # date and amount), and schedule rows of transactions that are no longer pending.
    unscheduled: list[str] = field(default_factory=list)
    stray: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (
            not self.mismatches
            and not self.unscheduled
            and not self.stray
            and all(c.total == 0 for c in self.currencies)
        )

    def render(self) -> str:
        lines = [
            f"Checked {self.accounts_checked} accounts against "
            f"{self.transactions_checked} transactions."
        ]
        for c in self.currencies:
            verdict = "balances" if c.total == 0 else f"OFF BY {c.total}"
            lines.append(f"  {c.currency}: {c.accounts} accounts, sum {c.total} ({verdict})")
        for m in self.mismatches:
            lines.append(
                f"  MISMATCH {m.account}: balance {m.stored_balance} "
                f"(transactions say {m.expected_balance}), pending {m.stored_pending} "
                f"(transactions say {m.expected_pending})"
            )
        for public_id in self.unscheduled:
            lines.append(
                f"  UNSCHEDULED {public_id}: pending, but not in the release schedule with its "
                "release date and amount"
            )
        for public_id in self.stray:
            lines.append(f"  STRAY {public_id}: in the release schedule, but no longer pending")
        lines.append(
            "OK: the ledger balances." if self.ok else "FAILED: the ledger does not balance."
        )
        return "\n".join(lines)


def _sums(group_by: str, moved: Q) -> dict[int, int]:
    rows = (
        Transaction.objects.filter(moved)
        .order_by()
        .values(group_by)
        .annotate(total=Sum("amount"))
        .values_list(group_by, "total")
    )
    return dict(rows)


def ledger_report() -> LedgerReport:
    """Recompute every account's balance and pending balance from the transactions.

    balance = settled in - (settled + pending) out; pending = pending in (pending and
    pending_external_approval). Rejected transactions and those cancelled while pending move
    nothing; a redemption cancelled after it completed stays settled
    (models.transactions.SETTLED), its refund being a transaction of its own. Per currency,
    balances plus pending balances sum to zero. Every pending transaction, and no other, is in
    the release schedule, with its release date and amount.
    """
    pending = Q(status__in=PENDING_STATUSES)
    settled_in = _sums("destination_account_id", SETTLED)
    out = _sums("origin_account_id", SETTLED | pending)
    pending_in = _sums("destination_account_id", pending)

    report = LedgerReport(transactions_checked=Transaction.objects.count())
    per_currency: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    accounts = Account.objects.values_list(
        "pk", "public_id", "loyalty_currency__code", "balance", "pending_balance"
    ).order_by("pk")
    for pk, public_id, currency, balance, pending_balance in accounts.iterator():
        report.accounts_checked += 1
        totals = per_currency[currency]
        totals[0] += 1
        totals[1] += balance + pending_balance
        expected_balance = settled_in.get(pk, 0) - out.get(pk, 0)
        expected_pending = pending_in.get(pk, 0)
        if (balance, pending_balance) != (expected_balance, expected_pending):
            report.mismatches.append(
                AccountMismatch(
                    public_id, balance, expected_balance, pending_balance, expected_pending
                )
            )
    report.currencies = [
        CurrencyTotal(code, count, total) for code, (count, total) in sorted(per_currency.items())
    ]
    report.unscheduled, report.stray = _schedule_differences()
    return report


def _schedule_differences() -> tuple[list[str], list[str]]:
    scheduled = PendingRelease.objects.filter(
        transaction=OuterRef("pk"), release_date=OuterRef("release_date"), amount=OuterRef("amount")
    )
    unscheduled = (
        Transaction.objects.filter(status=TransactionStatus.PENDING)
        .filter(~Exists(scheduled))
        .order_by("pk")
        .values_list("public_id", flat=True)
    )
    stray = (
        PendingRelease.objects.exclude(transaction__status=TransactionStatus.PENDING)
        .order_by("pk")
        .values_list("transaction__public_id", flat=True)
    )
    return list(unscheduled), list(stray)
