"""Tiers (loyalty.services.tiers): thresholds over a rolling window, the recompute, staff changes
and the history of every change."""

import datetime as dt

import pytest
from django.contrib.auth.models import User

from loyalty import ledger
from loyalty.models import Member, TierChange, TransactionType
from loyalty.selectors import member_account
from loyalty.services.tiers import member_tier_set, tiers_recompute
from tests.factories import LoyaltyCurrencyFactory, MemberFactory, TierFactory
from tests.loyalty.helpers import NOW, accrue, tier_of

# Thresholds ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("earned", "expected"),
    [(0, "silver"), (999, "silver"), (1_000, "gold"), (4_999, "gold"), (5_000, "platinum")],
)
def test_member_is_placed_in_the_highest_tier_reached(tiers, member, member_acc, earned, expected):
    if earned:
        accrue(member_acc, earned)
    tiers_recompute(loyalty_currency=member.loyalty_currency, now=NOW)
    assert tier_of(member).code == expected


def test_member_below_every_threshold_has_no_tier(gold, member, member_acc):
    member_tier_set(member=member, tier=gold, user=User.objects.create_user("agent"))
    accrue(member_acc, 999)
    result = tiers_recompute(loyalty_currency=member.loyalty_currency, now=NOW)
    assert tier_of(member) is None
    assert result.changed == 1
    change = TierChange.objects.get(member=member, reason__startswith="recomputed")
    assert (change.from_tier, change.to_tier) == (gold, None)


def test_currency_without_tiers_changes_nothing(currency, member, member_acc):
    accrue(member_acc, 10_000)
    assert tiers_recompute(loyalty_currency=currency, now=NOW).changed == 0
    assert not TierChange.objects.exists()


# What counts as earned -----------------------------------------------------------------------


def test_window_includes_its_start_and_end_but_nothing_outside(tiers, currency, member_acc):
    start = NOW - dt.timedelta(days=currency.tier_window_days)
    accrue(member_acc, 600, at=start)
    accrue(member_acc, 400, at=NOW)
    accrue(member_acc, 9_000, at=start - dt.timedelta(microseconds=1))
    accrue(member_acc, 9_000, at=NOW + dt.timedelta(microseconds=1))
    tiers_recompute(loyalty_currency=currency, now=NOW)
    assert tier_of(member_acc.member).code == "gold"


def test_window_follows_the_currency_setting(tiers, currency, member_acc):
    accrue(member_acc, 1_000, at=NOW - dt.timedelta(days=40))
    currency.tier_window_days = 30
    currency.save()
    tiers_recompute(loyalty_currency=currency, now=NOW)
    assert tier_of(member_acc.member).code == "silver"


def test_reversed_accruals_do_not_count(tiers, currency, member_acc, ledger_balances):
    accrue(member_acc, 800)
    reversed_ = accrue(member_acc, 4_500)
    ledger.reverse(transaction=reversed_, reason="duplicate", now=NOW)
    tiers_recompute(loyalty_currency=currency, now=NOW)
    assert tier_of(member_acc.member).code == "silver"
    ledger_balances()


def test_pending_and_non_accrual_incoming_units_do_not_count(tiers, currency, mint, member_acc):
    ledger.hold(
        origin=mint,
        destination=member_acc,
        amount=5_000,
        type=TransactionType.ACCRUAL,
        release_date=NOW + dt.timedelta(days=2),
        now=NOW,
    )
    accrue(member_acc, 5_000, type=TransactionType.TRANSFER)
    tiers_recompute(loyalty_currency=currency, now=NOW)
    assert tier_of(member_acc.member).code == "silver"


def test_spending_does_not_lower_what_was_earned(tiers, currency, mint, member_acc):
    accrue(member_acc, 1_200)
    ledger.post(
        origin=member_acc, destination=mint, amount=1_200, type=TransactionType.REDEMPTION, now=NOW
    )
    tiers_recompute(loyalty_currency=currency, now=NOW)
    assert tier_of(member_acc.member).code == "gold"


def test_other_currencies_accruals_do_not_count(tiers, currency, member):
    other = LoyaltyCurrencyFactory()
    other_member = MemberFactory(loyalty_currency=other)
    accrue(member_account(member=other_member), 9_000)
    tiers_recompute(loyalty_currency=currency, now=NOW)
    assert tier_of(member).code == "silver"
    assert tier_of(other_member) is None


# History -------------------------------------------------------------------------------------


def test_only_members_whose_tier_changes_are_updated_and_recorded(tiers, currency):
    silver, _, platinum = tiers
    staying, rising = (MemberFactory(loyalty_currency=currency) for _ in range(2))
    tiers_recompute(loyalty_currency=currency, now=NOW)
    assert TierChange.objects.count() == 2
    staying_updated_at = Member.objects.get(pk=staying.pk).updated_at

    accrue(member_account(member=rising), 12_345)
    later = NOW + dt.timedelta(days=1)
    result = tiers_recompute(loyalty_currency=currency, now=later)

    assert (result.members, result.changed) == (2, 1)
    assert Member.objects.get(pk=staying.pk).updated_at == staying_updated_at
    change = TierChange.objects.latest("id")
    assert change.member == rising
    assert (change.from_tier, change.to_tier) == (silver, platinum)
    assert change.reason == "recomputed: 12,345 points earned in 365 days"
    assert change.changed_by is None
    assert tiers_recompute(loyalty_currency=currency, now=later).changed == 0
    assert TierChange.objects.count() == 3


def test_staff_set_tier_is_recorded_with_the_user(gold, member):
    agent = User.objects.create_user("agent")
    change = member_tier_set(member=member, tier=gold, user=agent)
    assert tier_of(member) == gold
    assert (change.from_tier, change.to_tier, change.changed_by) == (None, gold, agent)
    assert change.reason == "set by staff"
    assert member_tier_set(member=member, tier=gold, user=agent) is None
    assert TierChange.objects.count() == 1


def test_staff_cannot_set_a_tier_of_another_currency(member):
    foreign = TierFactory(code="gold")
    with pytest.raises(ValueError, match="another loyalty currency"):
        member_tier_set(member=member, tier=foreign, user=User.objects.create_user("agent"))
    assert tier_of(member) is None


# Query count ---------------------------------------------------------------------------------


@pytest.mark.parametrize("members", [3, 30])
def test_recompute_queries_do_not_grow_with_members(
    tiers, currency, members, django_assert_max_num_queries
):
    for index in range(members):
        earner = MemberFactory(loyalty_currency=currency)
        accrue(member_account(member=earner), (index + 1) * 200)
    # tiers, earned, members, one update per target tier, one insert, savepoint
    with django_assert_max_num_queries(3 + len(tiers) + 1 + 2):
        result = tiers_recompute(loyalty_currency=currency, now=NOW)
    assert result.changed == members
