"""The frozen inputs and outcomes of rule evaluation: plain values, no models, no database.

Loaders turn PurchaseRule / ActivityRule rows into specs: tiers by code, metadata matches as
(key, value) pairs, the currency's unit value for the rule's price type. Amounts are Decimal,
points int; a datetime must be aware.
"""

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import Any

ALL_WEEKDAYS = frozenset(range(7))


def _frozen_mapping(value: Mapping) -> Mapping:
    return MappingProxyType(dict(value))


def _require_aware(name: str, value: dt.datetime | None) -> None:
    if value is not None and value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime.")


@dataclass(frozen=True)
class PurchaseRuleSpec:
    """A purchase rule as evaluation sees it; see loyalty.models.PurchaseRule for the meaning.

    `unit_value` is the fiat value of one point in `unit_value_currency` (the loyalty currency's
    own fiat) for the rule's price type; required when `percentage` is set.
    """

    public_id: str
    name: str
    fiat_currency: str
    enabled: bool = True
    tags: frozenset[str] = frozenset()
    valid_from: dt.datetime | None = None
    valid_to: dt.datetime | None = None
    time_zone: str = "UTC"
    min_amount: Decimal | None = None
    max_amount: Decimal | None = None
    tiers: frozenset[str] = frozenset()
    weekdays: frozenset[int] = ALL_WEEKDAYS
    hour_from: int | None = None
    hour_to: int | None = None
    metadata_matches: frozenset[tuple[str, str]] = frozenset()
    points_per_unit: Decimal | None = None
    percentage: Decimal | None = None
    unit_value: Decimal | None = None
    unit_value_currency: str | None = None
    fixed_bonus: int = 0
    tier_multipliers: Mapping[str, Decimal] = field(default_factory=dict)
    max_points_per_purchase: int | None = None
    max_points_per_member: int | None = None
    member_cap_period: str | None = None
    is_bonus: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "tier_multipliers", _frozen_mapping(self.tier_multipliers))
        _require_aware("valid_from", self.valid_from)
        _require_aware("valid_to", self.valid_to)
        if self.percentage and (self.unit_value is None or self.unit_value <= 0):
            raise ValueError("A percentage reward needs a unit_value greater than zero.")
        if self.percentage and not self.unit_value_currency:
            raise ValueError("A percentage reward needs the unit_value_currency.")
        if (self.max_points_per_member is None) != (self.member_cap_period is None):
            raise ValueError("Give both max_points_per_member and member_cap_period, or neither.")


@dataclass(frozen=True)
class PurchaseRequest:
    """A purchase to reward. `rates` maps (base, quote) to the units of quote one base buys.

    Only the pairs evaluation may need are required: the purchase's fiat to each rule's fiat, and
    a rule's fiat to the loyalty currency's own fiat for percentage rewards. Either direction of
    a pair will do.
    """

    amount: Decimal
    fiat_currency: str
    at: dt.datetime
    tags: frozenset[str] = frozenset()
    metadata: Mapping[str, Any] = field(default_factory=dict)
    rates: Mapping[tuple[str, str], Decimal] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal) or not self.amount.is_finite() or self.amount < 0:
            raise ValueError("amount must be a finite decimal.Decimal of zero or more.")
        _require_aware("at", self.at)
        object.__setattr__(self, "metadata", _frozen_mapping(self.metadata))
        object.__setattr__(self, "rates", _frozen_mapping(self.rates))


@dataclass(frozen=True)
class Awarded:
    """What one rule already gave the member: in the rule's current period, and ever."""

    points: int = 0
    count: int = 0
    count_ever: int = 0


@dataclass(frozen=True)
class MemberSnapshot:
    """The member as evaluation needs it: tier code and past awards keyed by rule public id."""

    tier: str | None = None
    awarded: Mapping[str, Awarded] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "awarded", _frozen_mapping(self.awarded))

    def awarded_by(self, rule_id: str) -> Awarded:
        return self.awarded.get(rule_id, Awarded())


@dataclass(frozen=True)
class ActivityRuleSpec:
    """An activity rule as evaluation sees it; see loyalty.models.ActivityRule."""

    public_id: str
    name: str
    activity: str
    points: int
    enabled: bool = True
    valid_from: dt.datetime | None = None
    valid_to: dt.datetime | None = None
    time_zone: str = "UTC"
    once_per_member: bool = False
    max_per_member: int | None = None
    limit_period: str | None = None

    def __post_init__(self) -> None:
        _require_aware("valid_from", self.valid_from)
        _require_aware("valid_to", self.valid_to)
        if (self.max_per_member is None) != (self.limit_period is None):
            raise ValueError("Give both max_per_member and limit_period, or neither.")


@dataclass(frozen=True)
class ActivityRequest:
    activity: str
    at: dt.datetime

    def __post_init__(self) -> None:
        _require_aware("at", self.at)


@dataclass(frozen=True)
class Reason:
    """Why a rule did not fire: a stable machine `code` and a sentence for staff."""

    code: str
    message: str


@dataclass(frozen=True)
class RuleOutcome:
    """One rule's verdict: points it earns (0 when it did not fire) and every reason it did not."""

    rule_id: str
    fired: bool
    points: int
    reasons: tuple[Reason, ...] = ()
    is_bonus: bool = False

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(reason.code for reason in self.reasons)


@dataclass(frozen=True)
class Evaluation:
    """The outcomes, in the order the rules were given."""

    outcomes: tuple[RuleOutcome, ...]

    @property
    def points(self) -> int:
        return sum(outcome.points for outcome in self.outcomes)

    @property
    def fired(self) -> tuple[RuleOutcome, ...]:
        return tuple(outcome for outcome in self.outcomes if outcome.fired)
