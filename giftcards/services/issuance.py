"""Issuing codes: for points (a member's gift_card_exchange to the card's retailer and one code
from stock, in one database transaction) or directly (the partner sold the card itself).

Allocation takes the oldest free code of the denomination with SELECT ... FOR UPDATE SKIP
LOCKED: concurrent issuers each lock a different row and never wait for one another, and a code
is marked issued in the transaction that locked it, so no code is ever issued twice. If the
debit is then refused (insufficient points, an inactive member) the whole transaction rolls back
and the code is free again.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection
from django.utils import timezone

from giftcards.errors import GiftCardAmountInvalid, GiftCardOutOfStock
from giftcards.models import CodeStatus, GiftCard, GiftCardCode, IssueKind, RedemptionStatus
from giftcards.selectors import gift_card_sellable_get
from giftcards.services.quotes import Quote, fiat_amount_check, price_choose, quote
from loyalty import ledger, sql
from loyalty.models import Member, Partner, Transaction, TransactionSubType, TransactionType
from loyalty.selectors import currency_get, issuing_account, member_account_get, member_get
from loyalty.unit_of_work import atomic


@dataclass(frozen=True)
class Issue:
    code: GiftCardCode
    transaction: Transaction | None


def gift_card_simulate(
    *,
    partner: Partner,
    gift_card_id: str,
    fiat_amount: Decimal | None = None,
    loyalty_amount: int | None = None,
    member: dict | None = None,
    loyalty_currency: str | None = None,
) -> tuple[GiftCard, Quote]:
    """What the card would cost or be worth; writes nothing. A named member must exist."""
    card = gift_card_sellable_get(partner=partner, public_id=gift_card_id)
    price = price_choose(partner=partner, gift_card=card, loyalty_currency=loyalty_currency)
    if member is not None:
        member_get(loyalty_currency=price.loyalty_currency, identifiers=member)
    return card, quote(price=price, fiat_amount=fiat_amount, loyalty_amount=loyalty_amount)


def code_allocate(*, gift_card: GiftCard, denomination: Decimal | None) -> GiftCardCode:
    """Lock one free, unexpired code of the denomination (SKIP LOCKED), or GiftCardOutOfStock.

    The oldest such code by id, read through the stock index (giftcardcode_stock_idx): one
    statement written once per process (loyalty.sql), as every issue runs it.
    """
    params: list[Any] = [gift_card.pk, timezone.localdate()]
    if denomination is None:
        statement = sql.written("giftcard-code-allocate-open", lambda: _allocate_sql(open=True))
    else:
        statement = sql.written("giftcard-code-allocate", lambda: _allocate_sql(open=False))
        params.append(denomination)
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        row = cursor.fetchone()
    if row is None:
        amount = "" if denomination is None else f" of {denomination:.2f}"
        raise GiftCardOutOfStock(f"There are no codes{amount} left for {gift_card.name}.")
    code = sql.instance(GiftCardCode, row)
    code.gift_card = gift_card
    return code


def _allocate_sql(*, open: bool) -> str:
    """The status is written into the statement, not passed: a plan made once for any
    parameters (the connection keeps it prepared) can then read the partial stock index."""
    table = sql.quote(GiftCardCode._meta.db_table)
    denomination = "IS NULL" if open else "= %s"
    return (
        f"SELECT {sql.columns(GiftCardCode, table)} FROM {table} "
        f"WHERE gift_card_id = %s AND status = '{CodeStatus.AVAILABLE.value}' "
        "AND (expiration_date IS NULL OR expiration_date >= %s) "
        f"AND denomination {denomination} "
        "ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED"
    )


def _mark_issued(code: GiftCardCode, *, fiat_amount: Decimal | None, **values: Any) -> None:
    """Mark the locked code issued with `values`: one UPDATE of exactly those columns, written
    once per process for each set of them (what save(update_fields=...) would send)."""
    now = timezone.now()
    code.status = CodeStatus.ISSUED
    code.redemption_status = RedemptionStatus.UNREDEEMED
    code.issued_at = now
    code.fiat_amount = fiat_amount
    code.fiat_balance = fiat_amount
    for name, value in values.items():
        setattr(code, name, value)
    names = ("status", "redemption_status", "issued_at", "fiat_amount", "fiat_balance", *values)
    fields = [GiftCardCode._meta.get_field(name) for name in names]
    params = [field.get_db_prep_save(field.pre_save(code, False), connection) for field in fields]
    statement = sql.written(f"giftcard-code-issue:{','.join(names)}", lambda: _update_sql(fields))
    with connection.cursor() as cursor:
        cursor.execute(statement, [*params, code.pk])


def _update_sql(fields: list) -> str:
    assignments = ", ".join(f"{sql.quote(field.column)} = %s" for field in fields)
    return f"UPDATE {sql.quote(GiftCardCode._meta.db_table)} SET {assignments} WHERE id = %s"


@atomic
def gift_card_issue(
    *,
    partner: Partner,
    gift_card_id: str,
    member: dict,
    fiat_amount: Decimal | None = None,
    loyalty_amount: int | None = None,
    loyalty_currency: str | None = None,
    external_reference: str = "",
    metadata: dict | None = None,
    loyalty_system_data: dict | None = None,
) -> Issue:
    """Points to gift card: debit the member the card's price (a gift_card_exchange to the
    retailer's account, related_data {"id": "gcc_..."}) and issue one code from stock."""
    card = gift_card_sellable_get(partner=partner, public_id=gift_card_id)
    price = price_choose(partner=partner, gift_card=card, loyalty_currency=loyalty_currency)
    priced = quote(price=price, fiat_amount=fiat_amount, loyalty_amount=loyalty_amount)
    currency = price.loyalty_currency
    origin = member_account_get(loyalty_currency=currency, identifiers=member)
    destination = issuing_account(partner=card.partner_id, loyalty_currency=currency)
    code = code_allocate(gift_card=card, denomination=priced.denomination)
    tx = ledger.post(
        origin=origin,
        destination=destination,
        amount=priced.loyalty_amount,
        type=TransactionType.GIFT_CARD_EXCHANGE,
        sub_type=TransactionSubType.STANDARD,
        created_by_partner=partner,
        related_data={"id": code.public_id},
        external_reference=external_reference,
        metadata=metadata or {},
        loyalty_system_data=loyalty_system_data or {},
    )
    _mark_issued(
        code,
        fiat_amount=priced.fiat_amount,
        issue_kind=IssueKind.POINTS,
        issued_by_partner=partner,
        member=origin.member,
        member_reference=origin.member.membership_id,
        loyalty_currency=currency,
        loyalty_amount=priced.loyalty_amount,
        transaction=tx,
        external_reference=external_reference,
        metadata=metadata or {},
    )
    return Issue(code=code, transaction=tx)


@atomic
def gift_card_direct_issue(
    *,
    partner: Partner,
    gift_card_id: str,
    external_reference: str,
    fiat_amount: Decimal | None = None,
    loyalty_currency: str | None = None,
    loyalty_amount_exchanged: int | None = None,
    member_id: str = "",
    partner_code: str = "",
    metadata: dict | None = None,
    custom_settings_data: dict | None = None,
) -> GiftCardCode:
    """Issue a code without a points debit (the partner sold the card itself); the loyalty
    amount and member it names are recorded as information."""
    card = gift_card_sellable_get(partner=partner, public_id=gift_card_id)
    currency = currency_get(code=loyalty_currency) if loyalty_currency else None
    if fiat_amount is None and card.type != "discount":
        raise GiftCardAmountInvalid("Give the fiat_amount of the card to issue.")
    denomination = None if fiat_amount is None else fiat_amount_check(card, fiat_amount)
    if fiat_amount is None and card.denomination_type == "fixed":
        raise GiftCardAmountInvalid("Give the fiat_amount (a denomination) of the card to issue.")
    member = None
    if currency is not None and member_id:
        member = Member.objects.filter(loyalty_currency=currency, membership_id=member_id).first()
    code = code_allocate(gift_card=card, denomination=denomination)
    _mark_issued(
        code,
        fiat_amount=fiat_amount,
        issue_kind=IssueKind.DIRECT,
        issued_by_partner=partner,
        member=member,
        member_reference=member_id,
        loyalty_currency=currency,
        loyalty_amount=loyalty_amount_exchanged,
        external_reference=external_reference,
        partner_code=partner_code,
        metadata=metadata or {},
        custom_settings_data=custom_settings_data or {},
    )
    return code
