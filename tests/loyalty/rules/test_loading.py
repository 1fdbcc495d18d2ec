"""Database rows -> evaluation inputs (loyalty.rules.loading)."""

import datetime as dt
from decimal import Decimal

import pytest

from loyalty import ledger
from loyalty.models import (
    FxRate,
    PurchaseRule,
    PurchaseRuleMetadataMatch,
    PurchaseRuleTierMultiplier,
    RuleAward,
    TransactionType,
)
from loyalty.rules import loading
from loyalty.rules.inputs import Awarded
from tests.factories import TierFactory

pytestmark = pytest.mark.django_db

AT = dt.datetime(2026, 11, 18, 12, 0, tzinfo=dt.UTC)  # a Wednesday


def purchase_rule(currency, **fields) -> PurchaseRule:
    defaults = {"name": "Points per euro", "fiat_currency": "EUR", "points_per_unit": Decimal(1)}
    return PurchaseRule.objects.create(loyalty_currency=currency, **{**defaults, **fields})


def test_only_enabled_rules_of_the_currency_are_candidates(currency):
    on = purchase_rule(currency, name="On")
    purchase_rule(currency, name="Off", enabled=False)
    assert loading.candidate_purchase_rules(loyalty_currency=currency) == [on]


def test_spec_carries_conditions_rewards_and_the_unit_value(currency):
    currency.issuing_partners_cost = Decimal("0.0250")
    currency.save()
    gold = TierFactory(loyalty_currency=currency, code="gold")
    rule = purchase_rule(
        currency,
        tags=["promo"],
        percentage=Decimal(2),
        price_type="issuing_partners_cost",
        on_sunday=False,
        hour_from=8,
        hour_to=20,
        max_points_per_member=100,
        member_cap_period="month",
        is_bonus=True,
    )
    rule.tiers.add(gold)
    PurchaseRuleMetadataMatch.objects.create(rule=rule, key="store", value="42")
    PurchaseRuleTierMultiplier.objects.create(rule=rule, tier=gold, multiplier=Decimal(2))
    [loaded] = loading.candidate_purchase_rules(loyalty_currency=currency)

    spec = loading.purchase_rule_spec(loaded, loyalty_currency=currency)

    assert spec.public_id == rule.public_id
    assert spec.tags == frozenset({"promo"})
    assert spec.tiers == frozenset({"gold"})
    assert spec.weekdays == frozenset(range(6))
    assert (spec.hour_from, spec.hour_to) == (8, 20)
    assert spec.metadata_matches == frozenset({("store", "42")})
    assert dict(spec.tier_multipliers) == {"gold": Decimal(2)}
    assert (spec.unit_value, spec.unit_value_currency) == (Decimal("0.0250"), "EUR")
    assert (spec.max_points_per_member, spec.member_cap_period, spec.is_bonus) == (
        100,
        "month",
        True,
    )


def test_snapshot_counts_awards_of_the_current_period_only(currency, member, member_acc, mint):
    gold = TierFactory(loyalty_currency=currency, code="gold")
    member.tier = gold
    member.save()
    capped = purchase_rule(currency, max_points_per_member=500, member_cap_period="month")
    uncapped = purchase_rule(currency, name="Uncapped")
    kept = ledger.post(origin=mint, destination=member_acc, amount=30, type=TransactionType.ACCRUAL)
    held = ledger.hold(
        origin=mint,
        destination=member_acc,
        amount=7,
        type=TransactionType.ACCRUAL,
        release_date=dt.datetime.now(dt.UTC) + dt.timedelta(days=1),
    )
    ledger.cancel(transaction=held)
    RuleAward.objects.create(
        purchase_rule=capped, member=member, points=30, transaction=kept, created_at=AT
    )
    RuleAward.objects.create(
        purchase_rule=capped, member=member, points=7, transaction=held, created_at=AT
    )
    RuleAward.objects.create(
        purchase_rule=capped,
        member=member,
        points=11,
        transaction=kept,
        created_at=dt.datetime(2026, 10, 31, 23, 59, tzinfo=dt.UTC),
    )

    snapshot = loading.member_snapshot(member=member, rules=[capped, uncapped], at=AT)

    assert snapshot.tier == "gold"
    assert snapshot.awarded_by(capped.public_id) == Awarded(points=30, count=1)
    assert uncapped.public_id not in snapshot.awarded


def test_no_member_means_no_tier_and_nothing_awarded(currency):
    snapshot = loading.member_snapshot(member=None, rules=[purchase_rule(currency)], at=AT)
    assert (snapshot.tier, dict(snapshot.awarded)) == (None, {})


def test_rates_hold_the_pairs_found_and_leave_the_missing_out(currency):
    FxRate.objects.create(base="USD", quote="EUR", date=AT.date(), rate=Decimal("0.9"))
    per_usd = loading.purchase_rule_spec(
        purchase_rule(currency, fiat_currency="USD"), loyalty_currency=currency
    )
    per_gbp = loading.purchase_rule_spec(
        purchase_rule(currency, name="GBP", fiat_currency="GBP"), loyalty_currency=currency
    )

    rates = loading.purchase_rates(
        fiat_currency="EUR", rules=[per_usd, per_gbp], own_fiat="EUR", on=AT.date()
    )

    assert rates.found == {("EUR", "USD"): 1 / Decimal("0.9")}
    assert rates.missing == {
        ("EUR", "GBP"): "No EUR/GBP exchange rate published between 2026-11-11 and 2026-11-18."
    }
