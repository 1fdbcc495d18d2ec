"""Purchase rules through the partner API: simulate, trigger, read and cancel an execution.

Simulate and trigger share one evaluation (`purchase_evaluate`), so a simulation says exactly
what a trigger with the same input would issue. Trigger locks the member row before it reads the
member's awarded totals and records its awards in the same database transaction: two concurrent
triggers for one member run one after the other, and a per-member cap holds.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from django.utils import timezone

from loyalty import ledger, sql
from loyalty.errors import InvalidExecutionState
from loyalty.models import (
    Account,
    Cohort,
    ExecutionMode,
    ExecutionStatus,
    LoyaltyCurrency,
    Member,
    Partner,
    PartnershipType,
    PendingRelease,
    PurchaseRule,
    PurchaseRuleExecution,
    RuleAward,
    Transaction,
    TransactionStatus,
    TransactionSubType,
    TransactionType,
)
from loyalty.rules import loading
from loyalty.rules.evaluation import evaluate_purchase, period_start
from loyalty.rules.inputs import MemberSnapshot, PurchaseRequest, Reason
from loyalty.selectors import (
    ExecutionRecord,
    issuing_account,
    member_account,
    member_account_for_update,
    member_get,
)
from loyalty.services.partnerships import enabled_partnerships, require_partnership
from loyalty.unit_of_work import atomic

REASON_MAX_LENGTH = Transaction._meta.get_field("reason").max_length


@dataclass(frozen=True)
class Fired:
    rule: PurchaseRule
    points: int


@dataclass(frozen=True)
class NotFired:
    rule: PurchaseRule
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class PurchaseEvaluation:
    """The rules that fired with their points, and the others with every reason they did not."""

    fired: tuple[Fired, ...]
    not_fired: tuple[NotFired, ...]

    @property
    def total(self) -> int:
        return sum(item.points for item in self.fired)


def purchase_evaluate(
    *,
    loyalty_currency: LoyaltyCurrency,
    member: Member | None,
    fiat_amount: Decimal,
    fiat_currency: str,
    tags: frozenset[str],
    metadata: dict[str, Any],
    at: dt.datetime,
    excluded_awards: Sequence[RuleAward] = (),
    cohort: Cohort | None = None,
) -> PurchaseEvaluation:
    """Load the currency's rules, the member and the rates, and evaluate the purchase at `at`.

    `excluded_awards` (a retrigger's own awards) are left out of the member's capped totals.
    With a `cohort`, its rules are evaluated (see loading.purchase_rule_set).
    """
    rule_set = loading.purchase_rule_set(loyalty_currency=loyalty_currency, cohort=cohort)
    rules, specs = rule_set.rules, rule_set.specs
    snapshot = loading.member_snapshot(member=member, rules=rules, at=at)
    request = PurchaseRequest(
        amount=fiat_amount,
        fiat_currency=fiat_currency,
        at=at,
        tags=tags,
        metadata=metadata,
        rates=loading.purchase_rates(
            fiat_currency=fiat_currency,
            rules=specs,
            own_fiat=loyalty_currency.fiat_currency,
            on=timezone.localdate(at),
        ).found,
    )
    evaluation = evaluate_purchase(
        rules=specs,
        request=request,
        member=_without_awards(snapshot, awards=excluded_awards, rules=rules, at=at),
    )
    fired, not_fired = [], []
    for rule, outcome in zip(rules, evaluation.outcomes, strict=True):
        if outcome.fired:
            fired.append(Fired(rule, outcome.points))
        else:
            not_fired.append(NotFired(rule, outcome.reasons))
    return PurchaseEvaluation(tuple(fired), tuple(not_fired))


def purchase_rules_simulate(
    *,
    partner: Partner,
    loyalty_currency: LoyaltyCurrency,
    fiat_amount: Decimal,
    fiat_currency: str,
    tags: frozenset[str] = frozenset(),
    metadata: dict[str, Any] | None = None,
    member: dict | None = None,
    cohort: Cohort | None = None,
) -> PurchaseEvaluation:
    """What a trigger would issue now; nothing is written. The owner or an issuing partner;
    `member` (its identifiers) makes its tier and capped totals count."""
    require_partnership(partner, loyalty_currency, PartnershipType.ISSUING)
    found = None
    if member is not None:
        found = member_get(loyalty_currency=loyalty_currency, identifiers=member)
    return purchase_evaluate(
        loyalty_currency=loyalty_currency,
        member=found,
        fiat_amount=fiat_amount,
        fiat_currency=fiat_currency,
        tags=tags,
        metadata=metadata or {},
        at=timezone.now(),
        cohort=cohort,
    )


@atomic
def purchase_rules_trigger(
    *,
    partner: Partner,
    loyalty_currency: LoyaltyCurrency,
    member: dict,
    fiat_amount: Decimal,
    fiat_currency: str,
    tags: frozenset[str] = frozenset(),
    metadata: dict[str, Any] | None = None,
    preferred_execution_mode: str | None = None,
    reason: str = "",
    release_date: dt.datetime | None = None,
    external_reference: str = "",
    loyalty_system_data: dict[str, Any] | None = None,
    cohort: Cohort | None = None,
    at: dt.datetime | None = None,
) -> ExecutionRecord:
    """Evaluate the purchase and issue the fired rules' points from the caller's issuing account
    to the member named by its identifiers (`member`); the execution with what it wrote.

    `at` is when the purchase happened: now for the partner API; an earlier moment only to
    record history (the demo data), when the rules, the caps and the records are those of then.

    One transaction per rule, or one for all of them when the execution mode is single; held
    until `release_date` when one is given. Atomic: a refusal (an overdraft, say) leaves
    neither transactions, awards nor the execution behind. With a `cohort`, its rules run and
    the points come from the cohort's own default account; the caller stays the creator.
    """
    require_partnership(partner, loyalty_currency, PartnershipType.ISSUING)
    # The lock that serialises triggers for one member: taken before the awards are read.
    destination = member_account_for_update(loyalty_currency=loyalty_currency, identifiers=member)
    member = destination.member
    origin = issuing_account(
        partner=cohort.partner if cohort else partner, loyalty_currency=loyalty_currency
    )
    metadata = metadata or {}
    evaluation = purchase_evaluate(
        loyalty_currency=loyalty_currency,
        member=member,
        fiat_amount=fiat_amount,
        fiat_currency=fiat_currency,
        tags=tags,
        metadata=metadata,
        at=at or timezone.now(),
        cohort=cohort,
    )
    dated = {"created_at": at} if at else {}
    mode = _execution_mode(partner, loyalty_currency, preferred_execution_mode)
    pending = release_date is not None and bool(evaluation.fired)
    execution = PurchaseRuleExecution(
        partner=partner,
        member=member,
        loyalty_currency=loyalty_currency,
        fiat_amount=fiat_amount,
        fiat_currency=fiat_currency,
        tags=sorted(tags),
        metadata=metadata,
        external_reference=external_reference,
        reason=reason,
        release_date=release_date,
        execution_mode=mode,
        status=ExecutionStatus.PENDING if pending else ExecutionStatus.COMPLETED,
        **dated,
    )
    sql.insert(execution)
    if mode == ExecutionMode.SINGLE_TRANSACTION:
        groups = [evaluation.fired] if evaluation.fired else []
    else:
        groups = [(item,) for item in evaluation.fired]
    transactions, awards = [], []
    for group in groups:
        moves = {
            "origin": origin,
            "destination": destination,
            "amount": sum(item.points for item in group),
            "type": TransactionType.ACCRUAL,
            "sub_type": TransactionSubType.PURCHASE_RULE,
            "created_by_partner": partner,
            "loyalty_system_data": loyalty_system_data or {},
            **_details(execution, group),
            **({"now": at, "created_at": at} if at else {}),
        }
        if release_date is not None:
            tx = ledger.hold(release_date=release_date, **moves)
        else:
            tx = ledger.post(**moves)
        tx.loyalty_currency = loyalty_currency
        transactions.append(tx)
        group_awards = [
            RuleAward(
                purchase_rule=item.rule,
                member=member,
                points=item.points,
                transaction=tx,
                **dated,
            )
            for item in group
        ]
        sql.insert(*group_awards)
        awards += group_awards
    if transactions:
        links = PurchaseRuleExecution.transactions.through
        sql.insert(*(links(purchaseruleexecution=execution, transaction=tx) for tx in transactions))
    return ExecutionRecord(execution, tuple(transactions), tuple(awards))


@atomic
def purchase_rule_execution_cancel(*, execution: PurchaseRuleExecution) -> PurchaseRuleExecution:
    """Cancel a pending execution: each of its still pending transactions gives its units back.

    Refused once no transaction is pending (released, or already cancelled): completed
    transactions are never touched.
    """
    execution = PurchaseRuleExecution.objects.select_for_update().get(pk=execution.pk)
    pending = list(execution.transactions.filter(status=TransactionStatus.PENDING).order_by("id"))
    if execution.status != ExecutionStatus.PENDING or not pending:
        raise InvalidExecutionState(
            f"Purchase rule execution {execution.public_id} has no pending transaction; only a "
            "pending execution can be cancelled."
        )
    for tx in pending:
        ledger.cancel(transaction=tx)
    execution.status = ExecutionStatus.CANCELLED
    execution.save(update_fields=["status"])
    return execution


@atomic
def purchase_rules_retrigger(
    *,
    partner: Partner,
    execution: PurchaseRuleExecution,
    fiat_amount: Decimal,
    fiat_currency: str,
    tags: frozenset[str] = frozenset(),
    metadata: dict[str, Any] | None = None,
    reason: str = "",
    release_date: dt.datetime | None = None,
    loyalty_system_data: dict[str, Any] | None = None,
) -> PurchaseRuleExecution:
    """Re-evaluate a pending execution with the updated booking and adjust its pending units.

    The booking replaces the stored one (amount, currency, tags, metadata, reason); the
    release date and loyalty_system_data change only when given. Evaluation runs at the
    execution's original time, so the validity windows, days, hours, rates and cap periods
    are those of the purchase; the rules are today's enabled ones and the tier the member's
    current one. The execution's own awards are left out of the per-member caps, since they
    are what is being re-decided.

    Completed transactions are never touched: a rule whose units were released keeps them.
    Per rule with a pending transaction: still fires -> amended to the new points; no longer
    fires -> cancelled. A rule that fires and has no live transaction gets a new pending one.
    In single_transaction mode the one transaction is amended to the new total (cancelled at
    zero). Refused with invalid_execution_state unless a transaction is still pending.
    """
    require_partnership(partner, execution.loyalty_currency, PartnershipType.ISSUING)
    # The same lock as trigger, taken first: the caps read below cannot go stale.
    member = (
        Member.objects.select_for_update(of=("self",))
        .select_related("tier")
        .get(pk=execution.member_id)
    )
    execution = (
        PurchaseRuleExecution.objects.select_for_update(of=("self",))
        .select_related("loyalty_currency", "partner")
        .get(pk=execution.pk)
    )
    # Locked so that the release sweep (SKIP LOCKED) leaves them to this retrigger: their
    # schedule rows first, then the transactions, in the ledger's order (loyalty.ledger).
    schedule = PendingRelease.objects.select_for_update(of=("self",)).filter(
        transaction__purchase_rule_executions=execution
    )
    list(schedule.order_by("pk").values_list("pk"))
    transactions = list(
        Transaction.objects.select_for_update(of=("self",))
        .select_related("origin_account__partner")
        .filter(purchase_rule_executions=execution)
        .order_by("id")
    )
    pending = [tx for tx in transactions if tx.status == TransactionStatus.PENDING]
    if execution.status == ExecutionStatus.CANCELLED or not pending:
        raise InvalidExecutionState(
            f"Purchase rule execution {execution.public_id} has no pending transaction; only a "
            "pending execution can be retriggered."
        )
    # Awards of cancelled transactions gave nothing; the others are this execution's own.
    live = {tx.pk: tx for tx in transactions if tx.status != TransactionStatus.CANCELLED}
    awards = list(
        RuleAward.objects.filter(transaction__in=list(live.values()))
        .select_related("purchase_rule")
        .order_by("id")
    )
    for award in awards:
        award.transaction = live[award.transaction_id]
    # A cohort's execution pays from the cohort's own account: recompute with its rules.
    issuer = pending[0].origin_account.partner
    evaluation = purchase_evaluate(
        loyalty_currency=execution.loyalty_currency,
        member=member,
        fiat_amount=fiat_amount,
        fiat_currency=fiat_currency,
        tags=tags,
        metadata=metadata or {},
        at=execution.created_at,
        excluded_awards=awards,
        cohort=getattr(issuer, "cohort", None) if issuer else None,
    )
    execution.fiat_amount = fiat_amount
    execution.fiat_currency = fiat_currency
    execution.tags = sorted(tags)
    execution.metadata = metadata or {}
    execution.reason = reason
    execution.release_date = release_date or execution.release_date
    changes = {"release_date": release_date}
    if loyalty_system_data is not None:
        changes["loyalty_system_data"] = loyalty_system_data
    issue = _Issue(
        execution=execution,
        member=member,
        origin=pending[0].origin_account,
        loyalty_system_data=(
            pending[0].loyalty_system_data if loyalty_system_data is None else loyalty_system_data
        ),
    )
    if execution.execution_mode == ExecutionMode.SINGLE_TRANSACTION:
        _retrigger_single(issue, pending[0], awards, evaluation.fired, changes)
    else:
        _retrigger_multiple(issue, awards, evaluation.fired, changes)
    statuses = execution.transactions.values_list("status", flat=True)
    execution.status = execution_status(stored=execution.status, transaction_statuses=statuses)
    execution.save()
    return execution


def execution_status(*, stored: str, transaction_statuses: Sequence[str]) -> str:
    """An execution's status as its transactions tell it; the stored one is set when the
    execution is written and goes stale once the release sweep completes its transactions.

    Cancelled through the cancel operation stays cancelled; otherwise pending while any
    transaction is, completed once any was (or when no rule fired), cancelled when all were.
    """
    if stored == ExecutionStatus.CANCELLED:
        return ExecutionStatus.CANCELLED
    statuses = set(transaction_statuses)
    if TransactionStatus.PENDING in statuses:
        return ExecutionStatus.PENDING
    if not statuses or TransactionStatus.COMPLETED in statuses:
        return ExecutionStatus.COMPLETED
    return ExecutionStatus.CANCELLED


@dataclass(frozen=True)
class _Issue:
    """What a retrigger needs to hold new units: from the execution's origin to the member."""

    execution: PurchaseRuleExecution
    member: Member
    origin: Account
    loyalty_system_data: dict[str, Any]

    def hold(self, group: tuple[Fired, ...]) -> Transaction:
        execution = self.execution
        tx = ledger.hold(
            origin=self.origin,
            destination=member_account(member=self.member),
            amount=sum(item.points for item in group),
            type=TransactionType.ACCRUAL,
            sub_type=TransactionSubType.PURCHASE_RULE,
            release_date=execution.release_date,
            created_by_partner=execution.partner,
            loyalty_system_data=self.loyalty_system_data,
            **_details(execution, group),
        )
        execution.transactions.add(tx)
        return tx

    def award(self, item: Fired, tx: Transaction) -> RuleAward:
        """Dated at the purchase, so that it counts in the cap period the evaluation used."""
        return RuleAward.objects.create(
            purchase_rule=item.rule,
            member=self.member,
            points=item.points,
            transaction=tx,
            created_at=self.execution.created_at,
        )


def _retrigger_multiple(
    issue: _Issue,
    awards: list[RuleAward],
    fired: tuple[Fired, ...],
    changes: dict[str, Any],
) -> None:
    """One transaction per rule: amend, cancel or add each rule's own pending transaction."""
    now_firing = {item.rule.pk: item for item in fired}
    live = {award.purchase_rule_id for award in awards}
    for award in awards:
        tx = award.transaction
        if tx.status != TransactionStatus.PENDING:
            continue
        item = now_firing.get(award.purchase_rule_id)
        if item is None:
            ledger.cancel(transaction=tx)
            continue
        ledger.amend(
            transaction=tx, amount=item.points, **changes, **_details(issue.execution, (item,))
        )
        award.points = item.points
        award.save(update_fields=["points"])
    for item in fired:
        if item.rule.pk not in live:
            issue.award(item, issue.hold((item,)))


def _retrigger_single(
    issue: _Issue,
    tx: Transaction,
    awards: list[RuleAward],
    fired: tuple[Fired, ...],
    changes: dict[str, Any],
) -> None:
    """One transaction for all rules: amend it to the new total (cancel it at zero), and make
    its awards the new split; a rule that no longer fires loses its award."""
    if not fired:
        ledger.cancel(transaction=tx)
        return
    total = sum(item.points for item in fired)
    ledger.amend(transaction=tx, amount=total, **changes, **_details(issue.execution, fired))
    now_firing = {item.rule.pk: item for item in fired}
    for award in awards:
        item = now_firing.pop(award.purchase_rule_id, None)
        if item is None:
            award.delete()
        elif award.points != item.points:
            award.points = item.points
            award.save(update_fields=["points"])
    for item in now_firing.values():
        issue.award(item, tx)


def _without_awards(
    snapshot: MemberSnapshot,
    *,
    awards: Sequence[RuleAward],
    rules: Sequence[PurchaseRule],
    at: dt.datetime,
) -> MemberSnapshot:
    """The snapshot less `awards`, each taken off its rule's total if it lies in the period
    the snapshot counted (see loading.member_snapshot)."""
    capped = {rule.pk: rule for rule in rules if rule.public_id in snapshot.awarded}
    awarded = dict(snapshot.awarded)
    for award in awards:
        rule = capped.get(award.purchase_rule_id)
        if rule is None:
            continue
        since = period_start(period=rule.member_cap_period, at=at, time_zone=rule.time_zone)
        if award.created_at >= since:
            current = awarded[rule.public_id]
            awarded[rule.public_id] = replace(
                current, points=current.points - award.points, count=current.count - 1
            )
    return replace(snapshot, awarded=awarded)


def _execution_mode(
    partner: Partner, loyalty_currency: LoyaltyCurrency, preferred: str | None
) -> str:
    """A partnership set to single_transaction forces it (its loyalty system takes one
    transaction per purchase); otherwise the partner's preference, multiple by default."""
    forced = any(
        row.type == PartnershipType.ISSUING
        and row.loyalty_rules_execution_mode == ExecutionMode.SINGLE_TRANSACTION
        for row in enabled_partnerships(partner, loyalty_currency)
    )
    if forced:
        return ExecutionMode.SINGLE_TRANSACTION
    return preferred or ExecutionMode.MULTIPLE_TRANSACTIONS


def _reason(group: tuple[Fired, ...], *, mode: str, requested: str) -> str:
    """A rule's own reason (its name when empty); in single mode the request's reason, or the
    rules' reasons joined, cut to the field's length."""
    if mode == ExecutionMode.SINGLE_TRANSACTION and requested:
        return requested
    joined = "; ".join(item.rule.reason or item.rule.name for item in group)
    return joined[:REASON_MAX_LENGTH]


def _details(execution: PurchaseRuleExecution, group: tuple[Fired, ...]) -> dict[str, Any]:
    """The descriptive fields of the transaction that issues `group`'s points."""
    return {
        "bonus": all(item.rule.is_bonus for item in group),
        "reason": _reason(group, mode=execution.execution_mode, requested=execution.reason),
        "external_reference": execution.external_reference,
        "metadata": execution.metadata,
        "related_data": _related_data(execution, group),
    }


def _related_data(execution: PurchaseRuleExecution, group: tuple[Fired, ...]) -> dict[str, Any]:
    """The contract's TransactionRelatedDataPurchaseRule."""
    return {
        "type": "purchase_rule",
        "purchase_fiat_amount": str(execution.fiat_amount),
        "purchase_fiat_currency": execution.fiat_currency,
        "purchase_rule_execution_id": execution.public_id,
        "purchase_rules": [
            {"id": item.rule.public_id, "name": item.rule.name, "tags": list(item.rule.tags)}
            for item in group
        ],
        "purchase_tags": list(execution.tags),
    }
