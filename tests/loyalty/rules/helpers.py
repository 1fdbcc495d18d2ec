"""Evaluation inputs for the rule tests, with defaults: a one-point-per-euro rule, a purchase of
50.00 EUR on a Wednesday noon (UTC), a member without tier or awards."""

import datetime as dt
from decimal import Decimal

from loyalty.rules.evaluation import evaluate_purchase
from loyalty.rules.inputs import ActivityRuleSpec, MemberSnapshot, PurchaseRequest, PurchaseRuleSpec

UTC = dt.UTC
WEDNESDAY_NOON = dt.datetime(2026, 11, 18, 12, 0, tzinfo=UTC)
NOBODY = MemberSnapshot()


def rule(**fields) -> PurchaseRuleSpec:
    defaults = {
        "public_id": "rl_a",
        "name": "One point per euro",
        "fiat_currency": "EUR",
        "points_per_unit": Decimal(1),
    }
    return PurchaseRuleSpec(**{**defaults, **fields})


def purchase(**fields) -> PurchaseRequest:
    defaults = {"amount": Decimal("50.00"), "fiat_currency": "EUR", "at": WEDNESDAY_NOON}
    return PurchaseRequest(**{**defaults, **fields})


def outcome(spec=None, request=None, member=NOBODY):
    [result] = evaluate_purchase(
        rules=[spec or rule()], request=request or purchase(), member=member
    ).outcomes
    return result


def codes(spec=None, request=None, member=NOBODY) -> tuple[str, ...]:
    return outcome(spec, request, member).codes


def activity_rule(**fields) -> ActivityRuleSpec:
    defaults = {"public_id": "rl_bd", "name": "Birthday", "activity": "birthday", "points": 100}
    return ActivityRuleSpec(**{**defaults, **fields})
