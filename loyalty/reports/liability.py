"""Points liability, breakage and partner settlement for a period, aggregated in SQL.

Liability is what holders (members, and partners other than the currency owner's mint) hold of a
hosted currency: the mint's negative balance. Every transaction whose units have left its origin
counts (pending, completed, reversed, adjusted, awaiting a partner programme; cancelled and
rejected ones never moved), on the day it was created. Each transaction is read as two legs, the
destination's (+amount) and the origin's (-amount), and a leg is attributed to the side of its
account (member, partner or mint); the mint's legs are left out. So, per side:

    opening (legs created before the start)
      + issued + redeemed + expired + adjusted + reversed + transferred + other (legs in the period)
      = closing (legs created before the end)

and at the present moment closing is the sum of the side's balances and pending balances. The
movements are signed flows into the side: "redeemed" is negative for members. Issued is accruals
(purchase and activity rule awards included), generation, purchase of units and exchanges in;
redeemed is redemptions, gift cards, withdrawals and exchanges out; adjusted is staff credits and
debits; reversed is the reversals' legs (the reversed transaction keeps its own category).
Fiat is units at the currency's base economic value.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import F, Q, Sum
from django.db.models.functions import TruncDate

from loyalty.models import (
    Account,
    LoyaltyCurrency,
    Partner,
    Transaction,
    TransactionStatus,
    TransactionSubType,
    TransactionType,
)

MOVED_STATUSES = (
    TransactionStatus.PENDING,
    TransactionStatus.COMPLETED,
    TransactionStatus.REVERSED,
    TransactionStatus.ADJUSTED,
    TransactionStatus.PENDING_EXTERNAL_APPROVAL,
)
MOVEMENTS = ("issued", "redeemed", "expired", "adjusted", "reversed", "transferred", "other")
SIDES = ("members", "partners")
CENT = Decimal("0.01")

_ISSUED = (
    TransactionType.ACCRUAL,
    TransactionType.LOYALTY_CURRENCY_GENERATION,
    TransactionType.LOYALTY_CURRENCY_PURCHASE,
)
_REDEEMED = (
    TransactionType.REDEMPTION,
    TransactionType.GIFT_CARD_EXCHANGE,
    TransactionType.LOYALTY_CURRENCY_WITHDRAWAL,
)
_EXCHANGES = (TransactionType.MEMBER_EXCHANGE, TransactionType.WHOLESALE_EXCHANGE)
_ADJUSTMENTS = (TransactionSubType.ADJUSTMENT_INCREASE, TransactionSubType.ADJUSTMENT_DECREASE)


def _values(items) -> str:
    return ", ".join(f"'{item!s}'" for item in items)  # our own enum values, never input


# (column, values, sub-type also required, category): the first rule that matches decides.
_RULES: tuple[tuple[str, tuple, str | None, str], ...] = (
    ("type", (TransactionType.REVERSAL,), None, "reversed"),
    ("sub_type", _ADJUSTMENTS, None, "adjusted"),
    ("type", _ISSUED, None, "issued"),
    ("type", _REDEEMED, None, "redeemed"),
    ("type", _EXCHANGES, TransactionSubType.IN, "issued"),
    ("type", _EXCHANGES, None, "redeemed"),
    ("type", (TransactionType.LOYALTY_CURRENCY_EXPIRATION,), None, "expired"),
    ("type", (TransactionType.TRANSFER,), None, "transferred"),
)


def category(type: str, sub_type: str) -> str:
    """The movement category of a transaction of this type and sub-type."""
    row = {"type": type, "sub_type": sub_type}
    for column, values, required_sub_type, name in _RULES:
        if row[column] in values and required_sub_type in (None, sub_type):
            return name
    return "other"


def _category_sql(alias: str) -> str:
    """category() as a SQL CASE over a transaction row."""
    whens = []
    for column, values, required_sub_type, name in _RULES:
        condition = f"{alias}.{column} IN ({_values(values)})"
        if required_sub_type is not None:
            condition += f" AND {alias}.sub_type = '{required_sub_type}'"
        whens.append(f"WHEN {condition} THEN '{name}'")
    return f"CASE {' '.join(whens)} ELSE 'other' END"


def _side_sql(account: str, currency: str) -> str:
    return (
        f"CASE WHEN {account}.member_id IS NOT NULL THEN 'members' "
        f"WHEN {account}.partner_id = {currency}.owner_id AND {account}.is_default THEN 'mint' "
        "ELSE 'partners' END"
    )


def _legs_sql(currency_filter: str) -> str:
    """Both legs of every moved transaction created before %s (the end), per currency."""
    tx = connection.ops.quote_name(Transaction._meta.db_table)
    acc = connection.ops.quote_name(Account._meta.db_table)
    cur = connection.ops.quote_name(LoyaltyCurrency._meta.db_table)
    legs = []
    for account_column, sign in (("destination_account_id", ""), ("origin_account_id", "-")):
        legs.append(
            f"SELECT t.loyalty_currency_id AS currency_id, t.created_at AS created_at, "
            f"{_category_sql('t')} AS category, {_side_sql('a', 'c')} AS side, "
            f"{sign}t.amount AS units "
            f"FROM {tx} t JOIN {acc} a ON a.id = t.{account_column} "
            f"JOIN {cur} c ON c.id = t.loyalty_currency_id "
            f"WHERE t.status IN ({_values(MOVED_STATUSES)}) AND t.created_at < %s"
            f"{currency_filter}"
        )
    return " UNION ALL ".join(legs)


@dataclass
class SideFigures:
    opening: int = 0
    movements: dict[str, int] = field(default_factory=lambda: dict.fromkeys(MOVEMENTS, 0))
    closing: int = 0

    @property
    def net_movement(self) -> int:
        return sum(self.movements.values())


@dataclass
class CurrencyLiability:
    currency: LoyaltyCurrency
    start: dt.datetime
    end: dt.datetime
    members: SideFigures
    partners: SideFigures

    @property
    def total(self) -> SideFigures:
        return SideFigures(
            opening=self.members.opening + self.partners.opening,
            movements={
                name: self.members.movements[name] + self.partners.movements[name]
                for name in MOVEMENTS
            },
            closing=self.members.closing + self.partners.closing,
        )

    def fiat(self, units: int) -> Decimal:
        return (Decimal(units) * self.currency.base_economic_value).quantize(CENT)

    # Breakage: from the members' side, where points are earned, spent and lost.

    @property
    def breakage_rate(self) -> Decimal | None:
        """Expired over issued in the period (None when nothing was issued)."""
        issued = self.members.movements["issued"]
        if issued <= 0:
            return None
        return (Decimal(-self.members.movements["expired"]) / issued).quantize(Decimal("0.0001"))

    @property
    def redemption_rate(self) -> Decimal | None:
        """Redeemed over issued in the period (None when nothing was issued)."""
        issued = self.members.movements["issued"]
        if issued <= 0:
            return None
        return (Decimal(-self.members.movements["redeemed"]) / issued).quantize(Decimal("0.0001"))


def liability_report(
    *, start: dt.datetime, end: dt.datetime, loyalty_currency: LoyaltyCurrency | None = None
) -> list[CurrencyLiability]:
    """Opening, movements and closing per hosted currency (or one) for [start, end): two grouped
    queries over the ledger, one for the opening and the period's movements, one for the
    closing."""
    currencies = LoyaltyCurrency.objects.filter(is_hosted=True).order_by("code")
    currency_filter, extra = "", []
    if loyalty_currency is not None:
        currencies = currencies.filter(pk=loyalty_currency.pk)
        currency_filter, extra = " AND t.loyalty_currency_id = %s", [loyalty_currency.pk]
    legs = _legs_sql(currency_filter)
    params = [end, *extra, end, *extra]
    figures: dict[int, dict[str, SideFigures]] = defaultdict(
        lambda: {side: SideFigures() for side in SIDES}
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT currency_id, side, CASE WHEN created_at < %s THEN 'opening' ELSE category "
            f"END AS bucket, SUM(units) FROM ({legs}) legs WHERE side <> 'mint' "
            "GROUP BY currency_id, side, bucket",
            [start, *params],
        )
        for currency_id, side, bucket, total in cursor.fetchall():
            side_figures = figures[currency_id][side]
            if bucket == "opening":
                side_figures.opening = int(total)
            else:
                side_figures.movements[bucket] = int(total)
        cursor.execute(
            f"SELECT currency_id, side, SUM(units) FROM ({legs}) legs WHERE side <> 'mint' "
            "GROUP BY currency_id, side",
            params,
        )
        for currency_id, side, total in cursor.fetchall():
            figures[currency_id][side].closing = int(total)
    return [
        CurrencyLiability(
            currency=currency,
            start=start,
            end=end,
            members=figures[currency.pk]["members"],
            partners=figures[currency.pk]["partners"],
        )
        for currency in currencies
    ]


def liability_rows(report: list[CurrencyLiability]) -> tuple[list[str], list[list]]:
    """The report as a table (CSV, XLSX): per currency, the members, partners and total lines,
    units then fiat."""
    header = [
        "loyalty_currency",
        "holders",
        "opening",
        *MOVEMENTS,
        "closing",
        "fiat_currency",
        "opening_fiat",
        *(f"{name}_fiat" for name in MOVEMENTS),
        "closing_fiat",
        "breakage_rate",
        "redemption_rate",
    ]
    rows = []
    for item in report:
        for name, figures in (
            ("members", item.members),
            ("partners", item.partners),
            ("total", item.total),
        ):
            amounts = [figures.opening, *(figures.movements[m] for m in MOVEMENTS), figures.closing]
            rates = (
                [item.breakage_rate, item.redemption_rate] if name == "members" else [None, None]
            )
            rows.append(
                [
                    item.currency.code,
                    name,
                    *amounts,
                    item.currency.fiat_currency,
                    *(item.fiat(amount) for amount in amounts),
                    *("" if rate is None else rate for rate in rates),
                ]
            )
    return header, rows


# Partner settlement -------------------------------------------------------------------------


@dataclass
class PartnerSettlement:
    partner: Partner
    currency: LoyaltyCurrency
    issued: int  # units the partner's accounts gave members (accruals, rule awards)
    redeemed: int  # units members spent with the partner (redemptions, gift cards)
    exchanged_in: int  # units the partner's accounts sent members in exchanges
    exchanged_out: int  # units members sent the partner's accounts in exchanges

    @property
    def issued_fiat(self) -> Decimal:
        return (Decimal(self.issued) * self.currency.issuing_partners_cost).quantize(CENT)

    @property
    def redeemed_fiat(self) -> Decimal:
        return (Decimal(self.redeemed) * self.currency.base_economic_value).quantize(CENT)

    @property
    def exchanges_net_fiat(self) -> Decimal:
        units = self.exchanged_in - self.exchanged_out
        return (Decimal(units) * self.currency.base_economic_value).quantize(CENT)

    @property
    def partner_owes(self) -> Decimal:
        """What the partner owes the programme for the period (negative: the programme owes
        the partner): issuing at the issuing partners' cost, less the redemptions it honoured,
        and exchanges both ways at the base economic value."""
        return self.issued_fiat - self.redeemed_fiat + self.exchanges_net_fiat


def settlement_report(
    *, start: dt.datetime, end: dt.datetime, loyalty_currency: LoyaltyCurrency | None = None
) -> list[PartnerSettlement]:
    """Per partner and hosted currency, what it issued and honoured in [start, end), in one
    grouped query. The mint is not a partner here, and a reversed transaction and its reversal
    cancel out (both left out)."""
    tx = connection.ops.quote_name(Transaction._meta.db_table)
    acc = connection.ops.quote_name(Account._meta.db_table)
    cur = connection.ops.quote_name(LoyaltyCurrency._meta.db_table)
    settled = _values(s for s in MOVED_STATUSES if s != TransactionStatus.REVERSED)
    currency_filter, extra = "", []
    if loyalty_currency is not None:
        currency_filter, extra = " AND t.loyalty_currency_id = %s", [loyalty_currency.pk]
    legs = []
    for account_column, other_column, direction in (
        ("origin_account_id", "destination_account_id", "out"),
        ("destination_account_id", "origin_account_id", "in"),
    ):
        legs.append(
            f"SELECT t.loyalty_currency_id AS currency_id, p.partner_id AS partner_id, "
            f"'{direction}' AS direction, {_category_sql('t')} AS category, t.type AS type, "
            "t.amount AS units "
            f"FROM {tx} t JOIN {acc} p ON p.id = t.{account_column} "
            f"JOIN {acc} m ON m.id = t.{other_column} "
            f"JOIN {cur} c ON c.id = t.loyalty_currency_id "
            "WHERE p.partner_id IS NOT NULL AND NOT (p.partner_id = c.owner_id AND p.is_default) "
            f"AND m.member_id IS NOT NULL AND t.status IN ({settled}) "
            f"AND t.type <> '{TransactionType.REVERSAL}' "
            f"AND t.created_at >= %s AND t.created_at < %s AND c.is_hosted{currency_filter}"
        )
    is_exchange = f"type IN ({_values(_EXCHANGES)})"
    statement = (
        "SELECT currency_id, partner_id, "
        f"SUM(CASE WHEN direction = 'out' AND category = 'issued' AND NOT ({is_exchange}) "
        "THEN units ELSE 0 END), "
        f"SUM(CASE WHEN direction = 'in' AND category = 'redeemed' AND NOT ({is_exchange}) "
        "THEN units ELSE 0 END), "
        f"SUM(CASE WHEN direction = 'out' AND {is_exchange} THEN units ELSE 0 END), "
        f"SUM(CASE WHEN direction = 'in' AND {is_exchange} THEN units ELSE 0 END) "
        f"FROM ({' UNION ALL '.join(legs)}) legs GROUP BY currency_id, partner_id"
    )
    params = [start, end, *extra] * 2
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        rows = cursor.fetchall()
    partners = Partner.objects.in_bulk({row[1] for row in rows})
    currencies = LoyaltyCurrency.objects.in_bulk({row[0] for row in rows})
    result = [
        PartnerSettlement(
            partner=partners[partner_id],
            currency=currencies[currency_id],
            issued=int(issued),
            redeemed=int(redeemed),
            exchanged_in=int(exchanged_in),
            exchanged_out=int(exchanged_out),
        )
        for currency_id, partner_id, issued, redeemed, exchanged_in, exchanged_out in rows
    ]
    return sorted(result, key=lambda s: (s.currency.code, s.partner.company_name))


SETTLEMENT_HEADER = [
    "loyalty_currency",
    "partner",
    "partner_id",
    "issued",
    "redeemed",
    "exchanged_in",
    "exchanged_out",
    "fiat_currency",
    "issued_fiat",
    "redeemed_fiat",
    "exchanges_net_fiat",
    "partner_owes",
]


def settlement_rows(report: list[PartnerSettlement]) -> tuple[list[str], list[list]]:
    return SETTLEMENT_HEADER, [
        [
            s.currency.code,
            s.partner.company_name,
            s.partner.public_id,
            s.issued,
            s.redeemed,
            s.exchanged_in,
            s.exchanged_out,
            s.currency.fiat_currency,
            s.issued_fiat,
            s.redeemed_fiat,
            s.exchanges_net_fiat,
            s.partner_owes,
        ]
        for s in report
    ]


# The dashboard's figures --------------------------------------------------------------------


@dataclass(frozen=True)
class DailyMovements:
    currency: LoyaltyCurrency
    days: list[dt.date]
    issued: list[int]  # to members
    redeemed: list[int]  # by members
    expired: list[int]  # from members


def daily_movements(
    *, loyalty_currency: LoyaltyCurrency, days: int, today: dt.date
) -> DailyMovements:
    """Units issued to, redeemed by and expired from members per UTC day, for the `days` days
    up to today: one grouped query (by day, type and sub-type), categorised as the liability."""
    first = today - dt.timedelta(days=days - 1)
    since = dt.datetime.combine(first, dt.time(), tzinfo=dt.UTC)
    rows = (
        Transaction.objects.filter(
            loyalty_currency=loyalty_currency, status__in=MOVED_STATUSES, created_at__gte=since
        )
        .annotate(day=TruncDate("created_at", tzinfo=dt.UTC))
        .order_by()
        .values("day", "type", "sub_type")
        .annotate(
            to_members=Sum("amount", filter=Q(destination_account__member__isnull=False)),
            from_members=Sum("amount", filter=Q(origin_account__member__isnull=False)),
        )
    )
    calendar = [first + dt.timedelta(days=i) for i in range(days)]
    index = {day: i for i, day in enumerate(calendar)}
    series = {name: [0] * days for name in ("issued", "redeemed", "expired")}
    for row in rows:
        i = index.get(row["day"])
        name = category(row["type"], row["sub_type"])
        if i is None or name not in series:
            continue
        flow = (row["to_members"] or 0) - (row["from_members"] or 0)
        series[name][i] += flow if name == "issued" else -flow
    return DailyMovements(currency=loyalty_currency, days=calendar, **series)


@dataclass(frozen=True)
class LiabilityNow:
    currency: LoyaltyCurrency
    members: int
    partners: int

    @property
    def total(self) -> int:
        return self.members + self.partners

    @property
    def fiat(self) -> Decimal:
        return (Decimal(self.total) * self.currency.base_economic_value).quantize(CENT)


def liability_now() -> list[LiabilityNow]:
    """What members and partners hold of each hosted currency now (balances and pending), from
    the stored balances: one grouped query over the accounts."""
    currencies = LoyaltyCurrency.objects.filter(is_hosted=True).order_by("code")
    held = F("balance") + F("pending_balance")
    mint = Q(partner_id=F("loyalty_currency__owner_id"), is_default=True)
    totals = {
        row["loyalty_currency_id"]: row
        for row in Account.objects.filter(loyalty_currency__in=currencies)
        .order_by()
        .values("loyalty_currency_id")
        .annotate(
            members=Sum(held, filter=Q(member__isnull=False)),
            partners=Sum(held, filter=Q(partner__isnull=False) & ~mint),
        )
    }
    return [
        LiabilityNow(
            currency=currency,
            members=int(totals.get(currency.pk, {}).get("members") or 0),
            partners=int(totals.get(currency.pk, {}).get("partners") or 0),
        )
        for currency in currencies
    ]
