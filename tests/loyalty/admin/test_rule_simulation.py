"""The rule simulation page (loyalty.admin.rule_simulation): fired and not fired rules, why."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.admin.models import LogEntry

from loyalty.models import FxRate, PurchaseRule, PurchaseRuleMetadataMatch, RuleAward, Transaction
from tests.factories import MemberFactory, TierFactory
from tests.loyalty.admin.helpers import AT, activity_rule, purchase_rule, simulate, url

pytestmark = pytest.mark.django_db


def test_the_simulation_shows_fired_and_not_fired_rules_with_points_and_reasons(
    admin_client, currency
):
    gold = TierFactory(loyalty_currency=currency, code="gold", name="Gold")
    member = MemberFactory(loyalty_currency=currency, tier=gold)
    membership_id = member.membership_id
    purchase_rule(currency, name="Per euro", points_per_unit=Decimal(2))
    purchase_rule(currency, name="Big baskets", min_amount=Decimal(100), fixed_bonus=500)
    purchase_rule(currency, name="Old promo", enabled=False)
    store = purchase_rule(currency, name="Store 42 only")
    PurchaseRuleMetadataMatch.objects.create(rule=store, key="store", value="42")
    counts = (PurchaseRule.objects.count(), RuleAward.objects.count(), Transaction.objects.count())
    log_entries = LogEntry.objects.count()

    response = simulate(
        admin_client,
        currency,
        membership_id=membership_id,
        amount="40.50",
        metadata="store=7\nchannel = web",
    )

    assert response.status_code == 200
    rows = {row.rule.name: row.outcome for row in response.context["simulation"].rows}
    assert (rows["Per euro"].fired, rows["Per euro"].points) == (True, 81)
    assert (rows["Store 42 only"].fired, rows["Store 42 only"].codes) == (
        False,
        ("metadata_mismatch",),
    )
    assert rows["Big baskets"].codes == ("below_minimum",)
    assert rows["Old promo"].codes == ("disabled",)
    page = response.content.decode()
    assert "Outcome: 81 points in total" in page
    assert "Minimum purchase 100.00 EUR not reached" in page
    assert "Metadata store must be one of 42" in page
    assert "The rule is disabled" in page
    assert (
        PurchaseRule.objects.count(),
        RuleAward.objects.count(),
        Transaction.objects.count(),
    ) == counts
    assert LogEntry.objects.count() == log_entries


def test_the_simulation_counts_the_members_awards_against_the_cap(admin_client, currency):
    member = MemberFactory(loyalty_currency=currency)
    rule = purchase_rule(
        currency, name="Capped", max_points_per_member=100, member_cap_period="month"
    )
    RuleAward.objects.create(
        purchase_rule=rule,
        member=member,
        points=90,
        created_at=dt.datetime(2026, 11, 3, tzinfo=dt.UTC),
    )
    response = simulate(admin_client, currency, membership_id=member.membership_id, amount="40")
    [row] = response.context["simulation"].rows
    assert (row.outcome.fired, row.outcome.points) == (True, 10)


def test_the_simulation_for_a_tier_applies_its_multiplier(admin_client, currency):
    gold = TierFactory(loyalty_currency=currency, code="gold", name="Gold")
    rule = purchase_rule(currency, name="Per euro")
    rule.tier_multipliers.create(tier=gold, multiplier=Decimal("1.5"))
    response = simulate(admin_client, currency, tier=gold.pk, amount="10")
    assert response.context["simulation"].points == 15


def test_another_fiat_currency_is_converted_at_the_days_rate(admin_client, currency):
    purchase_rule(currency, name="Per euro")
    FxRate.objects.create(base="EUR", quote="USD", date=dt.date(2026, 11, 19), rate=Decimal("1.25"))
    response = simulate(admin_client, currency, fiat_currency="usd", amount="100")
    assert response.context["simulation"].points == 80


def test_a_missing_exchange_rate_is_a_form_error(admin_client, currency):
    purchase_rule(currency, name="Per euro")
    response = simulate(admin_client, currency, fiat_currency="GBP", amount="100")
    assert response.context["simulation"] is None
    assert "Rule Per euro: No GBP/EUR exchange rate published" in response.content.decode()


def test_an_unknown_member_and_a_member_with_a_tier_are_form_errors(admin_client, currency):
    tier = TierFactory(loyalty_currency=currency)
    unknown = simulate(admin_client, currency, membership_id="NOPE", amount="1")
    assert f"No member NOPE in {currency.code}." in unknown.content.decode()
    both = simulate(admin_client, currency, membership_id="NOPE", tier=tier.pk, amount="1")
    assert "Choose a member or a tier, not both." in both.content.decode()


def test_the_activity_simulation_honours_once_per_member(admin_client, currency):
    member = MemberFactory(loyalty_currency=currency)
    birthday = activity_rule(currency, once_per_member=True)
    activity_rule(currency, name="Review", activity="review", points=20)
    activity_rule(currency, name="Referral", activity="referral", points=300)
    RuleAward.objects.create(
        activity_rule=birthday,
        member=member,
        points=100,
        created_at=dt.datetime(2025, 11, 20, tzinfo=dt.UTC),
    )
    response = admin_client.post(
        url("activityrule_simulate"),
        {
            "loyalty_currency": currency.pk,
            "membership_id": member.membership_id,
            "activity_ids": "birthday, review",
            **AT,
        },
    )
    rows = {row.rule.name: row.outcome for row in response.context["simulation"].rows}
    assert rows["Birthday"].codes == ("already_awarded",)
    assert (rows["Review"].fired, rows["Review"].points) == (True, 20)
    assert rows["Referral"].codes == ("activity_mismatch",)
    assert "Rewards the activity referral" in response.content.decode()
    assert RuleAward.objects.count() == 1


def test_the_simulation_names_its_time_zone(admin_client, currency):
    response = simulate(admin_client, currency, amount="10")
    page = response.content.decode()
    assert "at a date and time in UTC" in page
    assert "Simulated at 2026-11-20 12:00:00 UTC" in page
