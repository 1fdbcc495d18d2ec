"""Tiers: thresholds over a rolling window, recompute by the service, the task and the admin,
staff changes, and the history of every change."""

import datetime as dt

import pytest
from celery.schedules import crontab
from django.contrib.auth.models import User
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from loyalty import celery_app, ledger
from loyalty.models import Account, Member, TierChange, TransactionType
from loyalty.selectors import member_account, mint_account
from loyalty.services.tiers import member_tier_set, tiers_recompute
from loyalty.tasks import recompute_tiers
from tests.factories import LoyaltyCurrencyFactory, MemberFactory, TierFactory

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def silver(currency):
    return TierFactory(loyalty_currency=currency, code="silver", name="Silver", level=1)


@pytest.fixture
def gold(currency):
    return TierFactory(
        loyalty_currency=currency, code="gold", name="Gold", level=2, threshold=1_000
    )


@pytest.fixture
def platinum(currency):
    return TierFactory(
        loyalty_currency=currency, code="platinum", name="Platinum", level=3, threshold=5_000
    )


@pytest.fixture
def tiers(silver, gold, platinum):
    return silver, gold, platinum


def accrue(account: Account, amount: int, *, at: dt.datetime = NOW, type=TransactionType.ACCRUAL):
    mint = mint_account(loyalty_currency=account.loyalty_currency)
    return ledger.post(origin=mint, destination=account, amount=amount, type=type, now=at)


def tier_of(member: Member):
    member.refresh_from_db()
    return member.tier


# Thresholds ---------------------------------------------------------------------------------


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


# What counts as earned ----------------------------------------------------------------------


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


# History ------------------------------------------------------------------------------------


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


# Query count --------------------------------------------------------------------------------


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


# The task and the schedule ------------------------------------------------------------------


def test_task_recomputes_hosted_currencies_only(tiers, currency, member_acc):
    accrue(member_acc, 1_000, at=timezone.now())
    external = LoyaltyCurrencyFactory(is_hosted=False)
    TierFactory(loyalty_currency=external)
    external_member = MemberFactory(loyalty_currency=external)

    assert recompute_tiers.apply().get() == 1
    assert tier_of(member_acc.member).code == "gold"
    assert tier_of(external_member) is None


def test_task_runs_daily_at_half_past_two_utc():
    entry = celery_app.conf.beat_schedule["recompute-tiers"]
    assert entry["task"] == recompute_tiers.name
    assert entry["schedule"] == crontab(hour=2, minute=30)
    assert celery_app.conf.timezone == "UTC"


# Admin --------------------------------------------------------------------------------------


def test_admin_action_recomputes_and_reports_the_changes(admin_client, tiers, currency):
    for amount in (10, 1_000, 6_000):
        accrue(
            member_account(member=MemberFactory(loyalty_currency=currency)),
            amount,
            at=timezone.now(),
        )
    response = admin_client.post(
        reverse("admin:loyalty_loyaltycurrency_changelist"),
        {"action": "recompute_tiers", "index": 0, "_selected_action": [currency.pk]},
    )
    assert response.status_code == 302
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert messages == [f"{currency.code}: 3 of 3 member(s) changed tier."]
    assert sorted(Member.objects.values_list("tier__code", flat=True)) == [
        "gold",
        "platinum",
        "silver",
    ]


def test_member_page_shows_the_tier_history_read_only(admin_client, gold, member):
    agent = User.objects.create_user("agent")
    member_tier_set(member=member, tier=gold, user=agent)
    response = admin_client.get(reverse("admin:loyalty_member_change", args=[member.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Tier history" in page
    assert "set by staff" in page
    assert 'name="tier_changes-0-reason"' not in page
