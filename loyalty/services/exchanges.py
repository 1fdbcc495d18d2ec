"""Exchanges between loyalty currencies (contract operations 9-12), plain and linked-account.

An exchange makes two member_exchange transactions: the origin member's units go to the
exchange partner's account in the origin currency, and the partner's account in the destination
currency gives the converted units to the destination member. Between two hosted currencies
both complete at once, in one database transaction. Into an external currency (a partner
programme) the origin completes at once (no double spend) and the destination awaits the
programme (ledger.await_external); the forwarding record that will carry the credit there is
written in the same database transaction (loyalty.services.forwarding).

Scope first: the caller must be the exchange partner or the owner of one of the two currencies
of an exchange partnership, before any member is looked up; a caller that takes part in none
gets the same 400 whether a partnership exists for others or not.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from loyalty import ledger
from loyalty.errors import (
    ExchangeAmountOutOfRange,
    ExchangeAmountTooSmall,
    ExchangeDisabled,
    ExchangeFieldsMissing,
    ExchangeNotAvailable,
    InvalidMemberIdentifiers,
    LinkedAccountMissing,
    MemberNotFound,
    ProgrammeCannotDebit,
)
from loyalty.models import (
    Account,
    Exchange,
    ExchangeDirection,
    ExchangePartnership,
    ForwardingRecord,
    LinkedAccount,
    LoyaltyCurrency,
    Member,
    Partner,
    TransactionSubType,
    TransactionType,
)
from loyalty.selectors import (
    currency_get,
    issuing_account,
    member_account_get,
    member_get,
    membership_id_from,
)
from loyalty.services.accounts import partner_account_get_or_create
from loyalty.services.members import member_create
from loyalty.unit_of_work import atomic

# Identifier keys a programme's family name may come under in loyalty_program_identifiers.
_FAMILY_NAME_KEYS = ("family_name", "last_name", "familyName", "surname")
_FIRST_NAME_KEYS = ("first_name", "firstName")


@dataclass(frozen=True)
class ExecutedExchange:
    exchange: Exchange
    forwarding: ForwardingRecord | None


# Partnerships and amounts --------------------------------------------------------------------


def _takes_part(partner: Partner) -> Q:
    return (
        Q(partner=partner) | Q(loyalty_currency__owner=partner) | Q(partner_currency__owner=partner)
    )


def _from(origin: LoyaltyCurrency) -> Q:
    return Q(direction=ExchangeDirection.EXCHANGE_OUT, loyalty_currency=origin) | Q(
        direction=ExchangeDirection.EXCHANGE_IN, partner_currency=origin
    )


def _to(destination: LoyaltyCurrency) -> Q:
    return Q(direction=ExchangeDirection.EXCHANGE_OUT, partner_currency=destination) | Q(
        direction=ExchangeDirection.EXCHANGE_IN, loyalty_currency=destination
    )


def _partnerships(partner: Partner):
    return ExchangePartnership.objects.select_related(
        "partner", "loyalty_currency", "partner_currency"
    ).filter(_takes_part(partner))


def exchange_partnership_get(
    *, partner: Partner, origin: LoyaltyCurrency, destination: LoyaltyCurrency
) -> ExchangePartnership:
    """The partnership from `origin` to `destination` the caller takes part in (enabled)."""
    found = _partnerships(partner).filter(_from(origin) & _to(destination)).first()
    if found is None:
        raise ExchangeNotAvailable(
            f"You have no exchange partnership from {origin.code} to {destination.code}."
        )
    if not found.enabled:
        raise ExchangeDisabled(
            f"The exchange from {origin.code} to {destination.code} is disabled."
        )
    return found


def exchange_amount(partnership: ExchangePartnership, amount: int) -> int:
    """Destination units for `amount` origin units: within the partnership's bounds, rounded
    down to whole units and never zero."""
    low = partnership.minimum_member_transaction_amount
    high = partnership.maximum_member_transaction_amount
    if low is not None and amount < low:
        raise ExchangeAmountOutOfRange(f"The minimum amount to exchange is {low}.")
    if high is not None and amount > high:
        raise ExchangeAmountOutOfRange(f"The maximum amount to exchange is {high}.")
    converted = (Decimal(amount) * partnership.conversion_ratio_per_unit).to_integral_value(
        rounding=ROUND_FLOOR
    )
    if converted < 1:
        raise ExchangeAmountTooSmall(
            f"{amount} {partnership.origin_currency.code} gives no whole unit of "
            f"{partnership.destination_currency.code}; exchange more."
        )
    return int(converted)


def exchange_simulate(
    *,
    partner: Partner,
    amount: int,
    origin_loyalty_currency: str,
    destination_loyalty_currency: str | None = None,
) -> dict[str, int]:
    """Destination units for one destination currency, or for every enabled exchange partner
    of the origin currency (those the amount qualifies for) when none is named. Writes nothing."""
    origin = currency_get(code=origin_loyalty_currency, field="origin_loyalty_currency")
    if destination_loyalty_currency:
        destination = currency_get(
            code=destination_loyalty_currency, field="destination_loyalty_currency"
        )
        found = exchange_partnership_get(partner=partner, origin=origin, destination=destination)
        return {destination.code: exchange_amount(found, amount)}
    result: dict[str, int] = {}
    for found in _partnerships(partner).filter(_from(origin), enabled=True):
        try:
            result[found.destination_currency.code] = exchange_amount(found, amount)
        except (ExchangeAmountOutOfRange, ExchangeAmountTooSmall):
            continue
    return dict(sorted(result.items()))


# Execution -------------------------------------------------------------------------------------


def _require_hosted_origin(origin: LoyaltyCurrency) -> None:
    """Units are taken only from our own ledger: the connectors of partner programmes credit
    them and cannot debit (the Avios credit contract has no debit operation)."""
    if not origin.is_hosted:
        raise ProgrammeCannotDebit(
            f"{origin.code} is a partner programme whose connector only credits (the Avios "
            "credit contract has no debit): units cannot be exchanged out of it."
        )


def _first(identifiers: dict, keys: tuple[str, ...]) -> str:
    for key in keys:
        value = identifiers.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def _require_fields(partnership: ExchangePartnership, identifiers: dict, field: str) -> None:
    for required in partnership.execute_required_fields or []:
        key = required.get("id") if isinstance(required, dict) else str(required)
        if not key:
            continue
        keys = _FAMILY_NAME_KEYS if key in _FAMILY_NAME_KEYS else (key,)
        if not _first(identifiers, keys) and not (key == "id" and identifiers.get("id")):
            name = required.get("name", key) if isinstance(required, dict) else key
            raise ExchangeFieldsMissing(
                f"{partnership.destination_currency.code} needs {name} (`{key}`) in {field}.",
                field=field,
            )


def _external_member_account(*, currency: LoyaltyCurrency, identifiers: dict) -> Account:
    """The account that mirrors a partner programme's member in our books (created on first
    use): what its exchanges are credited to while the programme is asked."""
    number = membership_id_from(identifiers, field="destination_member")
    try:
        return member_account_get(
            loyalty_currency=currency, identifiers={"id": number}, field="destination_member"
        )
    except MemberNotFound:
        pass
    try:
        # A savepoint: two first exchanges to one programme account may race to create it.
        with transaction.atomic():
            member = member_create(
                loyalty_currency=currency,
                loyalty_program_identifiers={"id": number},
                last_name=_first(identifiers, _FAMILY_NAME_KEYS)[:150],
                first_name=_first(identifiers, _FIRST_NAME_KEYS)[:150],
            )
    except IntegrityError:
        return member_account_get(
            loyalty_currency=currency, identifiers={"id": number}, field="destination_member"
        )
    account = Account.objects.get(member=member, loyalty_currency=currency)
    account.member, account.partner = member, None
    return account


def _counterpart(partnership: ExchangePartnership, currency: LoyaltyCurrency) -> Account:
    """The exchange partner's account in `currency`: its mint when it owns the currency."""
    if currency.owner_id == partnership.partner_id:
        return issuing_account(partner=partnership.partner, loyalty_currency=currency)
    return partner_account_get_or_create(partner=partnership.partner, loyalty_currency=currency)


@atomic
def exchange_execute(
    *,
    partner: Partner,
    amount: int,
    origin_loyalty_currency: str,
    destination_loyalty_currency: str,
    origin_member: dict,
    destination_member: dict,
    external_reference: str = "",
    loyalty_system_data: dict | None = None,
) -> ExecutedExchange:
    """Exchange `amount` units of the origin member into the destination currency for the
    destination member; see the module docstring for the two transactions."""
    origin = currency_get(code=origin_loyalty_currency, field="origin_loyalty_currency")
    destination = currency_get(
        code=destination_loyalty_currency, field="destination_loyalty_currency"
    )
    _require_hosted_origin(origin)
    partnership = exchange_partnership_get(partner=partner, origin=origin, destination=destination)
    converted = exchange_amount(partnership, amount)
    if not isinstance(destination_member, dict):
        raise InvalidMemberIdentifiers("Give the member's identifiers.", field="destination_member")
    member_acc = member_account_get(
        loyalty_currency=origin, identifiers=origin_member, field="origin_member"
    )
    if destination.is_hosted:
        destination_acc = member_account_get(
            loyalty_currency=destination,
            identifiers=destination_member,
            field="destination_member",
        )
    else:
        _require_fields(partnership, destination_member, "destination_member")
        destination_acc = _external_member_account(
            currency=destination, identifiers=destination_member
        )
    details: dict[str, Any] = {
        "type": TransactionType.MEMBER_EXCHANGE,
        "created_by_partner": partner,
        "external_reference": external_reference,
        "loyalty_system_data": loyalty_system_data or {},
    }
    origin_tx = ledger.post(
        origin=member_acc,
        destination=_counterpart(partnership, origin),
        amount=amount,
        sub_type=TransactionSubType.OUT,
        **details,
    )
    moves = {
        "origin": _counterpart(partnership, destination),
        "destination": destination_acc,
        "amount": converted,
        "sub_type": TransactionSubType.IN,
        **details,
    }
    if destination.is_hosted:
        destination_tx = ledger.post(**moves)
    else:
        destination_tx = ledger.await_external(**moves)
    exchange = Exchange.objects.create(
        partnership=partnership,
        origin_transaction=origin_tx,
        destination_transaction=destination_tx,
        external_reference=external_reference,
        created_by_partner=partner,
        origin_amount=origin_tx.amount,
        origin_loyalty_currency_code=origin.code,
        origin_transaction_public_id=origin_tx.public_id,
        origin_membership_id=member_acc.member.membership_id,
        destination_amount=destination_tx.amount,
        destination_loyalty_currency_code=destination.code,
        destination_transaction_public_id=destination_tx.public_id,
        destination_membership_id=destination_acc.member.membership_id,
    )
    record = None
    if not destination.is_hosted:
        record = _forwarding_create(
            exchange=exchange, identifiers=destination_member, amount=converted
        )
    return ExecutedExchange(exchange=exchange, forwarding=record)


def _forwarding_create(*, exchange: Exchange, identifiers: dict, amount: int) -> ForwardingRecord:
    """The outbox row of the credit, fixed now so that every attempt sends the same request."""
    now = timezone.now()
    tx = exchange.destination_transaction
    record = ForwardingRecord(
        exchange=exchange,
        transaction=tx,
        loyalty_currency_id=tx.loyalty_currency_id,
        next_attempt_at=now,
        give_up_at=now + dt.timedelta(seconds=settings.FORWARDING_RETRY_WINDOW_SECONDS),
        created_at=now,
    )
    record.payload = {
        "account": membership_id_from(identifiers, field="destination_member"),
        "family_name": _first(identifiers, _FAMILY_NAME_KEYS),
        "first_name": _first(identifiers, _FIRST_NAME_KEYS),
        "amount": amount,
        # The reference in the description too: the programme's duplicate rule (same amount,
        # description and date) then never matches two different exchanges.
        "description": f"{amount} exchanged ref {record.reference}",
        "date": now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z",
        "external_reference": exchange.external_reference,
    }
    record.save()
    return record


# Linked accounts -------------------------------------------------------------------------------


def _linked(member: Member, currency: LoyaltyCurrency, field: str) -> LinkedAccount:
    linked = LinkedAccount.objects.filter(member=member, loyalty_currency=currency).first()
    if linked is None:
        raise LinkedAccountMissing(
            f"Member {member.membership_id} has no linked {currency.code} account.", field=field
        )
    return linked


def _home(partner: Partner, loyalty_system_data: dict | None) -> LoyaltyCurrency:
    """The caller's own hosted currency (named by loyalty_system_data.loyalty_currency when it
    owns several): the side of a linked-account exchange the request does not name, whose
    members' linked accounts are used."""
    code = (loyalty_system_data or {}).get("loyalty_currency")
    owned = LoyaltyCurrency.objects.filter(owner=partner, is_hosted=True).order_by("code")
    if isinstance(code, str) and code:
        owned = owned.filter(code=code)
    found = list(owned[:2])
    if not found:
        raise ExchangeNotAvailable(
            "Linked-account exchanges are made by the owner of the members' currency.",
            field="loyalty_system_data" if code else "origin_member",
        )
    if len(found) > 1:
        raise ExchangeNotAvailable(
            "You own several loyalty currencies: name one in loyalty_system_data.loyalty_currency.",
            field="loyalty_system_data",
            code="required",
        )
    return found[0]


def linked_account_simulate(
    *,
    partner: Partner,
    amount: int,
    origin_member: dict | None = None,
    destination_member: dict | None = None,
    loyalty_system_data: dict | None = None,
) -> dict[str, int]:
    """Out (origin_member): units the member's linked accounts would receive per programme;
    in (destination_member): units the member would receive from each linked account."""
    home = _home(partner, loyalty_system_data)
    out = origin_member is not None
    member = member_get(
        loyalty_currency=home,
        identifiers=origin_member if out else destination_member,
        field="origin_member" if out else "destination_member",
    )
    result: dict[str, int] = {}
    for linked in LinkedAccount.objects.filter(member=member).select_related("loyalty_currency"):
        other = linked.loyalty_currency
        if not out and not other.is_hosted:
            continue  # an external programme's connector only credits
        origin, destination = (home, other) if out else (other, home)
        found = (
            _partnerships(partner).filter(_from(origin) & _to(destination), enabled=True).first()
        )
        if found is None:
            continue
        try:
            result[other.code] = exchange_amount(found, amount)
        except (ExchangeAmountOutOfRange, ExchangeAmountTooSmall):
            continue
    return dict(sorted(result.items()))


def linked_account_execute(
    *,
    partner: Partner,
    amount: int,
    origin_member: dict | None = None,
    destination_member: dict | None = None,
    destination_loyalty_currency: str | None = None,
    origin_loyalty_currency: str | None = None,
    external_reference: str = "",
    loyalty_system_data: dict | None = None,
) -> ExecutedExchange:
    """Out: from our member to its linked account in destination_loyalty_currency. In: from the
    member's linked account in origin_loyalty_currency to our member."""
    home = _home(partner, loyalty_system_data)
    if origin_member is not None:
        other = currency_get(
            code=destination_loyalty_currency or "", field="destination_loyalty_currency"
        )
        exchange_partnership_get(partner=partner, origin=home, destination=other)
        member = member_get(loyalty_currency=home, identifiers=origin_member, field="origin_member")
        linked = _linked(member, other, "destination_loyalty_currency")
        return exchange_execute(
            partner=partner,
            amount=amount,
            origin_loyalty_currency=home.code,
            destination_loyalty_currency=other.code,
            origin_member=origin_member,
            destination_member=linked.identifiers(),
            external_reference=external_reference,
            loyalty_system_data=loyalty_system_data,
        )
    other = currency_get(code=origin_loyalty_currency or "", field="origin_loyalty_currency")
    _require_hosted_origin(other)
    exchange_partnership_get(partner=partner, origin=other, destination=home)
    member = member_get(
        loyalty_currency=home, identifiers=destination_member, field="destination_member"
    )
    linked = _linked(member, other, "origin_loyalty_currency")
    return exchange_execute(
        partner=partner,
        amount=amount,
        origin_loyalty_currency=other.code,
        destination_loyalty_currency=home.code,
        origin_member=linked.identifiers(),
        destination_member=destination_member,
        external_reference=external_reference,
        loyalty_system_data=loyalty_system_data,
    )
