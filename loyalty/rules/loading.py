"""Database rows -> evaluation inputs: the rules of a currency, the member and the rates.

The rule selectors: the partner API's simulate and trigger and the admin's simulation panel all
load through here, so they agree on what a member has been awarded. Everything here reads; the
evaluation stays pure. Callers that write after evaluating (trigger, retrigger) lock the member
row first, so that the awarded totals read here cannot go stale before their own awards are
recorded.

Awards whose transaction was cancelled gave nothing and never count. `until` (the admin's
simulation of a past instant) leaves out awards made after it, so that such a simulation replays
that day's limits; the API evaluates now and counts every award.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import Q

from loyalty import caching, sql
from loyalty.errors import FxRateMissing
from loyalty.models import (
    UNIT_VALUE_FIELDS,
    ActivityRule,
    Cohort,
    CohortRuleSetting,
    LoyaltyCurrency,
    Member,
    PurchaseRule,
    RuleAward,
    Transaction,
    TransactionStatus,
)
from loyalty.rules.evaluation import period_start
from loyalty.rules.inputs import ActivityRuleSpec, Awarded, MemberSnapshot, PurchaseRuleSpec
from loyalty.selectors import fx_rate_get


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
    *,
    loyalty_currency: LoyaltyCurrency,
    cohort: Cohort | None = None,
    include_disabled: bool = False,
) -> list[PurchaseRule]:
    """The enabled purchase rules of the currency, with what their specs need prefetched.

    Disabled rules are left out (a partner has no use for rules staff switched off) unless
    `include_disabled`: the admin's simulation shows them with the reason they do not fire.
    Rules reserved to a cohort are left out too, unless `cohort` is that cohort: they run only
    through its own operations, which also leave out the rules the cohort switched off.
    """
    rules = PurchaseRule.objects.filter(loyalty_currency=loyalty_currency)
    if not include_disabled:
        rules = rules.filter(enabled=True)
    return list(
        rules.filter(cohort_rule_scope(cohort=cohort, setting_field="purchase_rule"))
        .prefetch_related("tiers", "metadata_matches", "tier_multipliers__tier")
        .order_by("name", "id")
    )


@dataclass(frozen=True)
class PurchaseRuleSet:
    """The enabled purchase rules of a currency (for a cohort, or none) and their specs, in the
    same order; cached per process during a partner API request (loyalty.caching)."""

    rules: tuple[PurchaseRule, ...]
    specs: tuple[PurchaseRuleSpec, ...]


def purchase_rule_set(
    *, loyalty_currency: LoyaltyCurrency, cohort: Cohort | None = None
) -> PurchaseRuleSet:
    def load() -> PurchaseRuleSet:
        rules = candidate_purchase_rules(loyalty_currency=loyalty_currency, cohort=cohort)
        specs = [purchase_rule_spec(rule, loyalty_currency=loyalty_currency) for rule in rules]
        return PurchaseRuleSet(rules=tuple(rules), specs=tuple(specs))

    key = (loyalty_currency.pk, cohort.pk if cohort else None)
    return caching.cached("purchase-rules", key, load)


def activity_rules_of(
    *, loyalty_currency: LoyaltyCurrency, cohort: Cohort | None = None
) -> tuple[ActivityRule, ...]:
    """Every activity rule of the currency for the cohort (or none), by activity then name;
    cached per process during a partner API request (loyalty.caching)."""

    def load() -> tuple[ActivityRule, ...]:
        return tuple(
            ActivityRule.objects.filter(loyalty_currency=loyalty_currency)
            .filter(cohort_rule_scope(cohort=cohort, setting_field="activity_rule"))
            .order_by("activity", "name", "pk")
        )

    key = (loyalty_currency.pk, cohort.pk if cohort else None)
    return caching.cached("activity-rules", key, load)


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


def _award_totals_sql(*, rule_column: str, rules: int, until: bool) -> str:
    """One SELECT per rule, joined by UNION ALL: (rule id, awards ever, awards and points since
    the given moment) of the member's counted awards of that rule (up to `until`)."""
    award, tx = sql.quote(RuleAward._meta.db_table), sql.quote(Transaction._meta.db_table)
    upper = f" AND {award}.created_at <= %s" if until else ""
    one = (
        f"SELECT CAST(%s AS BIGINT), COUNT({award}.id), "
        f"COALESCE(SUM(CASE WHEN {award}.created_at >= %s THEN 1 ELSE 0 END), 0), "
        f"COALESCE(SUM(CASE WHEN {award}.created_at >= %s THEN {award}.points ELSE 0 END), 0) "
        f"FROM {award} LEFT OUTER JOIN {tx} ON {award}.transaction_id = {tx}.id "
        f"WHERE {award}.member_id = %s AND {award}.{rule_column} = %s{upper} "
        f"AND ({tx}.status IS NULL OR {tx}.status <> %s)"
    )
    return " UNION ALL ".join([one] * rules)


def _award_totals(
    *,
    member: Member,
    rule_column: str,
    since: dict[int, dt.datetime],
    until: dt.datetime | None,
) -> dict[int, tuple[int, int, int]]:
    """rule id -> (awards ever, awards since, points since) of the member, for each rule of
    `since` (rule id -> the start of its period), in one statement written once per process
    (loyalty.sql): it is on every rule trigger. Awards whose transaction was cancelled gave
    nothing and do not count; with `until`, neither do awards made after it."""
    params = []
    for rule_id, start in since.items():
        params += [rule_id, start, start, member.pk, rule_id]
        if until is not None:
            params.append(until)
        params.append(TransactionStatus.CANCELLED.value)
    statement = sql.written(
        f"award-totals:{rule_column}:{len(since)}:{until is not None}",
        lambda: _award_totals_sql(
            rule_column=rule_column, rules=len(since), until=until is not None
        ),
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return {row[0]: (int(row[1]), int(row[2]), int(row[3])) for row in cursor.fetchall()}


def member_snapshot(
    *,
    member: Member | None,
    rules: Iterable[PurchaseRule],
    at: dt.datetime,
    until: dt.datetime | None = None,
) -> MemberSnapshot:
    """The member's tier code and, for each capped rule, the points it gave since its period began.

    One statement for all the capped rules (see _award_totals). No member (a simulation for
    anyone): no tier and nothing awarded.
    """
    if member is None:
        return MemberSnapshot()
    tier = member.tier.code if member.tier_id else None
    since = {
        rule.pk: period_start(period=rule.member_cap_period, at=at, time_zone=rule.time_zone)
        for rule in rules
        if rule.max_points_per_member is not None
    }
    if not since:
        return MemberSnapshot(tier=tier)
    totals = _award_totals(member=member, rule_column="purchase_rule_id", since=since, until=until)
    capped = {rule.pk: rule for rule in rules}
    awarded = {
        capped[rule_id].public_id: Awarded(points=points, count=count)
        for rule_id, (_, count, points) in totals.items()
    }
    return MemberSnapshot(tier=tier, awarded=awarded)


def rate_pairs(
    *, fiat_currency: str, rule: PurchaseRuleSpec, own_fiat: str
) -> set[tuple[str, str]]:
    """The rates evaluating `rule` needs: purchase fiat -> the rule's fiat, and for a percentage
    rule the rule's fiat -> the currency's own fiat."""
    pairs = {(fiat_currency, rule.fiat_currency)}
    if rule.percentage:
        pairs.add((rule.fiat_currency, own_fiat))
    return pairs


@dataclass(frozen=True)
class Rates:
    """The rates found, and for each pair not found the reason (FxRateMissing's message)."""

    found: dict[tuple[str, str], Decimal]
    missing: dict[tuple[str, str], str]


def purchase_rates(
    *,
    fiat_currency: str,
    rules: Iterable[PurchaseRuleSpec],
    own_fiat: str,
    on: dt.date,
) -> Rates:
    """The rates evaluation needs (rate_pairs of every rule). A missing rate is left out of
    `found`; evaluation then reports fx_rate_missing for the rules that needed it."""
    pairs = set()
    for rule in rules:
        pairs |= rate_pairs(fiat_currency=fiat_currency, rule=rule, own_fiat=own_fiat)
    found, missing = {}, {}
    for base, quote in pairs:
        try:
            found[(base, quote)] = fx_rate_get(base=base, quote=quote, on=on)
        except FxRateMissing as exc:
            missing[(base, quote)] = exc.message
    return Rates(found=found, missing=missing)


def activity_rule_spec(rule: ActivityRule) -> ActivityRuleSpec:
    return ActivityRuleSpec(
        public_id=rule.public_id,
        name=rule.name,
        activity=rule.activity,
        points=rule.points,
        enabled=rule.enabled,
        valid_from=rule.valid_from,
        valid_to=rule.valid_to,
        time_zone=rule.time_zone,
        once_per_member=rule.once_per_member,
        max_per_member=rule.max_per_member,
        limit_period=rule.limit_period,
    )


def activity_awarded(
    *,
    member: Member,
    rules: Sequence[ActivityRule],
    at: dt.datetime,
    until: dt.datetime | None = None,
) -> dict[str, Awarded]:
    """Each rule's awards to the member, ever and since its period started, in one query."""
    if not rules:
        return {}
    since = {
        rule.pk: period_start(period=rule.limit_period, at=at, time_zone=rule.time_zone)
        if rule.limit_period
        else at
        for rule in rules
    }
    totals = _award_totals(member=member, rule_column="activity_rule_id", since=since, until=until)
    return {
        rule.public_id: Awarded(
            count=totals[rule.pk][1] if rule.limit_period else 0, count_ever=totals[rule.pk][0]
        )
        for rule in rules
    }
