"""Rule evaluation: a pure function of (rules, request, member snapshot); time is the request's.

Purchase points, computed exactly (fractions) and rounded once:
    variable = amount x points_per_unit + (amount x percentage / 100) / unit_value
    points   = floor(variable x tier multiplier) + fixed_bonus      (ROUND_FLOOR)
then capped at max_points_per_purchase, then at what max_points_per_member leaves of the member's
period. The multiplier (1 for a tier without one) does not touch the fixed bonus. A rule whose
conditions all hold but which earns 0 points did not fire (no_points, or member_cap_reached).
"""

import datetime as dt
import math
from collections.abc import Iterable
from fractions import Fraction

from loyalty.models.rules import RulePeriod
from loyalty.rules import conditions
from loyalty.rules.conditions import Code
from loyalty.rules.inputs import (
    ActivityRequest,
    ActivityRuleSpec,
    Awarded,
    Evaluation,
    MemberSnapshot,
    PurchaseRequest,
    PurchaseRuleSpec,
    Reason,
    RuleOutcome,
)


def evaluate_purchase(
    *,
    rules: Iterable[PurchaseRuleSpec],
    request: PurchaseRequest,
    member: MemberSnapshot,
) -> Evaluation:
    """Each rule's outcome for the purchase, independently of the others."""
    return Evaluation(
        tuple(_purchase_outcome(rule=rule, request=request, member=member) for rule in rules)
    )


def evaluate_activity(
    *,
    rules: Iterable[ActivityRuleSpec],
    request: ActivityRequest,
    member: MemberSnapshot,
) -> Evaluation:
    """Each rule's outcome for the member's activity; rules of other activities do not fire."""
    return Evaluation(
        tuple(_activity_outcome(rule=rule, request=request, member=member) for rule in rules)
    )


def period_start(*, period: str, at: dt.datetime, time_zone: str) -> dt.datetime:
    """The start of the calendar period holding `at`, in `time_zone` (weeks start on Monday).

    Callers sum a member's awards since this instant to build Awarded for the snapshot.
    """
    # Wall-clock arithmetic in a ZoneInfo zone: a period that began before a DST change gets
    # the offset of its own start.
    day = conditions.local_time(at, time_zone).replace(hour=0, minute=0, second=0, microsecond=0)
    if period == RulePeriod.DAY:
        return day
    if period == RulePeriod.WEEK:
        return day - dt.timedelta(days=day.weekday())
    if period == RulePeriod.MONTH:
        return day.replace(day=1)
    if period == RulePeriod.YEAR:
        return day.replace(month=1, day=1)
    raise ValueError(f"Unknown period {period!r}; use one of {', '.join(RulePeriod.values)}.")


def _purchase_outcome(
    *, rule: PurchaseRuleSpec, request: PurchaseRequest, member: MemberSnapshot
) -> RuleOutcome:
    reasons = _purchase_reasons(rule=rule, request=request, member=member)
    if reasons:
        return _not_fired(rule.public_id, reasons, is_bonus=rule.is_bonus)
    # Rates are present: _purchase_reasons reports the missing ones.
    amount = Fraction(request.amount) * conditions.rate(
        request.rates, base=request.fiat_currency, quote=rule.fiat_currency
    )
    earned = _capped_per_purchase(
        rule, _earned(rule=rule, amount=amount, request=request, member=member)
    )
    points = _capped_per_member(rule, earned, member.awarded_by(rule.public_id))
    if points > 0:
        return RuleOutcome(rule.public_id, fired=True, points=points, is_bonus=rule.is_bonus)
    if earned > 0:
        cap = f"{rule.max_points_per_member} points per member per {rule.member_cap_period}"
        reason = Reason(Code.MEMBER_CAP_REACHED, f"the member already reached {cap}")
    else:
        reason = Reason(Code.NO_POINTS, "the purchase earns no points")
    return _not_fired(rule.public_id, [reason], is_bonus=rule.is_bonus)


def _purchase_reasons(
    *, rule: PurchaseRuleSpec, request: PurchaseRequest, member: MemberSnapshot
) -> list[Reason]:
    """Every condition the purchase fails, in the order staff read a rule."""
    local = conditions.local_time(request.at, rule.time_zone)
    reasons = [
        conditions.enabled(rule.enabled),
        conditions.validity(request.at, rule.valid_from, rule.valid_to),
        conditions.tags(rule, request),
    ]
    to_rule = conditions.rate(request.rates, base=request.fiat_currency, quote=rule.fiat_currency)
    if to_rule is None:
        reasons.append(
            conditions.missing_rate(base=request.fiat_currency, quote=rule.fiat_currency)
        )
    else:
        reasons.extend(conditions.amount_range(rule, Fraction(request.amount) * to_rule))
    if rule.percentage and _unit_rate(rule, request) is None:
        reasons.append(
            conditions.missing_rate(base=rule.fiat_currency, quote=rule.unit_value_currency)
        )
    reasons += [
        conditions.tier(rule, member.tier),
        conditions.weekday(rule, local),
        conditions.hour(rule, local),
    ]
    reasons.extend(conditions.metadata(rule, request))
    return [reason for reason in reasons if reason is not None]


def _unit_rate(rule: PurchaseRuleSpec, request: PurchaseRequest) -> Fraction | None:
    return conditions.rate(request.rates, base=rule.fiat_currency, quote=rule.unit_value_currency)


def _earned(
    *, rule: PurchaseRuleSpec, amount: Fraction, request: PurchaseRequest, member: MemberSnapshot
) -> int:
    """Points before caps: the variable part times the tier multiplier, floored, plus the bonus."""
    variable = Fraction(0)
    if rule.points_per_unit:
        variable += amount * Fraction(rule.points_per_unit)
    if rule.percentage:
        value = amount * Fraction(rule.percentage) / 100 * _unit_rate(rule, request)
        variable += value / Fraction(rule.unit_value)
    multiplier = rule.tier_multipliers.get(member.tier, 1) if member.tier is not None else 1
    return math.floor(variable * Fraction(multiplier)) + rule.fixed_bonus


def _capped_per_purchase(rule: PurchaseRuleSpec, points: int) -> int:
    if rule.max_points_per_purchase is None:
        return points
    return min(points, rule.max_points_per_purchase)


def _capped_per_member(rule: PurchaseRuleSpec, points: int, awarded: Awarded) -> int:
    """At most what the member's period leaves; `awarded` is for the rule's current period."""
    if rule.max_points_per_member is None:
        return points
    return min(points, max(0, rule.max_points_per_member - awarded.points))


def _activity_outcome(
    *, rule: ActivityRuleSpec, request: ActivityRequest, member: MemberSnapshot
) -> RuleOutcome:
    awarded = member.awarded_by(rule.public_id)
    reasons = [
        conditions.enabled(rule.enabled),
        conditions.validity(request.at, rule.valid_from, rule.valid_to),
    ]
    if rule.activity != request.activity:
        reasons.append(Reason(Code.ACTIVITY_MISMATCH, f"rewards the activity {rule.activity}"))
    if rule.once_per_member and awarded.count_ever > 0:
        reasons.append(Reason(Code.ALREADY_AWARDED, "once per member, already awarded"))
    if rule.max_per_member is not None and awarded.count >= rule.max_per_member:
        reasons.append(
            Reason(
                Code.LIMIT_REACHED,
                f"limit of {rule.max_per_member} per member per {rule.limit_period} reached",
            )
        )
    reasons = [reason for reason in reasons if reason is not None]
    if reasons:
        return _not_fired(rule.public_id, reasons)
    return RuleOutcome(rule.public_id, fired=True, points=rule.points)


def _not_fired(rule_id: str, reasons: list[Reason], *, is_bonus: bool = False) -> RuleOutcome:
    return RuleOutcome(rule_id, fired=False, points=0, reasons=tuple(reasons), is_bonus=is_bonus)
