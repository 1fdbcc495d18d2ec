"""Points expiry: when earned units expire, and how many a member has that are due, from the ledger.

A currency's policy (LoyaltyCurrency.expiry_*) says that units earned at moment t expire at
t + N days or months, or at the end of the month or year that moment falls in. Units are spent
oldest first, so what expires at a cutoff is what was earned early enough and is not yet spent:

    expirable(cutoff) = max(0, earned before earned_before(cutoff) - everything spent so far)

"Everything spent" counts every debit of the account (redemptions, transfers out, holds out,
earlier expirations), so the formula is exact under FIFO: a debit can only consume units earned
before it, and consumes the oldest first. A reversed transaction and its reversal cancel out and
are both left out (the units come back where they were). Pending units are not yet earned: they
never expire while pending, and count as earned at their release date once released.

Reads only; the write is loyalty.services.expiry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet, Sum
from django.db.models.functions import Coalesce

from loyalty.models import (
    Account,
    ExpiryPolicy,
    ExpiryRounding,
    LoyaltyCurrency,
    MemberStatus,
    Transaction,
    TransactionStatus,
    TransactionType,
)

# Incoming units a member may spend (pending ones are not yet theirs to spend, nor to lose).
EARNED_STATUSES = (
    TransactionStatus.COMPLETED,
    TransactionStatus.ADJUSTED,
    TransactionStatus.PENDING_EXTERNAL_APPROVAL,
)
# Outgoing units that have left the member (a hold out leaves at once).
SPENT_STATUSES = (*EARNED_STATUSES, TransactionStatus.PENDING)


def _add_months(moment: dt.datetime, months: int) -> dt.datetime:
    """`moment` moved by whole months, the day clipped to the target month's length."""
    index = moment.year * 12 + moment.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    next_month = dt.date(year + (month == 12), month % 12 + 1, 1)
    last_day = (next_month - dt.timedelta(days=1)).day
    return moment.replace(year=year, month=month, day=min(moment.day, last_day))


def _shift(currency: LoyaltyCurrency, moment: dt.datetime, sign: int) -> dt.datetime:
    n = sign * currency.expiry_period
    if currency.expiry_policy == ExpiryPolicy.DAYS:
        return moment + dt.timedelta(days=n)
    return _add_months(moment, n)


def _period_start(rounding: str, moment: dt.datetime) -> dt.datetime:
    start = moment.replace(hour=0, minute=0, second=0, microsecond=0, day=1)
    return start.replace(month=1) if rounding == ExpiryRounding.END_OF_YEAR else start


def expires_at(currency: LoyaltyCurrency, earned_at: dt.datetime) -> dt.datetime | None:
    """The moment units earned at `earned_at` expire (None: never). "The end of the month" is
    the first moment of the next month."""
    if currency.expiry_policy == ExpiryPolicy.NEVER:
        return None
    moment = _shift(currency, earned_at, +1)
    if currency.expiry_rounding == ExpiryRounding.EXACT:
        return moment
    start = _period_start(currency.expiry_rounding, moment)
    if currency.expiry_rounding == ExpiryRounding.END_OF_YEAR:
        return start.replace(year=start.year + 1)
    return _add_months(start, 1)


def earned_before(currency: LoyaltyCurrency, cutoff: dt.datetime) -> dt.datetime | None:
    """Units earned before this moment have expired by `cutoff` (None: the policy is never).

    The inverse of expires_at: with rounding, units expire at the start of the month (year)
    after t + N, so they have expired at the cutoff when t + N lies before the cutoff's month
    (year) began.
    """
    if currency.expiry_policy == ExpiryPolicy.NEVER:
        return None
    if currency.expiry_rounding != ExpiryRounding.EXACT:
        return _shift(currency, _period_start(currency.expiry_rounding, cutoff), -1)
    # Units expiring exactly at the cutoff have expired. (With months, a day clipped at a
    # month's end, e.g. Jan 31 + 1 month = Feb 28, expires on the later day of the inverse.)
    return _shift(currency, cutoff, -1) + dt.timedelta(microseconds=1)


def run_cutoff(now: dt.datetime) -> dt.datetime:
    """The cutoff of an expiry run at `now`: that day's midnight (UTC), so every run on one day
    shares one cutoff and expires once."""
    return now.astimezone(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def _netted(rows: QuerySet[Transaction]) -> QuerySet[Transaction]:
    """Leave out reversed transactions and reversals: each pair cancels out."""
    return rows.exclude(type=TransactionType.REVERSAL).exclude(status=TransactionStatus.REVERSED)


def _earned_moment():
    return Coalesce("release_date", "created_at")


def expirable_amounts(
    *,
    loyalty_currency: LoyaltyCurrency,
    earned_before: dt.datetime,
    account_ids: Iterable[int] | None = None,
) -> dict[int, int]:
    """Units of active members' accounts earned before `earned_before` and not yet spent or
    expired, per account id (only accounts with something to expire). Two grouped queries, in
    SQL; `account_ids` limits them to those accounts."""
    rows = _netted(Transaction.objects.filter(loyalty_currency=loyalty_currency))
    accounts = Account.objects.filter(
        loyalty_currency=loyalty_currency,
        member__isnull=False,
        member__status=MemberStatus.ACTIVE,
    )
    if account_ids is not None:
        accounts = accounts.filter(pk__in=list(account_ids))
    earned = dict(
        rows.filter(
            destination_account__in=accounts,
            status__in=EARNED_STATUSES,
        )
        .alias(earned_at=_earned_moment())
        .filter(earned_at__lt=earned_before)
        .order_by()
        .values("destination_account_id")
        .annotate(total=Sum("amount"))
        .values_list("destination_account_id", "total")
    )
    if not earned:
        return {}
    spent = dict(
        rows.filter(origin_account_id__in=list(earned), status__in=SPENT_STATUSES)
        .order_by()
        .values("origin_account_id")
        .annotate(total=Sum("amount"))
        .values_list("origin_account_id", "total")
    )
    amounts = {pk: int(total) - int(spent.get(pk, 0)) for pk, total in earned.items()}
    return {pk: amount for pk, amount in amounts.items() if amount > 0}


def expiring_by(*, loyalty_currency: LoyaltyCurrency, moment: dt.datetime) -> dict[int, int]:
    """Units per member account that will have expired by `moment` unless spent first (the
    members to warn)."""
    threshold = earned_before(loyalty_currency, moment)
    if threshold is None:
        return {}
    return expirable_amounts(loyalty_currency=loyalty_currency, earned_before=threshold)


@dataclass(frozen=True)
class ExpiryLot:
    expires_at: dt.datetime
    amount: int

    @property
    def last_day(self) -> dt.date:
        """The last day the units can be spent."""
        return (self.expires_at - dt.timedelta(microseconds=1)).date()


def expiry_schedule(*, account: Account) -> list[ExpiryLot]:
    """What the member's account holds and when it expires, earliest first (the member page).

    One member's history is read in Python: the earned lots oldest first, with everything spent
    so far consumed from the oldest; what remains is grouped by its expiry moment.
    """
    currency = account.loyalty_currency
    if currency.expiry_policy == ExpiryPolicy.NEVER:
        return []
    rows = _netted(Transaction.objects.filter(loyalty_currency=currency))
    lots = (
        rows.filter(destination_account=account, status__in=EARNED_STATUSES)
        .annotate(earned_at=_earned_moment())
        .order_by("earned_at", "id")
        .values_list("earned_at", "amount")
    )
    spent = (
        rows.filter(origin_account=account, status__in=SPENT_STATUSES).aggregate(
            total=Sum("amount")
        )["total"]
        or 0
    )
    schedule: dict[dt.datetime, int] = {}
    for earned_at, amount in lots:
        used = min(spent, amount)
        spent -= used
        if amount - used:
            moment = expires_at(currency, earned_at)
            schedule[moment] = schedule.get(moment, 0) + amount - used
    return [ExpiryLot(moment, amount) for moment, amount in sorted(schedule.items())]


@dataclass(frozen=True)
class ExpiringMember:
    member_id: int
    membership_id: str
    name: str
    email: str
    balance: int
    expiring: int


def members_expiring(
    *, loyalty_currency: LoyaltyCurrency, days: int, now: dt.datetime
) -> list[ExpiringMember]:
    """Members of the currency whose units expire within `days` days of `now` unless spent
    first, most units first (who to warn, and how much)."""
    amounts = expiring_by(loyalty_currency=loyalty_currency, moment=now + dt.timedelta(days=days))
    if not amounts:
        return []
    accounts = (
        Account.objects.filter(pk__in=list(amounts))
        .select_related("member")
        .only(
            "balance",
            "member__membership_id",
            "member__first_name",
            "member__last_name",
            "member__company_name",
            "member__email",
            "member__type",
        )
    )
    rows = [
        ExpiringMember(
            member_id=account.member_id,
            membership_id=account.member.membership_id,
            name=account.member.display_name,
            email=account.member.email,
            balance=account.balance,
            expiring=amounts[account.pk],
        )
        for account in accounts
    ]
    return sorted(rows, key=lambda row: (-row.expiring, row.membership_id))
