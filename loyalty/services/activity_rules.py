"""Activity rules through the partner API: simulate (nothing written) and trigger (points moved).

Both load the currency's rules for the requested activities, build the member's past awards and
call the pure `loyalty.rules.evaluation.evaluate_activity`, so a simulation answers exactly what a
trigger with the same input would do at that instant.

Limits hold under concurrency because trigger locks the member row (SELECT ... FOR UPDATE) before
it counts the member's awards: a second trigger for the same member waits for the first to commit
and then sees its RuleAward rows. Two simultaneous "birthday" triggers therefore pay once.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from loyalty import ledger, sql
from loyalty.models import (
    Account,
    ActivityRule,
    Cohort,
    LoyaltyCurrency,
    Member,
    Partner,
    PartnershipType,
    RuleAward,
    Transaction,
    TransactionSubType,
    TransactionType,
)
from loyalty.rules.evaluation import evaluate_activity
from loyalty.rules.inputs import ActivityRequest, MemberSnapshot, RuleOutcome
from loyalty.rules.loading import activity_awarded, activity_rule_spec, activity_rules_of
from loyalty.selectors import issuing_account, member_account_for_update, member_get
from loyalty.services.partnerships import require_partnership
from loyalty.unit_of_work import atomic


@dataclass(frozen=True)
class ActivityRuleResult:
    """One rule's verdict for the request; `transaction` is set once a trigger has paid it."""

    rule: ActivityRule
    outcome: RuleOutcome
    transaction: Transaction | None = None


@dataclass(frozen=True)
class ActivityRuleRun:
    """The rules of the requested activities, in request order: those that fired and the rest."""

    results: tuple[ActivityRuleResult, ...]

    @property
    def fired(self) -> tuple[ActivityRuleResult, ...]:
        return tuple(result for result in self.results if result.outcome.fired)

    @property
    def not_fired(self) -> tuple[ActivityRuleResult, ...]:
        return tuple(result for result in self.results if not result.outcome.fired)

    @property
    def transactions(self) -> tuple[Transaction, ...]:
        return tuple(result.transaction for result in self.fired if result.transaction)

    @property
    def total(self) -> int:
        return sum(result.outcome.points for result in self.fired)


def _rules_by_activity(
    loyalty_currency: LoyaltyCurrency, activity_ids: Sequence[str], *, cohort: Cohort | None = None
) -> dict[str, list[ActivityRule]]:
    """The currency's rules per requested activity, each activity once, in request order;
    rules reserved to a cohort run only through that cohort's own operations, which also leave
    out the rules the cohort switched off (see loading.cohort_rule_scope)."""
    by_activity: dict[str, list[ActivityRule]] = {activity: [] for activity in activity_ids}
    for rule in activity_rules_of(loyalty_currency=loyalty_currency, cohort=cohort):
        if rule.activity in by_activity:
            by_activity[rule.activity].append(rule)
    return by_activity


def _evaluate(
    *,
    loyalty_currency: LoyaltyCurrency,
    member: Member,
    activity_ids: Sequence[str],
    at: dt.datetime,
    cohort: Cohort | None = None,
) -> ActivityRuleRun:
    by_activity = _rules_by_activity(loyalty_currency, activity_ids, cohort=cohort)
    snapshot = MemberSnapshot(
        tier=member.tier.code if member.tier_id else None,
        awarded=activity_awarded(
            member=member, rules=[rule for rules in by_activity.values() for rule in rules], at=at
        ),
    )
    results = []
    for activity, rules in by_activity.items():
        evaluation = evaluate_activity(
            rules=[activity_rule_spec(rule) for rule in rules],
            request=ActivityRequest(activity=activity, at=at),
            member=snapshot,
        )
        results += [
            ActivityRuleResult(rule=rule, outcome=outcome)
            for rule, outcome in zip(rules, evaluation.outcomes, strict=True)
        ]
    return ActivityRuleRun(tuple(results))


def _member_get(*, partner: Partner, loyalty_currency: LoyaltyCurrency, identifiers) -> Member:
    """The member, once the partner may issue the currency (strangers learn nothing of members)."""
    require_partnership(partner, loyalty_currency, PartnershipType.ISSUING)
    return member_get(loyalty_currency=loyalty_currency, identifiers=identifiers)


def activity_rules_simulate(
    *,
    partner: Partner,
    loyalty_currency: LoyaltyCurrency,
    member_identifiers: dict,
    activity_ids: Sequence[str],
    cohort: Cohort | None = None,
) -> ActivityRuleRun:
    """What a trigger would pay now, and why each other rule of those activities would not.

    An activity id no rule rewards is not an error: it fires nothing; a repeated one counts once.
    Nothing is written. With a `cohort`, its rules are evaluated.
    """
    member = _member_get(
        partner=partner, loyalty_currency=loyalty_currency, identifiers=member_identifiers
    )
    return _evaluate(
        loyalty_currency=loyalty_currency,
        member=member,
        activity_ids=activity_ids,
        at=timezone.now(),
        cohort=cohort,
    )


def activity_rules_trigger(
    *,
    partner: Partner,
    loyalty_currency: LoyaltyCurrency,
    member_identifiers: dict,
    activity_ids: Sequence[str],
    release_date: dt.datetime | None = None,
    cohort: Cohort | None = None,
    at: dt.datetime | None = None,
    **details: Any,
) -> ActivityRuleRun:
    """Pay every rule that fires: one accrual per rule, and the RuleAward its limits count.

    The points come from the caller's issuing account (the owner's is the mint), pending until
    `release_date` when one is given. An activity id repeated in the request counts once; one no
    rule rewards fires nothing. `details` are the transactions' descriptive fields (metadata,
    external_reference, loyalty_system_data). Either every fired rule is paid or none is.
    With a `cohort`, its rules run and the points come from the cohort's own default account.
    `at` is when the activity happened: now for the partner API, earlier only to record history
    (the demo data).
    """
    require_partnership(partner, loyalty_currency, PartnershipType.ISSUING)
    with atomic():
        # The lock that makes limits hold: see the module docstring.
        destination = member_account_for_update(
            loyalty_currency=loyalty_currency, identifiers=member_identifiers
        )
        member = destination.member
        origin = issuing_account(
            partner=cohort.partner if cohort else partner, loyalty_currency=loyalty_currency
        )
        at = at or timezone.now()
        run = _evaluate(
            loyalty_currency=loyalty_currency,
            member=member,
            activity_ids=activity_ids,
            at=at,
            cohort=cohort,
        )
        paid = []
        for result in run.results:
            tx = None
            if result.outcome.fired:
                tx = _pay(
                    partner=partner,
                    rule=result.rule,
                    points=result.outcome.points,
                    origin=origin,
                    destination=destination,
                    release_date=release_date,
                    at=at,
                    details=details,
                )
                tx.loyalty_currency = loyalty_currency
                sql.insert(
                    RuleAward(
                        activity_rule=result.rule,
                        member=member,
                        points=result.outcome.points,
                        transaction=tx,
                        created_at=at,
                    )
                )
            paid.append(
                ActivityRuleResult(rule=result.rule, outcome=result.outcome, transaction=tx)
            )
    return ActivityRuleRun(tuple(paid))


def _pay(
    *,
    partner: Partner,
    rule: ActivityRule,
    points: int,
    origin: Account,
    destination: Account,
    release_date: dt.datetime | None,
    at: dt.datetime,
    details: dict,
) -> Transaction:
    moves = {
        "origin": origin,
        "destination": destination,
        "amount": points,
        "type": TransactionType.ACCRUAL,
        "sub_type": TransactionSubType.ACTIVITY_RULE,
        "created_by_partner": partner,
        "now": at,
        "created_at": at,
        "reason": rule.reason,
        "related_data": {
            "type": "activity_rule",
            "activity_id": rule.activity,
            "id": rule.public_id,
            "name": rule.name,
        },
        **details,
    }
    if release_date is not None:
        return ledger.hold(release_date=release_date, **moves)
    return ledger.post(**moves)
