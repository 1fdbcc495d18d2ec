"""Members' tiers: recomputed from the points they earned in a rolling window, or set by staff.

What counts as earned: accruals (type `accrual`, any sub-type, so staff credits count too) into
the member's account of the programme's currency whose status is `completed` or `adjusted` and
that reached the member's balance (`completed_at`) within the currency's tier window, both ends
included: [now - tier_window_days, now]. A reversed accrual does not count (its status becomes
`reversed`), nor does a pending one until it is released, nor a cancelled one. Spending does not
lower what was earned.

A member is placed in the highest tier whose threshold the earned points reach, or in no tier if
none is reached; a tier set by staff therefore lasts until the next recompute. Every change of
tier is recorded as a TierChange.
"""

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction as db_transaction
from django.db.models import Sum
from django.utils import timezone

from loyalty.models import (
    LoyaltyCurrency,
    Member,
    Tier,
    TierChange,
    Transaction,
    TransactionStatus,
    TransactionType,
)

EARNED_STATUSES = (TransactionStatus.COMPLETED, TransactionStatus.ADJUSTED)


@dataclass(frozen=True)
class TierRecompute:
    """What a recompute did: how many members it looked at and how many changed tier."""

    members: int
    changed: int


def tiers_recompute(
    *, loyalty_currency: LoyaltyCurrency, now: dt.datetime | None = None
) -> TierRecompute:
    """Place every member of the currency in the tier their earned points reach.

    The queries do not grow with the number of members: one grouped query sums what each member
    earned, one reads (and locks, so that a staff change cannot interleave) the members' current
    tiers, then one update per tier that gains members and one insert of the history rows.
    """
    now = now or timezone.now()
    days = loyalty_currency.tier_window_days
    tiers = sorted(Tier.objects.filter(loyalty_currency=loyalty_currency), key=lambda t: -t.level)
    if not tiers:
        return TierRecompute(members=0, changed=0)
    earned = _earned_by_member(
        loyalty_currency=loyalty_currency, start=now - dt.timedelta(days=days), end=now
    )
    with db_transaction.atomic():
        members = list(
            Member.objects.filter(loyalty_currency=loyalty_currency)
            .select_for_update()
            .values_list("pk", "tier_id")
        )
        moves: dict[int | None, list[int]] = {}
        changes = []
        for pk, tier_id in members:
            points = earned.get(pk, 0)
            target = next((t for t in tiers if t.threshold <= points), None)
            target_id = target.pk if target else None
            if target_id == tier_id:
                continue
            moves.setdefault(target_id, []).append(pk)
            changes.append(
                TierChange(
                    member_id=pk,
                    from_tier_id=tier_id,
                    to_tier_id=target_id,
                    reason=f"recomputed: {points:,} points earned in {days} days",
                )
            )
        for target_id, pks in moves.items():
            Member.objects.filter(pk__in=pks).update(tier_id=target_id, updated_at=now)
        TierChange.objects.bulk_create(changes)
    return TierRecompute(members=len(members), changed=len(changes))


def member_tier_set(
    *, member: Member, tier: Tier | None, user: AbstractBaseUser
) -> TierChange | None:
    """Put the member in `tier` (or in none) by a staff decision; None if it is already there."""
    if tier is not None and tier.loyalty_currency_id != member.loyalty_currency_id:
        raise ValueError("The tier belongs to another loyalty currency than the member.")
    with db_transaction.atomic():
        locked = Member.objects.select_for_update().get(pk=member.pk)
        new_tier_id = tier.pk if tier else None
        if locked.tier_id == new_tier_id:
            return None
        change = TierChange.objects.create(
            member=locked,
            from_tier_id=locked.tier_id,
            to_tier=tier,
            reason="set by staff",
            changed_by=user,
        )
        Member.objects.filter(pk=member.pk).update(tier=tier, updated_at=timezone.now())
    member.tier = tier
    return change


def _earned_by_member(
    *, loyalty_currency: LoyaltyCurrency, start: dt.datetime, end: dt.datetime
) -> dict[int, int]:
    """Member pk -> points earned in [start, end], for members who earned any, in one query."""
    rows = (
        Transaction.objects.filter(
            loyalty_currency=loyalty_currency,
            destination_account__member__isnull=False,
            type=TransactionType.ACCRUAL,
            status__in=EARNED_STATUSES,
            completed_at__gte=start,
            completed_at__lte=end,
        )
        .order_by()
        .values_list("destination_account__member")
        .annotate(total=Sum("amount"))
    )
    return dict(rows)
