"""Each condition of a purchase rule (loyalty.rules.conditions), its boundaries and its reason."""

import datetime as dt
from dataclasses import replace
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from loyalty.rules.conditions import Code
from loyalty.rules.inputs import MemberSnapshot
from tests.loyalty.rules.helpers import NOBODY, UTC, WEDNESDAY_NOON, codes, outcome, purchase, rule


class TestEnabledAndValidity:
    def test_disabled(self):
        result = outcome(rule(enabled=False))
        assert (result.fired, result.points, result.codes) == (False, 0, (Code.DISABLED,))

    def test_valid_from_is_inclusive(self):
        spec = rule(valid_from=WEDNESDAY_NOON)
        assert outcome(spec).fired
        early = purchase(at=WEDNESDAY_NOON - dt.timedelta(microseconds=1))
        assert codes(spec, early) == (Code.NOT_YET_VALID,)

    def test_valid_to_is_exclusive(self):
        spec = rule(valid_to=WEDNESDAY_NOON)
        assert codes(spec) == (Code.EXPIRED,)
        assert outcome(spec, purchase(at=WEDNESDAY_NOON - dt.timedelta(microseconds=1))).fired

    def test_validity_compares_instants_across_zones(self):
        paris_noon = dt.datetime(2026, 11, 18, 13, 0, tzinfo=ZoneInfo("Europe/Paris"))
        assert outcome(rule(valid_from=paris_noon)).fired


class TestTags:
    @pytest.mark.parametrize("request_tags", [frozenset(), frozenset({"web"})])
    def test_a_rule_without_tags_runs_for_every_request(self, request_tags):
        assert outcome(request=purchase(tags=request_tags)).fired

    def test_a_shared_tag_is_enough(self):
        spec = rule(tags=frozenset({"web", "app"}))
        assert outcome(spec, purchase(tags=frozenset({"app", "store"}))).fired

    @pytest.mark.parametrize("request_tags", [frozenset(), frozenset({"store"})])
    def test_no_shared_tag(self, request_tags):
        result = outcome(rule(tags=frozenset({"web", "app"})), purchase(tags=request_tags))
        assert result.codes == (Code.TAGS_MISMATCH,)
        assert result.reasons[0].message == "needs one of the tags app, web"


class TestFiatCurrency:
    @pytest.mark.parametrize(
        "rates", [{("USD", "EUR"): Decimal("0.8")}, {("EUR", "USD"): Decimal("1.25")}]
    )
    def test_amount_converted_by_the_pair_or_its_inverse(self, rates):
        request = purchase(amount=Decimal(100), fiat_currency="USD", rates=rates)
        assert outcome(rule(), request).points == 80

    def test_minimum_applies_to_the_converted_amount(self):
        request = purchase(
            amount=Decimal(100), fiat_currency="USD", rates={("USD", "EUR"): Decimal("0.8")}
        )
        assert outcome(rule(min_amount=Decimal(80)), request).fired
        assert codes(rule(min_amount=Decimal("80.01")), request) == (Code.BELOW_MINIMUM,)

    def test_missing_rate(self):
        result = outcome(rule(min_amount=Decimal(1)), purchase(fiat_currency="GBP"))
        assert result.codes == (Code.FX_RATE_MISSING,)
        assert result.reasons[0].message == "no GBP/EUR exchange rate to convert the amount"


class TestAmountRange:
    def test_minimum_is_inclusive(self):
        spec = rule(min_amount=Decimal(20))
        assert outcome(spec, purchase(amount=Decimal("20.00"))).fired
        result = outcome(spec, purchase(amount=Decimal("19.99")))
        assert result.codes == (Code.BELOW_MINIMUM,)
        assert result.reasons[0].message == "minimum purchase 20.00 EUR not reached"

    def test_maximum_is_inclusive(self):
        spec = rule(max_amount=Decimal("99.995"))
        assert outcome(spec, purchase(amount=Decimal("99.995"))).fired
        result = outcome(spec, purchase(amount=Decimal("100")))
        assert result.codes == (Code.ABOVE_MAXIMUM,)
        assert result.reasons[0].message == "maximum purchase 99.995 EUR exceeded"


class TestTiers:
    spec = rule(tiers=frozenset({"gold", "silver"}))

    def test_member_of_a_listed_tier(self):
        assert outcome(self.spec, member=MemberSnapshot(tier="silver")).fired

    @pytest.mark.parametrize("tier", ["bronze", None])
    def test_member_of_another_tier_or_none(self, tier):
        result = outcome(self.spec, member=MemberSnapshot(tier=tier))
        assert result.codes == (Code.TIER_NOT_ELIGIBLE,)
        assert result.reasons[0].message == "only for the tiers gold, silver"

    def test_rule_without_tiers_takes_members_without_one(self):
        assert outcome(rule(), member=NOBODY).fired


class TestWeekdaysAndHours:
    def test_listed_weekday(self):
        assert outcome(rule(weekdays=frozenset({2}))).fired

    def test_other_weekday(self):
        result = outcome(rule(weekdays=frozenset({5, 6})))
        assert result.codes == (Code.WEEKDAY_NOT_ELIGIBLE,)
        assert result.reasons[0].message == "only on Saturday, Sunday (UTC)"

    def test_weekday_in_the_rules_time_zone(self):
        tuesday_late_utc = dt.datetime(2026, 11, 17, 23, 30, tzinfo=UTC)
        spec = rule(weekdays=frozenset({2}), time_zone="Europe/Paris")
        assert outcome(spec, purchase(at=tuesday_late_utc)).fired
        assert not outcome(replace(spec, time_zone="UTC"), purchase(at=tuesday_late_utc)).fired

    @pytest.mark.parametrize(
        ("hour", "minute", "fired"),
        [(8, 59, False), (9, 0, True), (12, 0, True), (17, 59, True), (18, 0, False)],
    )
    def test_hours_are_inclusive(self, hour, minute, fired):
        at = WEDNESDAY_NOON.replace(hour=hour, minute=minute)
        assert outcome(rule(hour_from=9, hour_to=17), purchase(at=at)).fired is fired

    @pytest.mark.parametrize(
        ("hour", "fired"), [(21, False), (22, True), (23, True), (0, True), (2, True), (3, False)]
    )
    def test_hours_across_midnight(self, hour, fired):
        at = WEDNESDAY_NOON.replace(hour=hour)
        assert outcome(rule(hour_from=22, hour_to=2), purchase(at=at)).fired is fired

    def test_single_hour(self):
        assert outcome(rule(hour_from=12, hour_to=12)).fired
        assert codes(rule(hour_from=13, hour_to=13)) == (Code.HOUR_NOT_ELIGIBLE,)

    def test_hours_in_the_rules_time_zone(self):
        spec = rule(hour_from=9, hour_to=9, time_zone="America/New_York")
        nine_in_new_york = dt.datetime(2026, 11, 18, 14, 30, tzinfo=UTC)
        assert outcome(spec, purchase(at=nine_in_new_york)).fired
        result = outcome(spec)
        assert result.codes == (Code.HOUR_NOT_ELIGIBLE,)
        assert result.reasons[0].message == "only from 09:00 to 09:59 (America/New_York)"


class TestMetadata:
    spec = rule(metadata_matches=frozenset({("store", "42"), ("store", "43"), ("cat", "shoes")}))

    @pytest.mark.parametrize("store", ["42", 43])
    def test_every_key_matches_one_of_its_values(self, store):
        request = purchase(metadata={"store": store, "cat": "shoes", "other": "x"})
        assert outcome(self.spec, request).fired

    def test_each_failing_key_is_a_reason(self):
        result = outcome(self.spec, purchase(metadata={"store": "44"}))
        assert [(reason.code, reason.message) for reason in result.reasons] == [
            (Code.METADATA_MISMATCH, "metadata cat must be one of shoes"),
            (Code.METADATA_MISMATCH, "metadata store must be one of 42, 43"),
        ]

    @pytest.mark.parametrize(
        ("value", "wanted", "fired"),
        [
            (True, "true", True),
            (False, "true", False),
            (Decimal("1.5"), "1.5", True),
            (1.5, "1.5", True),
            ({"id": "42"}, "42", False),
            (["42"], "42", False),
            (None, "42", False),
            ("42 ", "42", False),
        ],
    )
    def test_values_compare_as_text(self, value, wanted, fired):
        spec = rule(metadata_matches=frozenset({("k", wanted)}))
        assert outcome(spec, purchase(metadata={"k": value})).fired is fired
