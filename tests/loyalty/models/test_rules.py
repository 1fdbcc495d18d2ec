"""Earning rule models: the database refuses every rule it cannot evaluate (PostgreSQL checks)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum

from loyalty.models import (
    ActivityRule,
    PurchaseRule,
    PurchaseRuleMetadataMatch,
    PurchaseRuleTierMultiplier,
    RuleAward,
)
from tests.factories import MemberFactory, TierFactory

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)


def purchase_rule(currency, **fields) -> PurchaseRule:
    defaults = {"name": "Points per euro", "fiat_currency": "EUR", "points_per_unit": Decimal(1)}
    return PurchaseRule.objects.create(loyalty_currency=currency, **{**defaults, **fields})


def activity_rule(currency, **fields) -> ActivityRule:
    defaults = {"name": "Birthday", "activity": "birthday", "points": 100}
    return ActivityRule.objects.create(loyalty_currency=currency, **{**defaults, **fields})


def refused(constraint: str):
    """The insert fails on `constraint`, inside a savepoint so that the test can go on."""
    return pytest.raises(IntegrityError, match=constraint)


class TestPurchaseRule:
    def test_a_full_rule_round_trips(self, currency):
        gold = TierFactory(loyalty_currency=currency, code="gold")
        rule = purchase_rule(
            currency,
            tags=["web"],
            valid_from=START,
            valid_to=START + dt.timedelta(days=30),
            time_zone="Europe/Paris",
            min_amount=Decimal("20.00"),
            max_amount=Decimal("20.00"),
            on_saturday=False,
            on_sunday=False,
            hour_from=22,
            hour_to=2,
            percentage=Decimal(100),
            fixed_bonus=5,
            max_points_per_purchase=500,
            max_points_per_member=1_000,
            member_cap_period="month",
            is_bonus=True,
        )
        rule.tiers.add(gold)
        PurchaseRuleMetadataMatch.objects.create(rule=rule, key="store", value="42")
        PurchaseRuleTierMultiplier.objects.create(rule=rule, tier=gold, multiplier=Decimal("1.5"))
        rule.refresh_from_db()
        assert rule.public_id.startswith("rl_")
        assert rule.weekdays == frozenset(range(5))
        assert list(rule.tiers.all()) == [gold]
        assert [str(match) for match in rule.metadata_matches.all()] == ["store = 42"]
        assert rule.tier_multipliers.get().multiplier == Decimal("1.5000")

    @pytest.mark.parametrize(
        ("fields", "constraint"),
        [
            (
                {"valid_from": START, "valid_to": START},
                "purchaserule_valid_to_after_valid_from",
            ),
            ({"fiat_currency": "eur"}, "purchaserule_fiat_currency_iso4217"),
            ({"min_amount": Decimal("-0.01")}, "purchaserule_amounts_not_negative"),
            ({"max_amount": Decimal("-1")}, "purchaserule_amounts_not_negative"),
            (
                {"min_amount": Decimal("20"), "max_amount": Decimal("19.99")},
                "purchaserule_max_amount_not_below_min",
            ),
            (
                {
                    "on_monday": False,
                    "on_tuesday": False,
                    "on_wednesday": False,
                    "on_thursday": False,
                    "on_friday": False,
                    "on_saturday": False,
                    "on_sunday": False,
                },
                "purchaserule_some_weekday",
            ),
            ({"hour_from": 24, "hour_to": 2}, "purchaserule_hours_0_23"),
            ({"hour_from": 2, "hour_to": 24}, "purchaserule_hours_0_23"),
            ({"hour_from": 9}, "purchaserule_hours_together"),
            ({"hour_to": 17}, "purchaserule_hours_together"),
            ({"points_per_unit": Decimal("-1")}, "purchaserule_points_per_unit_not_negative"),
            ({"percentage": Decimal("100.0001")}, "purchaserule_percentage_0_100"),
            ({"percentage": Decimal("-1")}, "purchaserule_percentage_0_100"),
            ({"price_type": "custom_value"}, "purchaserule_price_type_valid"),
            ({"fixed_bonus": -1}, "purchaserule_fixed_bonus_not_negative"),
            (
                {"points_per_unit": None, "percentage": None, "fixed_bonus": 0},
                "purchaserule_rewards_something",
            ),
            (
                {"points_per_unit": None, "percentage": Decimal(0), "fixed_bonus": 0},
                "purchaserule_rewards_something",
            ),
            ({"max_points_per_purchase": 0}, "purchaserule_caps_positive"),
            (
                {"max_points_per_member": 0, "member_cap_period": "day"},
                "purchaserule_caps_positive",
            ),
            ({"max_points_per_member": 10}, "purchaserule_member_cap_with_period"),
            ({"member_cap_period": "week"}, "purchaserule_member_cap_with_period"),
            (
                {"max_points_per_member": 10, "member_cap_period": "hour"},
                "purchaserule_member_cap_period_valid",
            ),
        ],
    )
    def test_refused_by_the_database(self, currency, fields, constraint):
        with refused(constraint), transaction.atomic():
            purchase_rule(currency, **fields)

    def test_boundaries_the_database_accepts(self, currency):
        purchase_rule(currency, hour_from=0, hour_to=23, percentage=Decimal(0))
        purchase_rule(currency, points_per_unit=None, percentage=Decimal(100))
        purchase_rule(currency, points_per_unit=Decimal(0), fixed_bonus=1)
        purchase_rule(
            currency,
            on_monday=False,
            on_tuesday=False,
            on_wednesday=False,
            on_thursday=False,
            on_friday=False,
            on_saturday=False,
        )
        assert PurchaseRule.objects.count() == 4

    def test_metadata_match_unique_and_keyed(self, currency):
        rule = purchase_rule(currency)
        PurchaseRuleMetadataMatch.objects.create(rule=rule, key="store", value="42")
        PurchaseRuleMetadataMatch.objects.create(rule=rule, key="store", value="43")
        with refused("purchaserulemetadatamatch_unique"), transaction.atomic():
            PurchaseRuleMetadataMatch.objects.create(rule=rule, key="store", value="42")
        with refused("purchaserulemetadatamatch_key_not_empty"), transaction.atomic():
            PurchaseRuleMetadataMatch.objects.create(rule=rule, key="", value="42")

    def test_tier_multiplier_unique_and_not_negative(self, currency):
        rule = purchase_rule(currency)
        gold = TierFactory(loyalty_currency=currency)
        PurchaseRuleTierMultiplier.objects.create(rule=rule, tier=gold, multiplier=Decimal(2))
        with refused("purchaseruletiermultiplier_unique"), transaction.atomic():
            PurchaseRuleTierMultiplier.objects.create(rule=rule, tier=gold, multiplier=Decimal(3))
        silver = TierFactory(loyalty_currency=currency)
        with refused("purchaseruletiermultiplier_not_negative"), transaction.atomic():
            PurchaseRuleTierMultiplier.objects.create(
                rule=rule, tier=silver, multiplier=Decimal("-0.5")
            )

    def test_time_zone_is_validated(self, currency):
        rule = PurchaseRule(
            loyalty_currency=currency,
            name="Nowhere",
            fiat_currency="EUR",
            points_per_unit=Decimal(1),
            time_zone="Mars/Olympus",
        )
        with pytest.raises(ValidationError) as error:
            rule.full_clean()
        assert error.value.message_dict["time_zone"] == [
            "Use an IANA time zone, e.g. Europe/Paris."
        ]


class TestActivityRule:
    def test_limits(self, currency):
        once = activity_rule(currency, once_per_member=True)
        weekly = activity_rule(currency, activity="review", max_per_member=3, limit_period="week")
        assert once.public_id.startswith("rl_")
        assert (weekly.max_per_member, weekly.limit_period) == (3, "week")

    @pytest.mark.parametrize(
        ("fields", "constraint"),
        [
            (
                {"valid_from": START, "valid_to": START - dt.timedelta(seconds=1)},
                "activityrule_valid_to_after_valid_from",
            ),
            ({"points": 0}, "activityrule_points_positive"),
            ({"activity": ""}, "activityrule_activity_not_empty"),
            (
                {"max_per_member": 0, "limit_period": "day"},
                "activityrule_max_per_member_positive",
            ),
            ({"max_per_member": 2}, "activityrule_limit_with_period"),
            ({"limit_period": "year"}, "activityrule_limit_with_period"),
            (
                {"max_per_member": 2, "limit_period": "ever"},
                "activityrule_limit_period_valid",
            ),
            (
                {"once_per_member": True, "max_per_member": 1, "limit_period": "year"},
                "activityrule_once_or_per_period",
            ),
        ],
    )
    def test_refused_by_the_database(self, currency, fields, constraint):
        with refused(constraint), transaction.atomic():
            activity_rule(currency, **fields)


class TestRuleAward:
    def test_exactly_one_rule(self, currency, member):
        purchase = purchase_rule(currency)
        activity = activity_rule(currency)
        with refused("ruleaward_exactly_one_rule"), transaction.atomic():
            RuleAward.objects.create(member=member, points=1)
        with refused("ruleaward_exactly_one_rule"), transaction.atomic():
            RuleAward.objects.create(
                member=member, points=1, purchase_rule=purchase, activity_rule=activity
            )

    def test_points_not_negative(self, currency, member):
        with refused("ruleaward_points_not_negative"), transaction.atomic():
            RuleAward.objects.create(
                member=member, purchase_rule=purchase_rule(currency), points=-1
            )

    def test_history_per_member_per_rule_since_a_date(self, currency, member):
        rule = purchase_rule(currency)
        birthday = activity_rule(currency)
        other_member = MemberFactory(loyalty_currency=currency)
        for points, days in [(10, 0), (20, 5), (40, -1)]:
            RuleAward.objects.create(
                member=member,
                purchase_rule=rule,
                points=points,
                created_at=START + dt.timedelta(days=days),
            )
        RuleAward.objects.create(member=other_member, purchase_rule=rule, points=500)
        RuleAward.objects.create(
            member=member, activity_rule=birthday, points=100, created_at=START
        )
        since = RuleAward.objects.filter(member=member, created_at__gte=START)
        assert since.filter(purchase_rule=rule).aggregate(total=Sum("points")) == {"total": 30}
        assert since.filter(activity_rule=birthday).aggregate(n=Count("id")) == {"n": 1}
