"""Earning rules in the admin: the editors, their validation, the simulation page, the history."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from loyalty.models import (
    ActivityRule,
    FxRate,
    PurchaseRule,
    PurchaseRuleMetadataMatch,
    RuleAward,
    Transaction,
)
from tests.factories import MemberFactory, TierFactory

pytestmark = pytest.mark.django_db

# A Friday.
AT = {"at_0": "2026-11-20", "at_1": "12:00"}


def url(name: str, *args) -> str:
    return reverse(f"admin:loyalty_{name}", args=args)


def purchase_rule(currency, **fields) -> PurchaseRule:
    defaults = {"name": "Points per euro", "fiat_currency": "EUR", "points_per_unit": Decimal(1)}
    return PurchaseRule.objects.create(loyalty_currency=currency, **{**defaults, **fields})


def activity_rule(currency, **fields) -> ActivityRule:
    defaults = {"name": "Birthday", "activity": "birthday", "points": 100}
    return ActivityRule.objects.create(loyalty_currency=currency, **{**defaults, **fields})


def purchase_post(currency, **fields) -> dict:
    """The add form's data for a rule of 2 points per euro, with empty inlines."""
    data = {
        "name": "Double points",
        "loyalty_currency": currency.pk,
        "reason": "",
        "enabled": "on",
        "time_zone": "UTC",
        "fiat_currency": "EUR",
        "tags": "online, summer",
        "points_per_unit": "2",
        "price_type": "customers_perceived_value",
        "fixed_bonus": "0",
        **{f"on_{day}": "on" for day in ("monday", "tuesday", "wednesday", "thursday")},
        **{f"on_{day}": "on" for day in ("friday", "saturday", "sunday")},
    }
    for prefix in ("metadata_matches", "tier_multipliers"):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": "0",
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    return {**data, **fields}


def simulate(admin_client, currency, **fields):
    data = {"loyalty_currency": currency.pk, "fiat_currency": "EUR", **AT, **fields}
    return admin_client.post(url("purchaserule_simulate"), data)


# Lists and pages -----------------------------------------------------------------------------


def test_list_change_add_simulate_and_history_pages_load(admin_client, currency):
    purchase = purchase_rule(currency, tags=["online"], fixed_bonus=50)
    PurchaseRuleMetadataMatch.objects.create(rule=purchase, key="store", value="42")
    activity = activity_rule(currency, once_per_member=True)
    member = MemberFactory(loyalty_currency=currency)
    RuleAward.objects.create(activity_rule=activity, member=member, points=100)
    for model, obj in (("purchaserule", purchase), ("activityrule", activity)):
        changelist = admin_client.get(url(f"{model}_changelist")).content.decode()
        assert obj.public_id in changelist
        assert url(f"{model}_simulate") in changelist
        change = admin_client.get(url(f"{model}_change", obj.pk)).content.decode()
        assert url(f"{model}_history", obj.pk) in change
        assert f"{url(f'{model}_simulate')}?loyalty_currency={currency.pk}" in change
        assert admin_client.get(url(f"{model}_add")).status_code == 200
        assert admin_client.get(url(f"{model}_simulate")).status_code == 200
        assert admin_client.get(url(f"{model}_history", obj.pk)).status_code == 200
    changelist = admin_client.get(url("purchaserule_changelist")).content.decode()
    assert "1 pts per EUR, +50 pts" in changelist
    assert "online, summer" not in changelist
    assert (
        'value="online"'
        in admin_client.get(url("purchaserule_change", purchase.pk)).content.decode()
    )
    assert (
        "100 pts, once per member"
        in admin_client.get(url("activityrule_changelist")).content.decode()
    )
    assert admin_client.get(url("ruleaward_changelist")).status_code == 200


def test_search_finds_a_rule_by_its_id(admin_client, currency):
    wanted, other = purchase_rule(currency, name="Wanted"), purchase_rule(currency, name="Other")
    page = admin_client.get(url("purchaserule_changelist"), {"q": wanted.public_id})
    assert list(page.context["cl"].result_list) == [wanted]
    assert other.name not in page.content.decode()


def test_awards_are_read_only(admin_client, currency):
    award = RuleAward.objects.create(
        activity_rule=activity_rule(currency),
        member=MemberFactory(loyalty_currency=currency),
        points=100,
    )
    assert admin_client.get(url("ruleaward_add")).status_code == 403
    assert admin_client.post(url("ruleaward_delete", award.pk), {"post": "yes"}).status_code == 403
    assert RuleAward.objects.count() == 1


# Editing -------------------------------------------------------------------------------------


def test_a_rule_is_created_with_comma_separated_tags(admin_client, currency):
    response = admin_client.post(url("purchaserule_add"), purchase_post(currency))
    assert response.status_code == 302, response.context["adminform"].form.errors
    rule = PurchaseRule.objects.get()
    assert (rule.tags, rule.points_per_unit) == (["online", "summer"], Decimal(2))


def test_a_maximum_below_the_minimum_is_refused_with_a_clear_message(admin_client, currency):
    response = admin_client.post(
        url("purchaserule_add"), purchase_post(currency, min_amount="50", max_amount="20")
    )
    assert response.status_code == 200
    assert "The maximum amount cannot be below the minimum." in response.content.decode()
    assert not PurchaseRule.objects.exists()


def test_an_end_of_validity_before_its_start_is_refused(admin_client, currency):
    response = admin_client.post(
        url("purchaserule_add"),
        purchase_post(
            currency,
            valid_from_0="2026-12-01",
            valid_from_1="00:00",
            valid_to_0="2026-11-01",
            valid_to_1="00:00",
        ),
    )
    assert "The end of validity must come after its start." in response.content.decode()
    assert not PurchaseRule.objects.exists()


def test_a_tier_of_another_currency_is_refused(admin_client, currency):
    foreign = TierFactory(name="Foreign gold")
    response = admin_client.post(
        url("purchaserule_add"), purchase_post(currency, tiers=[foreign.pk])
    )
    assert f"Not tiers of {currency.code}: Foreign gold." in response.content.decode()
    assert not PurchaseRule.objects.exists()


def test_a_multiplier_for_a_tier_of_another_currency_is_refused(admin_client, currency):
    foreign = TierFactory(name="Foreign gold")
    data = purchase_post(
        currency,
        **{
            "tier_multipliers-TOTAL_FORMS": "1",
            "tier_multipliers-0-tier": foreign.pk,
            "tier_multipliers-0-multiplier": "2",
        },
    )
    response = admin_client.post(url("purchaserule_add"), data)
    assert "Choose a tier of the rule&#x27;s loyalty currency." in response.content.decode()
    assert not PurchaseRule.objects.exists()


def test_an_edit_is_recorded_in_the_history_with_the_changed_fields(admin_client, currency):
    rule = purchase_rule(currency, name="Double points", tags=["online", "summer"])
    data = purchase_post(currency, max_amount="500", fixed_bonus="10")
    response = admin_client.post(url("purchaserule_change", rule.pk), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    entry = LogEntry.objects.get(object_id=str(rule.pk))
    assert entry.user.username == "admin"
    assert entry.get_change_message() == "Changed Max amount, Points per unit and Fixed bonus."
    history = admin_client.get(url("purchaserule_history", rule.pk)).content.decode()
    assert "Changed Max amount, Points per unit and Fixed bonus." in history


# Simulation ----------------------------------------------------------------------------------


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
