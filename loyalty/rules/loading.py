"""Database rows -> evaluation inputs: the rules of a currency, the member and the rates.

Everything here reads; the evaluation stays pure. Callers that write after evaluating (trigger,
retrigger) lock the member row first, so that the awarded totals read here cannot go stale
before their own awards are recorded.
"""

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Count, Q, Sum

from loyalty.models import (
    Cohort,
    CohortRuleSetting,
    LoyaltyCurrency,
    Member,
    PurchaseRule,
    RuleAward,
    TransactionStatus,
)
from loyalty.rules.evaluation import period_start
from loyalty.rules.inputs import Awarded, MemberSnapshot, PurchaseRuleSpec
from loyalty.services.fx import UNIT_VALUE_FIELDS, FxRateMissing, fx_rate_get


def cohort_rule_scope(*, cohort: Cohort | None, setting_field: str) -> Q:
    """Which rules run for a request: without a cohort, only rules reserved to no cohort; for a
    cohort, those and the rules reserved to it, less the ones the cohort switched off.

    `setting_field` names the rule's column on CohortRuleSetting (purchase_rule or
    activity_rule).
    """
    if cohort is None:
        return Q(cohort__isnull=True)
    switched_off = CohortRuleSetting.objects.filter(
        cohort=cohort, enabled=False, **{f"{setting_field}__isnull": False}
    ).values(f"{setting_field}_id")
    return (Q(cohort__isnull=True) | Q(cohort=cohort)) & ~Q(pk__in=switched_off)


def candidate_purchase_rules(
    *, loyalty_currency: LoyaltyCurrency, cohort: Cohort | None = None
) -> list[PurchaseRule]:
    """The enabled purchase rules of the currency, with what their specs need prefetched.

    Disabled rules are left out: a partner has no use for rules staff switched off. So are rules
    reserved to a cohort, unless `cohort` is that cohort: they run only through its own
    operations, which also leave out the rules the cohort switched off.
    """
    return list(
        PurchaseRule.objects.filter(loyalty_currency=loyalty_currency, enabled=True)
        .filter(cohort_rule_scope(cohort=cohort, setting_field="purchase_rule"))
        .prefetch_related("tiers", "metadata_matches", "tier_multipliers__tier")
        .order_by("name", "id")
    )


def purchase_rule_spec(
    rule: PurchaseRule, *, loyalty_currency: LoyaltyCurrency
) -> PurchaseRuleSpec:
    """The rule as evaluation sees it; the unit value is the currency's for its price type."""
    return PurchaseRuleSpec(
        public_id=rule.public_id,
        name=rule.name,
        fiat_currency=rule.fiat_currency,
        enabled=rule.enabled,
        tags=frozenset(rule.tags),
        valid_from=rule.valid_from,
        valid_to=rule.valid_to,
        time_zone=rule.time_zone,
        min_amount=_as_typed(rule.min_amount),
        max_amount=_as_typed(rule.max_amount),
        tiers=frozenset(tier.code for tier in rule.tiers.all()),
        weekdays=rule.weekdays,
        hour_from=rule.hour_from,
        hour_to=rule.hour_to,
        metadata_matches=frozenset((m.key, m.value) for m in rule.metadata_matches.all()),
        points_per_unit=rule.points_per_unit,
        percentage=rule.percentage,
        unit_value=getattr(loyalty_currency, UNIT_VALUE_FIELDS[rule.price_type]),
        unit_value_currency=loyalty_currency.fiat_currency,
        fixed_bonus=rule.fixed_bonus,
        tier_multipliers={m.tier.code: m.multiplier for m in rule.tier_multipliers.all()},
        max_points_per_purchase=rule.max_points_per_purchase,
        max_points_per_member=rule.max_points_per_member,
        member_cap_period=rule.member_cap_period,
        is_bonus=rule.is_bonus,
    )


def _as_typed(amount: Decimal | None) -> Decimal | None:
    """The stored amount without the column's trailing zeros (100.0000 -> 100), so that the
    reasons quote it as staff typed it."""
    if amount is None:
        return None
    normal = amount.normalize()
    return normal.quantize(Decimal(1)) if normal.as_tuple().exponent > 0 else normal


def member_snapshot(
    *, member: Member | None, rules: Iterable[PurchaseRule], at: dt.datetime
) -> MemberSnapshot:
    """The member's tier code and, for each capped rule, the points it gave since its period began.

    Awards whose transaction was cancelled gave nothing and do not count. No member (a
    simulation for anyone): no tier and nothing awarded.
    """
    if member is None:
        return MemberSnapshot()
    awarded = {}
    for rule in rules:
        if rule.max_points_per_member is None:
            continue
        since = period_start(period=rule.member_cap_period, at=at, time_zone=rule.time_zone)
        totals = (
            RuleAward.objects.filter(member=member, purchase_rule=rule, created_at__gte=since)
            .exclude(transaction__status=TransactionStatus.CANCELLED)
            .aggregate(points=Sum("points"), count=Count("id"))
        )
        awarded[rule.public_id] = Awarded(points=totals["points"] or 0, count=totals["count"])
    return MemberSnapshot(tier=member.tier.code if member.tier_id else None, awarded=awarded)


def purchase_rates(
    *,
    fiat_currency: str,
    rules: Iterable[PurchaseRuleSpec],
    own_fiat: str,
    on: dt.date,
) -> dict[tuple[str, str], Decimal]:
    """The rates evaluation needs: purchase fiat -> each rule's fiat, and rule fiat -> the
    currency's own fiat for percentage rules. A missing rate is left out; evaluation then
    reports fx_rate_missing for the rules that needed it."""
    pairs = set()
    for rule in rules:
        pairs.add((fiat_currency, rule.fiat_currency))
        if rule.percentage:
            pairs.add((rule.fiat_currency, own_fiat))
    rates = {}
    for base, quote in pairs:
        try:
            rates[(base, quote)] = fx_rate_get(base=base, quote=quote, on=on)
        except FxRateMissing:
            continue
    return rates
