"""What a partner may see and move (the API's scope rules), in one place.

- The currency owner sees and manages everything in its currency; only it creates or updates
  members.
- A partner with an enabled issuing partnership accrues the currency from its own account.
- A partner sees only the transactions it created or whose origin or destination it owns.
Refusals are DomainErrors: 403 when the partner may not act, 404 when it may not even know.
"""

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from loyalty.errors import DomainError, Forbidden
from loyalty.models import Account, LoyaltyCurrency, Member, Partner, Transaction
from loyalty.services.members import membership_id_from
from partners.models import Partnership, PartnershipType


class UnknownCurrency(DomainError):
    code = "does_not_exist"
    field = "loyalty_currency"


class MemberNotFound(DomainError):
    """A 400 where the member is a request field (accruals); lookups answer 404 instead."""

    code = "member_does_not_exist"
    field = "member"


def currency_get(*, code: str, field: str = "loyalty_currency") -> LoyaltyCurrency:
    currency = LoyaltyCurrency.objects.filter(code=code).first()
    if currency is None:
        raise UnknownCurrency(f"Unknown loyalty currency {code!r}.", field=field)
    return currency


def is_owner(partner: Partner, currency: LoyaltyCurrency) -> bool:
    return currency.owner_id == partner.pk


def has_partnership(partner: Partner, currency: LoyaltyCurrency, *types: str) -> bool:
    """The currency owner holds every partnership in its own currency."""
    if is_owner(partner, currency):
        return True
    rows = Partnership.objects.filter(partner=partner, loyalty_currency=currency, enabled=True)
    if types:
        rows = rows.filter(type__in=types)
    return rows.exists()


def require_owner(partner: Partner, currency: LoyaltyCurrency, *, action: str) -> None:
    if not is_owner(partner, currency):
        raise Forbidden(
            f"Only the owner of {currency.code} can {action}.", field="loyalty_currency"
        )


def require_partnership(partner: Partner, currency: LoyaltyCurrency, *types: str) -> None:
    if not has_partnership(partner, currency, *types):
        kinds = " or ".join(PartnershipType(t).label.lower() for t in types) or "any"
        raise Forbidden(
            f"You have no {kinds} partnership with {currency.code}.", field="loyalty_currency"
        )


def _membership_id(identifiers, field: str) -> str:
    try:
        return membership_id_from(identifiers)
    except ValidationError as exc:
        raise DomainError(
            'Identify the member with loyalty_program_identifiers such as {"id": "M123"}.',
            field=field,
            code="invalid",
        ) from exc


def member_get(*, loyalty_currency: LoyaltyCurrency, identifiers, field: str = "member") -> Member:
    """The member of the currency named by loyalty_program_identifiers, or MemberNotFound."""
    membership_id = _membership_id(identifiers, field)
    member = (
        Member.objects.select_related("tier", "loyalty_currency")
        .filter(loyalty_currency=loyalty_currency, membership_id=membership_id)
        .first()
    )
    if member is None:
        raise MemberNotFound(
            f"No member {membership_id!r} in {loyalty_currency.code}.", field=field
        )
    return member


def member_account_get(
    *, loyalty_currency: LoyaltyCurrency, identifiers, field: str = "member"
) -> Account:
    """The account of the member named by loyalty_program_identifiers, with the member attached,
    in one query (the accrual path's destination); MemberNotFound otherwise."""
    membership_id = _membership_id(identifiers, field)
    account = (
        Account.objects.select_related("member")
        .filter(
            loyalty_currency=loyalty_currency,
            member__loyalty_currency=loyalty_currency,
            member__membership_id=membership_id,
        )
        .first()
    )
    if account is None:
        raise MemberNotFound(
            f"No member {membership_id!r} in {loyalty_currency.code}.", field=field
        )
    account.partner = None
    return account


def visible_transactions(partner: Partner) -> QuerySet[Transaction]:
    """Transactions the partner may read: all in currencies it owns, else those it is part of."""
    return Transaction.objects.filter(
        Q(loyalty_currency__owner=partner)
        | Q(created_by_partner=partner)
        | Q(origin_account__partner=partner)
        | Q(destination_account__partner=partner)
    )


def may_change_transaction(partner: Partner, tx: Transaction) -> bool:
    """A pending transaction is changed by its creator or the owner of its origin account."""
    return tx.created_by_partner_id == partner.pk or tx.origin_account.partner_id == partner.pk


def account_owned_by(partner: Partner, account: Account) -> bool:
    return account.partner_id == partner.pk
