"""Purchase and activity rule evaluation (loyalty.rules.evaluation): rewards, caps, several rules,
activity rules, periods, and properties over random rules."""

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loyalty.rules.conditions import Code
from loyalty.rules.evaluation import evaluate_activity, evaluate_purchase, period_start
from loyalty.rules.inputs import ActivityRequest, Awarded, MemberSnapshot, PurchaseRuleSpec
from tests.loyalty.rules.helpers import (
    NOBODY,
    UTC,
    WEDNESDAY_NOON,
    activity_rule,
    codes,
    outcome,
    purchase,
    rule,
)


class TestRewards:
    def test_points_per_unit_of_fiat(self):
        result = outcome()
        assert (result.fired, result.points, result.reasons) == (True, 50, ())

    @pytest.mark.parametrize(
        ("amount", "per_unit", "points"),
        [("10.99", "1", 10), ("3", "0.5", 1), ("0.99", "1", 0), ("19.99", "0.1", 1)],
    )
    def test_fractional_points_round_down(self, amount, per_unit, points):
        spec = rule(points_per_unit=Decimal(per_unit))
        assert outcome(spec, purchase(amount=Decimal(amount))).points == points

    def test_percentage_at_the_unit_value(self):
        spec = rule(
            points_per_unit=None,
            percentage=Decimal(5),
            unit_value=Decimal("0.01"),
            unit_value_currency="EUR",
        )
        assert outcome(spec, purchase(amount=Decimal(100))).points == 500

    def test_percentage_converted_into_the_unit_value_currency(self):
        spec = rule(
            points_per_unit=None,
            percentage=Decimal(5),
            unit_value=Decimal("0.01"),
            unit_value_currency="USD",
        )
        request = purchase(amount=Decimal(100), rates={("USD", "EUR"): Decimal("0.8")})
        # 5 EUR = 6.25 USD, at 0.01 USD a point.
        assert outcome(spec, request).points == 625

    def test_percentage_without_the_unit_value_rate_does_not_fire(self):
        spec = rule(percentage=Decimal(5), unit_value=Decimal("0.01"), unit_value_currency="USD")
        result = outcome(spec)
        assert result.codes == (Code.FX_RATE_MISSING,)
        assert result.reasons[0].message == "no EUR/USD exchange rate to convert the amount"

    def test_every_reward_adds_up_and_rounds_once(self):
        spec = rule(
            points_per_unit=Decimal("0.5"),
            percentage=Decimal(1),
            unit_value=Decimal("0.10"),
            unit_value_currency="EUR",
            fixed_bonus=7,
        )
        # 0.5 x 10.50 = 5.25; 1 % of 10.50 = 0.105 EUR = 1.05 points; 6.3 -> 6, + 7.
        assert outcome(spec, purchase(amount=Decimal("10.50"))).points == 13

    def test_fixed_bonus_alone(self):
        spec = rule(points_per_unit=None, fixed_bonus=25)
        assert outcome(spec, purchase(amount=Decimal(0))).points == 25

    def test_tier_multiplier_applies_to_variable_points_not_the_bonus(self):
        spec = rule(fixed_bonus=10, tier_multipliers={"gold": Decimal("1.5"), "silver": Decimal(0)})
        request = purchase(amount=Decimal(33))
        assert outcome(spec, request, MemberSnapshot(tier="gold")).points == 49 + 10
        assert outcome(spec, request, MemberSnapshot(tier="silver")).points == 10
        assert outcome(spec, request, MemberSnapshot(tier="bronze")).points == 33 + 10
        assert outcome(spec, request, NOBODY).points == 33 + 10

    def test_bonus_flag_is_carried(self):
        assert outcome(rule(is_bonus=True)).is_bonus is True
        assert outcome(rule()).is_bonus is False

    @pytest.mark.parametrize("amount", ["0", "0.99"])
    def test_no_points_does_not_fire(self, amount):
        result = outcome(request=purchase(amount=Decimal(amount)))
        assert (result.fired, result.points, result.codes) == (False, 0, (Code.NO_POINTS,))


class TestCaps:
    def test_per_purchase(self):
        spec = rule(max_points_per_purchase=30)
        assert outcome(spec).points == 30
        assert outcome(spec, purchase(amount=Decimal(30))).points == 30
        assert outcome(spec, purchase(amount=Decimal(29))).points == 29

    def test_per_purchase_includes_the_bonus(self):
        spec = rule(fixed_bonus=100, max_points_per_purchase=120)
        assert outcome(spec).points == 120

    @pytest.mark.parametrize(("already", "points"), [(0, 50), (50, 50), (80, 20), (99, 1)])
    def test_per_member_leaves_the_rest_of_the_period(self, already, points):
        spec = rule(max_points_per_member=100, member_cap_period="month")
        member = MemberSnapshot(awarded={"rl_a": Awarded(points=already, count=3)})
        result = outcome(spec, member=member)
        assert (result.fired, result.points) == (True, points)

    @pytest.mark.parametrize("already", [100, 150])
    def test_per_member_reached(self, already):
        spec = rule(max_points_per_member=100, member_cap_period="month")
        member = MemberSnapshot(awarded={"rl_a": Awarded(points=already)})
        result = outcome(spec, member=member)
        assert (result.fired, result.points, result.codes) == (
            False,
            0,
            (Code.MEMBER_CAP_REACHED,),
        )
        assert result.reasons[0].message == (
            "the member already reached 100 points per member per month"
        )

    def test_per_member_counts_only_this_rules_awards(self):
        spec = rule(max_points_per_member=100, member_cap_period="day")
        member = MemberSnapshot(awarded={"rl_other": Awarded(points=100)})
        assert outcome(spec, member=member).points == 50


class TestSeveralRules:
    def test_every_failing_condition_is_reported(self):
        spec = rule(
            enabled=False,
            tags=frozenset({"app"}),
            min_amount=Decimal(100),
            tiers=frozenset({"gold"}),
            weekdays=frozenset({0}),
            hour_from=0,
            hour_to=1,
            metadata_matches=frozenset({("store", "1")}),
        )
        assert codes(spec) == (
            Code.DISABLED,
            Code.TAGS_MISMATCH,
            Code.BELOW_MINIMUM,
            Code.TIER_NOT_ELIGIBLE,
            Code.WEEKDAY_NOT_ELIGIBLE,
            Code.HOUR_NOT_ELIGIBLE,
            Code.METADATA_MISMATCH,
        )

    def test_outcomes_in_rule_order_and_total(self):
        rules = [
            rule(public_id="rl_a"),
            rule(public_id="rl_b", enabled=False),
            rule(public_id="rl_c", points_per_unit=None, fixed_bonus=5, is_bonus=True),
        ]
        result = evaluate_purchase(rules=rules, request=purchase(), member=NOBODY)
        assert [(o.rule_id, o.fired, o.points) for o in result.outcomes] == [
            ("rl_a", True, 50),
            ("rl_b", False, 0),
            ("rl_c", True, 5),
        ]
        assert result.points == 55
        assert [o.rule_id for o in result.fired] == ["rl_a", "rl_c"]

    def test_no_rules(self):
        result = evaluate_purchase(rules=[], request=purchase(), member=NOBODY)
        assert (result.outcomes, result.points) == ((), 0)


def activity_outcome(spec, *, activity="birthday", at=WEDNESDAY_NOON, member=NOBODY):
    [result] = evaluate_activity(
        rules=[spec], request=ActivityRequest(activity=activity, at=at), member=member
    ).outcomes
    return result


class TestActivityRules:
    def test_fires_with_its_points(self):
        result = activity_outcome(activity_rule())
        assert (result.fired, result.points, result.reasons) == (True, 100, ())

    def test_other_activity(self):
        result = activity_outcome(activity_rule(), activity="review")
        assert (result.fired, result.points, result.codes) == (
            False,
            0,
            (Code.ACTIVITY_MISMATCH,),
        )

    def test_disabled_and_validity(self):
        assert activity_outcome(activity_rule(enabled=False)).codes == (Code.DISABLED,)
        assert activity_outcome(activity_rule(valid_from=WEDNESDAY_NOON)).fired
        assert activity_outcome(activity_rule(valid_to=WEDNESDAY_NOON)).codes == (Code.EXPIRED,)
        later = activity_rule(valid_from=WEDNESDAY_NOON + dt.timedelta(seconds=1))
        assert activity_outcome(later).codes == (Code.NOT_YET_VALID,)

    def test_once_per_member_ever(self):
        spec = activity_rule(once_per_member=True)
        assert activity_outcome(spec, member=MemberSnapshot()).fired
        done = MemberSnapshot(awarded={"rl_bd": Awarded(points=100, count=0, count_ever=1)})
        assert activity_outcome(spec, member=done).codes == (Code.ALREADY_AWARDED,)

    @pytest.mark.parametrize(("count", "fired"), [(0, True), (2, True), (3, False), (4, False)])
    def test_n_per_member_per_period(self, count, fired):
        spec = activity_rule(max_per_member=3, limit_period="week")
        member = MemberSnapshot(awarded={"rl_bd": Awarded(count=count, count_ever=10)})
        result = activity_outcome(spec, member=member)
        assert result.fired is fired
        if not fired:
            assert result.reasons[0].message == "limit of 3 per member per week reached"


class TestPeriodStart:
    @pytest.mark.parametrize(
        ("period", "start"),
        [
            ("day", dt.datetime(2026, 11, 18)),
            ("week", dt.datetime(2026, 11, 16)),
            ("month", dt.datetime(2026, 11, 1)),
            ("year", dt.datetime(2026, 1, 1)),
        ],
    )
    def test_calendar_periods(self, period, start):
        assert period_start(period=period, at=WEDNESDAY_NOON, time_zone="UTC") == start.replace(
            tzinfo=UTC
        )

    def test_in_the_rules_time_zone(self):
        at = dt.datetime(2026, 10, 31, 23, 30, tzinfo=UTC)  # already November in Paris
        start = period_start(period="month", at=at, time_zone="Europe/Paris")
        assert start == dt.datetime(2026, 10, 31, 23, 0, tzinfo=UTC)

    @pytest.mark.parametrize(
        ("period", "start"),
        [
            # 28 October is CET (UTC+1); its month began in CEST (UTC+2), before the change
            # of 25 October; its week and day began after it.
            ("month", dt.datetime(2026, 9, 30, 22, tzinfo=UTC)),
            ("week", dt.datetime(2026, 10, 25, 23, tzinfo=UTC)),
            ("day", dt.datetime(2026, 10, 27, 23, tzinfo=UTC)),
        ],
    )
    def test_period_started_before_a_dst_change_keeps_its_own_offset(self, period, start):
        at = dt.datetime(2026, 10, 28, 12, tzinfo=UTC)
        assert period_start(period=period, at=at, time_zone="Europe/Paris") == start

    def test_unknown_period(self):
        with pytest.raises(ValueError, match="Unknown period"):
            period_start(period="fortnight", at=WEDNESDAY_NOON, time_zone="UTC")


amounts = st.decimals(min_value=0, max_value=10**6, places=2)
optional_cap = st.none() | st.integers(min_value=1, max_value=10**6)


@st.composite
def purchase_rules(draw) -> PurchaseRuleSpec:
    member_cap = draw(optional_cap)
    return rule(
        points_per_unit=draw(st.none() | st.decimals(min_value=0, max_value=100, places=4)),
        percentage=draw(st.none() | st.decimals(min_value=0, max_value=100, places=4)),
        unit_value=draw(st.decimals(min_value=Decimal("0.0001"), max_value=10, places=4)),
        unit_value_currency="EUR",
        fixed_bonus=draw(st.integers(min_value=0, max_value=10**4)),
        tier_multipliers=draw(
            st.dictionaries(
                st.sampled_from(["gold", "silver"]),
                st.decimals(min_value=0, max_value=10, places=4),
            )
        ),
        max_points_per_purchase=draw(optional_cap),
        max_points_per_member=member_cap,
        member_cap_period=None if member_cap is None else "month",
        min_amount=draw(st.none() | amounts),
    )


members = st.builds(
    MemberSnapshot,
    tier=st.sampled_from([None, "gold", "silver"]),
    awarded=st.fixed_dictionaries(
        {"rl_a": st.builds(Awarded, points=st.integers(min_value=0, max_value=2 * 10**6))}
    ),
)


@given(spec=purchase_rules(), amount=amounts, member=members)
def test_points_never_negative_and_caps_never_exceeded(spec, amount, member):
    result = outcome(spec, purchase(amount=amount), member)
    assert result.points >= 0
    assert result.fired == (result.points > 0)
    if spec.max_points_per_purchase is not None:
        assert result.points <= spec.max_points_per_purchase
    if spec.max_points_per_member is not None:
        already = member.awarded_by(spec.public_id).points
        assert result.points <= max(0, spec.max_points_per_member - already)


@given(spec=purchase_rules(), amount=amounts, member=members)
def test_evaluation_is_deterministic(spec, amount, member):
    request = purchase(amount=amount)
    first = evaluate_purchase(rules=[spec, spec], request=request, member=member)
    second = evaluate_purchase(rules=[spec, spec], request=request, member=member)
    assert first == second
    assert first.outcomes[0] == first.outcomes[1]


@given(
    spec=purchase_rules().filter(lambda r: r.max_points_per_purchase is None),
    low=amounts,
    high=amounts,
)
def test_a_larger_purchase_never_earns_less_before_caps(spec, low, high):
    spec = replace(spec, max_points_per_member=None, member_cap_period=None, min_amount=None)
    low, high = sorted((low, high))
    assert outcome(spec, purchase(amount=low)).points <= outcome(spec, purchase(amount=high)).points
