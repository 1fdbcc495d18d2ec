"""Points expiry runs: post `loyalty_currency_expiration` transactions from members to the mint.

A run at a moment expires, per hosted currency with a policy, what loyalty.expiry says is due at
that day's cutoff (midnight UTC). Exactly once per member account and cutoff, however many
workers run at once and however often a run is repeated:

- each account is expired in its own database transaction that first inserts its
  PointsExpiration marker (unique per account and cutoff, ON CONFLICT DO NOTHING): a second run
  waits for the first's commit on that key and then inserts nothing, so it skips the account;
- the account row is then locked and the amount recomputed from the ledger, so a debit that
  committed since the candidates were listed is counted; and the amount already counts earlier
  expirations, so even a run on a later cutoff never expires the same units twice.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from loyalty import ledger, sql
from loyalty.errors import LedgerError
from loyalty.expiry import earned_before, expirable_amounts, run_cutoff
from loyalty.models import (
    Account,
    ExpiryPolicy,
    LoyaltyCurrency,
    PointsExpiration,
    TransactionSubType,
    TransactionType,
)
from loyalty.selectors import mint_account

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ExpiryRun:
    cutoff: dt.datetime
    members: int  # accounts that lost units in this run
    units: int


def points_expire(
    *, loyalty_currency: LoyaltyCurrency, now: dt.datetime | None = None
) -> ExpiryRun:
    """Expire what is due in one currency at the cutoff of `now` (default: the current time)."""
    cutoff = run_cutoff(now or timezone.now())
    threshold = earned_before(loyalty_currency, cutoff)
    if threshold is None or not loyalty_currency.is_hosted:
        return ExpiryRun(cutoff=cutoff, members=0, units=0)
    mint = mint_account(loyalty_currency=loyalty_currency)
    candidates = expirable_amounts(loyalty_currency=loyalty_currency, earned_before=threshold)
    members = units = 0
    for account_id in sorted(candidates):
        try:
            expired = _expire_account(
                account_id=account_id,
                loyalty_currency=loyalty_currency,
                mint=mint,
                cutoff=cutoff,
                threshold=threshold,
            )
        except LedgerError as exc:  # e.g. the member was blocked meanwhile: the next run retries
            logger.warning("expiry of account %s skipped: %s", account_id, exc.message)
            continue
        if expired:
            members += 1
            units += expired
    return ExpiryRun(cutoff=cutoff, members=members, units=units)


def points_expire_all(*, now: dt.datetime | None = None) -> list[tuple[str, ExpiryRun]]:
    """Run expiry for every hosted currency whose points expire (the daily task)."""
    currencies = LoyaltyCurrency.objects.filter(is_hosted=True).exclude(
        expiry_policy=ExpiryPolicy.NEVER
    )
    return [
        (currency.code, points_expire(loyalty_currency=currency, now=now))
        for currency in currencies.order_by("code")
    ]


def _claim_sql() -> str:
    table = sql.quote(PointsExpiration._meta.db_table)
    return (
        f"INSERT INTO {table} (account_id, cutoff, amount, created_at) VALUES (%s, %s, 0, %s) "
        "ON CONFLICT (account_id, cutoff) DO NOTHING RETURNING id"
    )


@transaction.atomic
def _expire_account(
    *,
    account_id: int,
    loyalty_currency: LoyaltyCurrency,
    mint: Account,
    cutoff: dt.datetime,
    threshold: dt.datetime,
) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            sql.written("expiry-claim", _claim_sql), [account_id, cutoff, timezone.now()]
        )
        claimed = cursor.fetchone()
    if claimed is None:
        return 0  # another run expired this account at this cutoff
    account = Account.objects.select_for_update().get(pk=account_id)
    amount = expirable_amounts(
        loyalty_currency=loyalty_currency, earned_before=threshold, account_ids=[account_id]
    ).get(account_id, 0)
    if amount <= 0:
        return 0
    tx = ledger.post(
        origin=account,
        destination=mint,
        amount=amount,
        type=TransactionType.LOYALTY_CURRENCY_EXPIRATION,
        sub_type=TransactionSubType.MEMBER,
        reason=f"Points earned before {threshold:%Y-%m-%d} expired",
    )
    PointsExpiration.objects.filter(pk=claimed[0]).update(amount=amount, transaction=tx)
    return amount
