"""The conditions of a rule, each a pure check returning the Reason it fails, or None."""

import datetime as dt
import zoneinfo
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction

from loyalty.rules.inputs import PurchaseRequest, PurchaseRuleSpec, Reason

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class Code:
    """The machine codes of Reason, stable for the API and the admin."""

    DISABLED = "disabled"
    NOT_YET_VALID = "not_yet_valid"
    EXPIRED = "expired"
    TAGS_MISMATCH = "tags_mismatch"
    FX_RATE_MISSING = "fx_rate_missing"
    BELOW_MINIMUM = "below_minimum"
    ABOVE_MAXIMUM = "above_maximum"
    TIER_NOT_ELIGIBLE = "tier_not_eligible"
    WEEKDAY_NOT_ELIGIBLE = "weekday_not_eligible"
    HOUR_NOT_ELIGIBLE = "hour_not_eligible"
    METADATA_MISMATCH = "metadata_mismatch"
    NO_POINTS = "no_points"
    MEMBER_CAP_REACHED = "member_cap_reached"
    ACTIVITY_MISMATCH = "activity_mismatch"
    ALREADY_AWARDED = "already_awarded"
    LIMIT_REACHED = "limit_reached"


def local_time(at: dt.datetime, time_zone: str) -> dt.datetime:
    return at.astimezone(zoneinfo.ZoneInfo(time_zone))


def money(amount: Decimal | Fraction, currency: str) -> str:
    """`20.00 EUR`: at least two decimals, more only when the amount has them."""
    if isinstance(amount, Fraction):
        amount = Decimal(amount.numerator) / Decimal(amount.denominator)
    if amount.as_tuple().exponent > -2:
        amount = amount.quantize(Decimal("0.01"))
    return f"{amount} {currency}"


def rate(rates: Mapping[tuple[str, str], Decimal], *, base: str, quote: str) -> Fraction | None:
    """Units of `quote` one `base` buys, from the pair or its inverse; None without either."""
    if base == quote:
        return Fraction(1)
    if (base, quote) in rates:
        return Fraction(rates[(base, quote)])
    if (quote, base) in rates:
        return 1 / Fraction(rates[(quote, base)])
    return None


def missing_rate(*, base: str, quote: str) -> Reason:
    return Reason(Code.FX_RATE_MISSING, f"no {base}/{quote} exchange rate to convert the amount")


def enabled(is_enabled: bool) -> Reason | None:
    return None if is_enabled else Reason(Code.DISABLED, "the rule is disabled")


def validity(
    at: dt.datetime, valid_from: dt.datetime | None, valid_to: dt.datetime | None
) -> Reason | None:
    """Valid from `valid_from` inclusive until `valid_to` exclusive."""
    if valid_from is not None and at < valid_from:
        return Reason(Code.NOT_YET_VALID, f"valid from {valid_from.isoformat()}")
    if valid_to is not None and at >= valid_to:
        return Reason(Code.EXPIRED, f"valid until {valid_to.isoformat()}")
    return None


def tags(rule: PurchaseRuleSpec, request: PurchaseRequest) -> Reason | None:
    """A rule without tags runs for every request; one with tags needs one in common."""
    if not rule.tags or rule.tags & request.tags:
        return None
    return Reason(Code.TAGS_MISMATCH, f"needs one of the tags {', '.join(sorted(rule.tags))}")


def amount_range(rule: PurchaseRuleSpec, amount: Fraction) -> list[Reason]:
    """Minimum and maximum are both inclusive; `amount` is in the rule's fiat currency."""
    reasons = []
    if rule.min_amount is not None and amount < rule.min_amount:
        reasons.append(
            Reason(
                Code.BELOW_MINIMUM,
                f"minimum purchase {money(rule.min_amount, rule.fiat_currency)} not reached",
            )
        )
    if rule.max_amount is not None and amount > rule.max_amount:
        reasons.append(
            Reason(
                Code.ABOVE_MAXIMUM,
                f"maximum purchase {money(rule.max_amount, rule.fiat_currency)} exceeded",
            )
        )
    return reasons


def tier(rule: PurchaseRuleSpec, member_tier: str | None) -> Reason | None:
    if not rule.tiers or member_tier in rule.tiers:
        return None
    return Reason(Code.TIER_NOT_ELIGIBLE, f"only for the tiers {', '.join(sorted(rule.tiers))}")


def weekday(rule: PurchaseRuleSpec, local: dt.datetime) -> Reason | None:
    if local.weekday() in rule.weekdays:
        return None
    days = ", ".join(WEEKDAY_NAMES[day] for day in sorted(rule.weekdays))
    return Reason(Code.WEEKDAY_NOT_ELIGIBLE, f"only on {days} ({rule.time_zone})")


def hour(rule: PurchaseRuleSpec, local: dt.datetime) -> Reason | None:
    """From hour_from to hour_to, both inclusive; when hour_to < hour_from, across midnight."""
    if rule.hour_from is None or rule.hour_to is None:
        return None
    if rule.hour_from <= rule.hour_to:
        inside = rule.hour_from <= local.hour <= rule.hour_to
    else:
        inside = local.hour >= rule.hour_from or local.hour <= rule.hour_to
    if inside:
        return None
    return Reason(
        Code.HOUR_NOT_ELIGIBLE,
        f"only from {rule.hour_from:02d}:00 to {rule.hour_to:02d}:59 ({rule.time_zone})",
    )


def metadata(rule: PurchaseRuleSpec, request: PurchaseRequest) -> list[Reason]:
    """Each key must match: request.metadata[key], as text, equal to one of the key's values."""
    wanted: dict[str, set[str]] = {}
    for key, value in rule.metadata_matches:
        wanted.setdefault(key, set()).add(value)
    reasons = []
    for key in sorted(wanted):
        if _as_text(request.metadata.get(key)) not in wanted[key]:
            reasons.append(
                Reason(
                    Code.METADATA_MISMATCH,
                    f"metadata {key} must be one of {', '.join(sorted(wanted[key]))}",
                )
            )
    return reasons


def _as_text(value: object) -> str | None:
    """Metadata as staff type it: strings as they are, numbers as written, booleans as JSON's."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        return str(value)
    return None
