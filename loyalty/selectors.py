"""Reads the admin, the partner API and the services share: one way to find each thing.

Lookups of what a request names (a currency by code, a member by its identifiers, an account by
id, partner id or identifiers) raise the domain's errors, worded for the request field at fault.
They check nobody's rights: the services call them only after the partnership rules
(loyalty.services.partnerships) have let the caller in, so that a stranger learns nothing of
what exists. The rules' own inputs are read by loyalty.rules.loading.

Reference data (currencies, partnerships, partners' accounts) is read through loyalty.caching:
from the process's cache during a partner API request, from the database everywhere else.
Members and their accounts are never cached.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from statistics import median
from typing import Any

from django.db import connection
from django.db.models import (
    Aggregate,
    Case,
    Count,
    F,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone

from loyalty import caching, sql
from loyalty.errors import (
    AccountNotFound,
    CohortNotFound,
    ExecutionNotFound,
    FxRateMissing,
    InvalidMemberIdentifiers,
    MemberNotFound,
    MemberNotFoundLookup,
    NoIssuingAccount,
    RuleNotFound,
    TransactionNotFound,
    UnknownCurrency,
)
from loyalty.models import (
    OPEN_FORWARDING_STATUSES,
    Account,
    ActivityRule,
    AttemptOutcome,
    Cohort,
    CohortRuleSetting,
    ExchangeDirection,
    ExchangePartnership,
    ForwardingAttempt,
    ForwardingRecord,
    ForwardingStatus,
    FxRate,
    LoyaltyCurrency,
    Member,
    Partner,
    Partnership,
    PartnershipType,
    PartnerStatus,
    PurchaseRule,
    PurchaseRuleExecution,
    RuleAward,
    Tier,
    Transaction,
    TransactionSubType,
    TransactionType,
)

# Currencies, members and accounts ------------------------------------------------------------


def currency_get(*, code: str, field: str = "loyalty_currency") -> LoyaltyCurrency:
    currency = caching.cached(
        "currency", code, lambda: LoyaltyCurrency.objects.filter(code=code).first()
    )
    if currency is None:
        raise UnknownCurrency(f"Unknown loyalty currency {code!r}.", field=field)
    return currency


def membership_id_from(
    identifiers: dict[str, Any], *, field: str = "loyalty_program_identifiers"
) -> str:
    """The membership number inside loyalty_program_identifiers (its `id`)."""
    value = identifiers.get("id") if isinstance(identifiers, dict) else None
    if value is None or str(value).strip() == "":
        raise InvalidMemberIdentifiers("Give the membership number as the field `id`.", field=field)
    return str(value).strip()


def _member_not_found(
    loyalty_currency: LoyaltyCurrency, membership_id: str, field: str
) -> MemberNotFound:
    return MemberNotFound(f"No member {membership_id!r} in {loyalty_currency.code}.", field=field)


def member_get(
    *, loyalty_currency: LoyaltyCurrency, identifiers: dict, field: str = "member"
) -> Member:
    """The member of the currency named by loyalty_program_identifiers, or MemberNotFound (400)."""
    membership_id = membership_id_from(identifiers, field=field)
    member = (
        Member.objects.select_related("tier", "loyalty_currency")
        .filter(loyalty_currency=loyalty_currency, membership_id=membership_id)
        .first()
    )
    if member is None:
        raise _member_not_found(loyalty_currency, membership_id, field)
    return member


def members_with_balance() -> QuerySet[Member]:
    """Members with their tier, currency and account balances in one query.

    `account_balance` is the spendable balance of the member's account in its own currency and
    `account_pending_balance` the units of its pending transactions.
    """
    account = Account.objects.filter(
        member=OuterRef("pk"), loyalty_currency=OuterRef("loyalty_currency")
    )
    return Member.objects.select_related("tier", "loyalty_currency").annotate(
        account_balance=Subquery(account.values("balance")[:1]),
        account_pending_balance=Subquery(account.values("pending_balance")[:1]),
    )


def member_with_balance_get(*, loyalty_currency: LoyaltyCurrency, identifiers: dict) -> Member:
    """The member with its tier and balance (one query), or a 404 member_does_not_exist: the
    answer of the operations that look the member itself up."""
    membership_id = membership_id_from(identifiers)
    member = (
        members_with_balance()
        .filter(loyalty_currency=loyalty_currency, membership_id=membership_id)
        .first()
    )
    if member is None:
        raise MemberNotFoundLookup(f"No member {membership_id!r} in {loyalty_currency.code}.")
    return member


def member_account(*, member: Member) -> Account:
    """The member's account in its programme's currency (created with the member)."""
    account = Account.objects.get(member=member, loyalty_currency_id=member.loyalty_currency_id)
    account.member = member
    account.partner = None
    return account


def _member_account_sql(*, for_update: bool) -> str:
    account, member, tier = Account._meta, Member._meta, Tier._meta
    # SQLite has no row locks (its writers queue for the whole database instead).
    locks = for_update and connection.features.has_select_for_update_of
    lock = f" FOR UPDATE OF {sql.quote(member.db_table)}" if locks else ""
    return (
        f"SELECT {sql.columns(Account, sql.quote(account.db_table))}, "
        f"{sql.columns(Member, sql.quote(member.db_table))}, "
        f"{sql.columns(Tier, sql.quote(tier.db_table))} "
        f"FROM {sql.quote(account.db_table)} "
        f"INNER JOIN {sql.quote(member.db_table)} "
        f"ON {sql.quote(account.db_table)}.member_id = {sql.quote(member.db_table)}.id "
        f"LEFT OUTER JOIN {sql.quote(tier.db_table)} "
        f"ON {sql.quote(member.db_table)}.tier_id = {sql.quote(tier.db_table)}.id "
        f"WHERE {sql.quote(account.db_table)}.loyalty_currency_id = %s "
        f"AND {sql.quote(member.db_table)}.loyalty_currency_id = %s "
        f"AND {sql.quote(member.db_table)}.membership_id = %s LIMIT 1{lock}"
    )


def _member_account(
    *, loyalty_currency: LoyaltyCurrency, identifiers: dict, field: str, for_update: bool
) -> Account:
    """The member's account with the member and its tier attached, from one statement written
    once per process (loyalty.sql): it is on every accrual and rule trigger."""
    membership_id = membership_id_from(identifiers, field=field)
    statement = sql.written(
        f"member-account:{for_update}", lambda: _member_account_sql(for_update=for_update)
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [loyalty_currency.pk, loyalty_currency.pk, membership_id])
        row = cursor.fetchone()
    if row is None:
        raise _member_not_found(loyalty_currency, membership_id, field)
    split, end = sql.width(Account), sql.width(Account) + sql.width(Member)
    account = sql.instance(Account, row[:split])
    member = sql.instance(Member, row[split:end])
    member.tier = sql.instance(Tier, row[end:])
    account.member, account.partner = member, None
    return account


def member_account_get(
    *, loyalty_currency: LoyaltyCurrency, identifiers: dict, field: str = "member"
) -> Account:
    """The account of the member named by loyalty_program_identifiers, with the member (and its
    tier) attached, in one query (the accrual path's destination); MemberNotFound otherwise."""
    return _member_account(
        loyalty_currency=loyalty_currency, identifiers=identifiers, field=field, for_update=False
    )


def member_account_for_update(
    *, loyalty_currency: LoyaltyCurrency, identifiers: dict, field: str = "member"
) -> Account:
    """member_account_get with the member's row locked (SELECT ... FOR UPDATE OF the member):
    what a rule trigger reads before it counts the member's awards, so that two triggers for
    one member run one after the other."""
    return _member_account(
        loyalty_currency=loyalty_currency, identifiers=identifiers, field=field, for_update=True
    )


def issuing_account(*, partner: Partner | int, loyalty_currency: LoyaltyCurrency) -> Account:
    """The partner's default account in the currency, the one it issues from and that a request
    naming only the partner means; for the currency's owner that is the mint."""
    partner_id = partner if isinstance(partner, int) else partner.pk

    def load() -> Account | None:
        account = (
            Account.objects.select_related("partner")
            .filter(partner_id=partner_id, loyalty_currency=loyalty_currency, is_default=True)
            .first()
        )
        if account is not None:
            account.member = None
        return account

    account = caching.cached("issuing-account", (partner_id, loyalty_currency.pk), load)
    if account is None:
        raise NoIssuingAccount(f"There is no {loyalty_currency.code} account to issue from.")
    return account


def mint_account(*, loyalty_currency: LoyaltyCurrency) -> Account:
    """The currency owner's default account: it issues new units and has no credit limit."""
    return issuing_account(partner=loyalty_currency.owner_id, loyalty_currency=loyalty_currency)


def account_resolve(
    *, loyalty_currency: LoyaltyCurrency, reference: str | dict, field: str
) -> Account:
    """An account of the currency from an account id, a partner id or member identifiers.

    A partner id means that partner's default account. Unknown references are 400s naming the
    field; the account must hold the request's currency.
    """
    if isinstance(reference, dict):
        return member_account_get(
            loyalty_currency=loyalty_currency, identifiers=reference, field=field
        )

    def load() -> Account | None:
        rows = Account.objects.select_related("member", "partner").filter(
            loyalty_currency=loyalty_currency
        )
        if reference.startswith("part_"):
            return rows.filter(partner__public_id=reference, is_default=True).first()
        return rows.filter(public_id=reference).first()

    if reference.startswith("part_"):
        # A partner's default account: its identity never changes, its partner is watched.
        account = caching.cached("account", (reference, loyalty_currency.pk), load)
    else:
        account = load()
    if account is None:
        raise AccountNotFound(f"No {loyalty_currency.code} account for {reference!r}.", field=field)
    return account


# FX rates ------------------------------------------------------------------------------------

# Mid-day rates are published on working days only; older than this, a rate is too stale to use.
FX_RATE_MAX_AGE_DAYS = 7


def fx_rate_get(
    *, base: str, quote: str, on: dt.date, max_age_days: int = FX_RATE_MAX_AGE_DAYS
) -> Decimal:
    """How many `quote` one `base` buys on `on`: the most recent rate of the last `max_age_days`.

    The inverse pair counts as 1 / rate; on a date holding both, the pair as asked wins.
    """
    if base == quote:
        return Decimal(1)
    oldest = on - dt.timedelta(days=max_age_days)
    latest = (
        FxRate.objects.filter(
            Q(base=base, quote=quote) | Q(base=quote, quote=base), date__range=(oldest, on)
        )
        .order_by("-date", Case(When(base=base, then=Value(0)), default=Value(1)))
        .first()
    )
    if latest is None:
        raise FxRateMissing(
            f"No {base}/{quote} exchange rate published between {oldest.isoformat()} "
            f"and {on.isoformat()}."
        )
    return latest.rate if latest.base == base else 1 / latest.rate


# Transactions --------------------------------------------------------------------------------


def visible_to(partner: Partner) -> Q:
    """The transactions a partner may read: all in currencies it owns, else those it created or
    whose origin or destination is one of its accounts. For narrowing a set already small (one
    transaction, one member's); a partner's whole list reads visible_transactions instead."""
    return (
        Q(loyalty_currency__owner=partner)
        | Q(created_by_partner=partner)
        | Q(origin_account__partner=partner)
        | Q(destination_account__partner=partner)
    )


# What a Transaction's contract shape reads besides the row itself.
TRANSACTION_RELATED = (
    "loyalty_currency",
    "origin_account__member",
    "origin_account__partner",
    "destination_account__member",
    "destination_account__partner",
)


class VisibleTransactions:
    """Every transaction a partner may read (visible_to), newest first, for paging: `count()`
    and slices, as Django's Paginator takes them.

    It is a union of four indexed lookups (by currency, creator, origin account, destination
    account), each narrowed by `base` (the list's filters): counting it and ordering a page of
    it cost what the partner sees, not the size of the ledger, as an OR across joins would. A
    page is read in two steps: the page's ids from the union, then those rows with what the
    contract's Transaction shape needs (TRANSACTION_RELATED).
    """

    def __init__(self, partner: Partner, base: QuerySet[Transaction] | None = None):
        base = (Transaction.objects.all() if base is None else base).order_by()
        owned = list(LoyaltyCurrency.objects.filter(owner=partner).values_list("pk", flat=True))
        accounts = list(Account.objects.filter(partner=partner).values_list("pk", flat=True))
        branches = [
            base.filter(loyalty_currency__in=owned),
            base.filter(created_by_partner=partner),
            base.filter(origin_account__in=accounts),
            base.filter(destination_account__in=accounts),
        ]
        first, *others = (branch.values("pk", "created_at") for branch in branches)
        self._ids = first.union(*others)

    def count(self) -> int:
        return self._ids.count()

    def __getitem__(self, page: slice) -> list[Transaction]:
        ids = [row["pk"] for row in self._ids.order_by("-created_at", "-pk")[page]]
        rows = Transaction.objects.select_related(*TRANSACTION_RELATED).in_bulk(ids)
        return [rows[pk] for pk in ids]


def visible_transaction_get(*, partner: Partner, public_id: str) -> Transaction:
    """One transaction the partner may read, with what its shape needs; 404 otherwise."""
    tx = (
        Transaction.objects.select_related(*TRANSACTION_RELATED)
        .filter(visible_to(partner), public_id=public_id)
        .first()
    )
    if tx is None:
        raise TransactionNotFound(f"No transaction {public_id!r}.")
    return tx


def redemption_chain_links(tx: Transaction) -> list[Transaction]:
    """The standard redemption `tx` belongs to, as its links in order: the original, its
    adjustments, its cancellation. Empty for any other transaction or a redemption never
    changed."""
    if tx.type != TransactionType.REDEMPTION:
        return []
    if tx.sub_type == TransactionSubType.STANDARD:
        current = tx
    else:
        original = (tx.related_data or {}).get("original_redemption_transaction_id")
        current = Transaction.objects.filter(public_id=original).first() if original else None
    links = []
    while current is not None:
        links.append(current)
        current = (
            Transaction.objects.select_related("origin_account").filter(previous=current).first()
        )
    return links if len(links) > 1 else []


# Purchase rule executions --------------------------------------------------------------------


def purchase_rule_execution_get(*, partner: Partner, public_id: str) -> PurchaseRuleExecution:
    """The execution, for the partner that created it or the currency owner; 404 for others."""
    execution = (
        PurchaseRuleExecution.objects.filter(public_id=public_id)
        .filter(Q(partner=partner) | Q(loyalty_currency__owner=partner))
        .first()
    )
    if execution is None:
        raise ExecutionNotFound(f"No purchase rule execution {public_id!r}.")
    return execution


@dataclass(frozen=True)
class ExecutionRecord:
    """A purchase rule execution with its transactions and their rule awards, as its answer
    shows them; a trigger builds it from what it wrote, a read loads it."""

    execution: PurchaseRuleExecution
    transactions: tuple[Transaction, ...]
    awards: tuple[RuleAward, ...]


def execution_record(execution: PurchaseRuleExecution) -> ExecutionRecord:
    transactions = tuple(execution.transactions.select_related(*TRANSACTION_RELATED).order_by("id"))
    by_id = {tx.pk: tx for tx in transactions}
    awards = tuple(
        RuleAward.objects.filter(transaction__in=transactions)
        .select_related("purchase_rule")
        .order_by("id")
    )
    for award in awards:
        award.transaction = by_id[award.transaction_id]
    return ExecutionRecord(execution, transactions, awards)


# Cohorts -------------------------------------------------------------------------------------


def cohorts_of(*, owner: Partner) -> QuerySet[Cohort]:
    return Cohort.objects.filter(owner=owner).select_related("partner").order_by("id")


def cohort_get(*, owner: Partner, cohort_id: str) -> Cohort:
    """The owner's cohort with that id; another owner's, like an unknown one, is a 404."""
    cohort = cohorts_of(owner=owner).filter(partner__public_id=cohort_id).first()
    if cohort is None:
        raise CohortNotFound(f"No cohort {cohort_id!r}.")
    return cohort


def cohort_accounts(*, cohort: Cohort) -> QuerySet[Account]:
    return Account.objects.filter(partner=cohort.partner).select_related("loyalty_currency")


@dataclass(frozen=True)
class CohortRuleKind:
    """What differs between purchase and activity rules in a cohort's rule switches."""

    model: type[PurchaseRule] | type[ActivityRule]
    setting_field: str
    action: str


def _cohort_rules(cohort: Cohort, kind: CohortRuleKind) -> QuerySet:
    return (
        kind.model.objects.filter(loyalty_currency__owner_id=cohort.owner_id)
        .filter(Q(cohort__isnull=True) | Q(cohort=cohort))
        .select_related("loyalty_currency")
        .order_by("id")
    )


def _switched_off(cohort: Cohort, kind: CohortRuleKind) -> set[int]:
    return set(
        CohortRuleSetting.objects.filter(cohort=cohort, enabled=False).values_list(
            f"{kind.setting_field}_id", flat=True
        )
    )


def cohort_rules(*, cohort: Cohort, kind: CohortRuleKind) -> list:
    """The cohort's rules of one kind, each with `enabled_for_cohort` set."""
    rules = list(_cohort_rules(cohort, kind))
    switched_off = _switched_off(cohort, kind)
    for rule in rules:
        rule.enabled_for_cohort = rule.enabled and rule.pk not in switched_off
    return rules


def cohort_rule_get(*, cohort: Cohort, kind: CohortRuleKind, rule_id: str):
    """One of the cohort's rules with `enabled_for_cohort` set, or a 404."""
    rule = _cohort_rules(cohort, kind).filter(public_id=rule_id).first()
    if rule is None:
        raise RuleNotFound(f"No rule {rule_id!r} for this cohort.")
    rule.enabled_for_cohort = rule.enabled and rule.pk not in _switched_off(cohort, kind)
    return rule


# Partner relationships (the partner lists) ---------------------------------------------------

# A Partnership row (partner P, currency C, type T) is an agreement between P and C's owner O,
# recorded from O's side. O finds P in the list named T; P finds O in the mirror list.
MIRROR = {
    PartnershipType.ISSUING: PartnershipType.CURRENCY_OWNER_FOR_ISSUANCE,
    PartnershipType.CURRENCY_OWNER_FOR_ISSUANCE: PartnershipType.ISSUING,
    PartnershipType.REDEMPTION: PartnershipType.CURRENCY_OWNER_FOR_REDEMPTION,
    PartnershipType.CURRENCY_OWNER_FOR_REDEMPTION: PartnershipType.REDEMPTION,
}


def relationships(
    partner: Partner, *, partner_id: str | None = None, loyalty_currency: str | None = None
) -> QuerySet[Partnership]:
    """The enabled partnerships between `partner` and another active partner, either side,
    optionally with one other partner (its public id) or in one currency (its code).

    Each row is annotated with the other party (`other_id`, `other_name`): the row's partner
    when `partner` owns the currency, else the currency's owner. An owner's partnership in its
    own currency relates nobody and is left out.
    """
    as_owner = Q(loyalty_currency__owner=partner) & ~Q(partner=partner)
    as_partner = Q(partner=partner) & ~Q(loyalty_currency__owner=partner)
    active = PartnerStatus.ACTIVE
    rows = (
        Partnership.objects.filter(enabled=True)
        .filter(
            (as_owner & Q(partner__status=active))
            | (as_partner & Q(loyalty_currency__owner__status=active))
        )
        .annotate(
            other_id=Case(
                When(loyalty_currency__owner=partner, then=F("partner_id")),
                default=F("loyalty_currency__owner_id"),
            ),
            other_name=Case(
                When(loyalty_currency__owner=partner, then=F("partner__company_name")),
                default=F("loyalty_currency__owner__company_name"),
            ),
        )
    )
    if partner_id is not None:
        rows = rows.filter(
            Q(loyalty_currency__owner=partner, partner__public_id=partner_id)
            | Q(partner=partner, loyalty_currency__owner__public_id=partner_id)
        )
    if loyalty_currency is not None:
        rows = rows.filter(loyalty_currency__code=loyalty_currency)
    return rows


def seen_as(partner: Partner, kind: str) -> Q:
    """The rows `partner` finds in the list `kind`: its own currency's agreements of that type,
    and its agreements in others' currencies of the mirror type."""
    return Q(loyalty_currency__owner=partner, type=kind) | Q(partner=partner, type=MIRROR[kind])


# The exchange lists read the exchange partnerships themselves, the rows the exchange services
# use (loyalty.services.exchanges), so that the terms a partner lists are those it exchanges on.
EXCHANGE_OUT = ExchangeDirection.EXCHANGE_OUT.value
EXCHANGE_IN = ExchangeDirection.EXCHANGE_IN.value


def _by_direction(out, into) -> Case:
    return Case(When(direction=ExchangeDirection.EXCHANGE_OUT, then=out), default=into)


def exchange_relationships(
    partner: Partner,
    *,
    kind: str | None = None,
    partner_id: str | None = None,
    loyalty_currency: str | None = None,
) -> QuerySet[ExchangePartnership]:
    """The enabled exchange partnerships `partner` lists, each annotated with the list it is in
    (`kind`: exchange_out or exchange_in) and the item's other party and currency (`other_id`,
    `other_name`, `other_public_id`, `item_currency_id`, `item_currency_code`), optionally of
    one list, with one other partner (its public id) or in one currency (its code).

    Scope as in the exchange services: only the exchange partner and the owners of the two
    currencies see a partnership. The owner of the origin currency finds it in exchange_out,
    the item being the destination currency and its owner (where its members can go); the
    owner of the destination currency finds it in exchange_in, the item being the origin
    currency and its owner (whose members can come in). An exchange partner that owns neither
    currency sees it as the owner of the partnership's `loyalty_currency` does (the side the
    direction is named from). A partnership between two currencies of one owner relates that
    owner to nobody and is not in its lists; the item's partner must be active.
    """
    rows = (
        ExchangePartnership.objects.filter(enabled=True)
        .filter(
            Q(partner=partner)
            | Q(loyalty_currency__owner=partner)
            | Q(partner_currency__owner=partner)
        )
        .annotate(
            origin_owner_id=_by_direction(
                F("loyalty_currency__owner_id"), F("partner_currency__owner_id")
            ),
            destination_owner_id=_by_direction(
                F("partner_currency__owner_id"), F("loyalty_currency__owner_id")
            ),
        )
    )
    broker = Q(partner=partner) & ~Q(loyalty_currency__owner=partner)
    broker &= ~Q(partner_currency__owner=partner)
    origin_side = (Q(origin_owner_id=partner.pk) & ~Q(destination_owner_id=partner.pk)) | (
        broker & Q(direction=ExchangeDirection.EXCHANGE_OUT)
    )
    destination_side = (Q(destination_owner_id=partner.pk) & ~Q(origin_owner_id=partner.pk)) | (
        broker & Q(direction=ExchangeDirection.EXCHANGE_IN)
    )
    # The item is the partnership's other side: the destination seen from the origin, and back.
    rows = (
        rows.annotate(
            kind=Case(
                When(origin_side, then=Value(EXCHANGE_OUT)),
                When(destination_side, then=Value(EXCHANGE_IN)),
                default=None,
            )
        )
        .exclude(kind=None)
        .annotate(
            item_on_partner_side=Case(
                When(kind=EXCHANGE_OUT, direction=ExchangeDirection.EXCHANGE_OUT, then=True),
                When(kind=EXCHANGE_IN, direction=ExchangeDirection.EXCHANGE_IN, then=True),
                default=False,
            )
        )
    )

    def item(field: str) -> Case:
        return Case(
            When(item_on_partner_side=True, then=F(f"partner_currency__{field}")),
            default=F(f"loyalty_currency__{field}"),
        )

    rows = rows.annotate(
        item_currency_id=item("id"),
        item_currency_code=item("code"),
        other_id=item("owner_id"),
        other_name=item("owner__company_name"),
        other_public_id=item("owner__public_id"),
        other_status=item("owner__status"),
    ).filter(other_status=PartnerStatus.ACTIVE)
    if kind is not None:
        rows = rows.filter(kind=kind)
    if partner_id is not None:
        rows = rows.filter(other_public_id=partner_id)
    if loyalty_currency is not None:
        rows = rows.filter(item_currency_code=loyalty_currency)
    return rows


def related_partner_get(*, partner: Partner, api_identifier: str) -> Partner | None:
    """The active partner with that identifier if `partner` is it or shares an enabled
    partnership or exchange partnership with it; None otherwise, whether or not it exists."""
    other = Partner.objects.filter(
        api_identifier=api_identifier, status=PartnerStatus.ACTIVE
    ).first()
    if other is None:
        return None
    if (
        other.pk == partner.pk
        or relationships(partner).filter(other_id=other.pk).exists()
        or exchange_relationships(partner).filter(other_id=other.pk).exists()
    ):
        return other
    return None


# Forwarding to partner programmes -------------------------------------------------------------


class Median(Aggregate):
    """PostgreSQL's continuous median (the mean of the two middle values of an even count)."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


@dataclass(frozen=True)
class ProgrammeHealth:
    currency: str
    currency_id: int
    queued: int
    retrying: int
    dead: int
    attempts_24h: int
    success_rate_24h: float | None  # answered attempts that confirmed (or found a duplicate)
    median_latency_ms_24h: float | None
    oldest_waiting_id: int | None = None  # the open record created first
    oldest_waiting_since: dt.datetime | None = None

    @property
    def queue_depth(self) -> int:
        """Queued or retrying."""
        return self.queued + self.retrying


def forwarding_health(*, now: dt.datetime | None = None) -> list[ProgrammeHealth]:
    """Per external currency: the outbox's queued, retrying and dead records, the one waiting
    longest, and its last 24 hours of answered attempts. Three queries, however many
    programmes (the forwarding queue's page and the front page both show it)."""
    now = now or timezone.now()
    since = now - dt.timedelta(hours=24)
    waiting = ForwardingRecord.objects.filter(
        loyalty_currency=OuterRef("pk"), status__in=OPEN_FORWARDING_STATUSES
    ).order_by("created_at", "id")
    currencies = list(
        LoyaltyCurrency.objects.filter(is_hosted=False)
        .annotate(
            oldest_waiting_id=Subquery(waiting.values("pk")[:1]),
            oldest_waiting_since=Subquery(waiting.values("created_at")[:1]),
        )
        .order_by("code")
    )
    ids = [currency.pk for currency in currencies]
    counts = {
        row["loyalty_currency"]: row
        for row in ForwardingRecord.objects.filter(loyalty_currency__in=ids)
        .values("loyalty_currency")
        .annotate(
            queued=Count("pk", filter=Q(status=ForwardingStatus.QUEUED)),
            retrying=Count("pk", filter=Q(status=ForwardingStatus.RETRYING)),
            dead=Count("pk", filter=Q(status=ForwardingStatus.DEAD)),
        )
        .order_by()
    }
    answered = ForwardingAttempt.objects.filter(
        record__loyalty_currency__in=ids, started_at__gte=since
    ).exclude(outcome=AttemptOutcome.IN_FLIGHT)
    by_currency = answered.values("record__loyalty_currency").order_by()
    good = Q(outcome__in=[AttemptOutcome.CONFIRMED, AttemptOutcome.DUPLICATE])
    if connection.vendor == "postgresql":
        by_currency = by_currency.annotate(median_latency=Median("latency_ms"))
    attempts = {
        row["record__loyalty_currency"]: row
        for row in by_currency.annotate(answered=Count("pk"), good=Count("pk", filter=good))
    }
    if connection.vendor != "postgresql":  # the embedded database: the median in Python
        latencies: dict[int, list[int]] = {}
        rows = answered.exclude(latency_ms__isnull=True).values_list(
            "record__loyalty_currency", "latency_ms"
        )
        for currency_id, latency in rows:
            latencies.setdefault(currency_id, []).append(latency)
        for currency_id, values in latencies.items():
            attempts[currency_id]["median_latency"] = float(median(values))
    none: dict[str, Any] = {}
    result = []
    for currency in currencies:
        count = counts.get(currency.pk, none)
        tried = attempts.get(currency.pk, none)
        answered_24h = tried.get("answered", 0)
        result.append(
            ProgrammeHealth(
                currency=currency.code,
                currency_id=currency.pk,
                queued=count.get("queued", 0),
                retrying=count.get("retrying", 0),
                dead=count.get("dead", 0),
                attempts_24h=answered_24h,
                success_rate_24h=tried["good"] / answered_24h if answered_24h else None,
                median_latency_ms_24h=tried.get("median_latency"),
                oldest_waiting_id=currency.oldest_waiting_id,
                oldest_waiting_since=currency.oldest_waiting_since,
            )
        )
    return result
