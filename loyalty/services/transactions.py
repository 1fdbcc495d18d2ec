"""Partner-initiated movements: direct accruals, transfers, and edits or cancellation of pending
transactions. Each checks the partner's scope, resolves accounts and calls the ledger, whose
operations are atomic themselves (the services only read before it, so they add no savepoint)."""

import datetime as dt
from typing import Any

from loyalty import ledger
from loyalty.errors import DomainError, Forbidden, NotFound
from loyalty.models import (
    Account,
    LoyaltyCurrency,
    Partner,
    Transaction,
    TransactionSubType,
    TransactionType,
)
from partners import scope
from partners.models import PartnershipType


class AccountNotFound(NotFound):
    code = "does_not_exist"


def account_resolve(
    *, partner: Partner, loyalty_currency: LoyaltyCurrency, reference: str | dict, field: str
) -> Account:
    """An account of the currency from an account id, a partner id or member identifiers.

    A partner id means that partner's default account. Unknown references are 400s naming the
    field; the account must hold the request's currency.
    """
    if isinstance(reference, dict):
        return scope.member_account_get(
            loyalty_currency=loyalty_currency, identifiers=reference, field=field
        )
    rows = Account.objects.select_related("member", "partner").filter(
        loyalty_currency=loyalty_currency
    )
    if reference.startswith("part_"):
        account = rows.filter(partner__public_id=reference, is_default=True).first()
    else:
        account = rows.filter(public_id=reference).first()
    if account is None:
        raise DomainError(
            f"No {loyalty_currency.code} account for {reference!r}.",
            field=field,
            code="does_not_exist",
        )
    return account


def _require_own_origin(partner: Partner, currency: LoyaltyCurrency, origin: Account) -> None:
    """Only the currency owner moves units out of accounts other than its own."""
    if not scope.is_owner(partner, currency) and origin.partner_id != partner.pk:
        raise Forbidden("The origin must be one of your own accounts.", field="origin")


def accrual_create(
    *,
    partner: Partner,
    loyalty_currency: LoyaltyCurrency,
    destination: Account,
    origin: str,
    amount: int,
    bonus: bool = False,
    release_date: dt.datetime | None = None,
    **details: Any,
) -> Transaction:
    """A direct accrual from the partner's (or the owner's) account to a member's account."""
    scope.require_partnership(partner, loyalty_currency, PartnershipType.ISSUING)
    origin_account = account_resolve(
        partner=partner, loyalty_currency=loyalty_currency, reference=origin, field="origin"
    )
    _require_own_origin(partner, loyalty_currency, origin_account)
    moves = {
        "origin": origin_account,
        "destination": destination,
        "amount": amount,
        "type": TransactionType.ACCRUAL,
        "sub_type": TransactionSubType.STANDARD,
        "bonus": bonus,
        "created_by_partner": partner,
        **details,
    }
    if release_date is not None:
        return ledger.hold(release_date=release_date, **moves)
    return ledger.post(**moves)


def transfer_create(
    *,
    partner: Partner,
    loyalty_currency: LoyaltyCurrency,
    origin: str | dict,
    destination: str | dict,
    amount: int,
    **details: Any,
) -> Transaction:
    """A transfer between two members (currency owner only) or two partners' accounts."""
    scope.require_partnership(partner, loyalty_currency)
    origin_account = account_resolve(
        partner=partner, loyalty_currency=loyalty_currency, reference=origin, field="origin"
    )
    destination_account = account_resolve(
        partner=partner,
        loyalty_currency=loyalty_currency,
        reference=destination,
        field="destination",
    )
    if origin_account.owner_type != destination_account.owner_type:
        raise DomainError(
            "Transfers go from a member to a member or from a partner to a partner; use an "
            "accrual or a redemption to move units between a partner and a member.",
            field="destination",
            code="invalid_transfer",
        )
    if origin_account.member_id:
        scope.require_owner(partner, loyalty_currency, action="transfer between members")
        sub_type = TransactionSubType.MEMBER_TO_MEMBER
    else:
        _require_own_origin(partner, loyalty_currency, origin_account)
        sub_type = TransactionSubType.PARTNER_TO_PARTNER
    return ledger.post(
        origin=origin_account,
        destination=destination_account,
        amount=amount,
        type=TransactionType.TRANSFER,
        sub_type=sub_type,
        created_by_partner=partner,
        **details,
    )


def _changeable(partner: Partner, tx: Transaction) -> None:
    if not scope.may_change_transaction(partner, tx):
        raise Forbidden(
            "Only the transaction's creator or the owner of its origin account can change it."
        )


def transaction_update(
    *,
    partner: Partner,
    tx: Transaction,
    amount: int | None = None,
    release_date: dt.datetime | None = None,
    **details: Any,
) -> Transaction:
    """Edit a pending transaction (PATCH /transactions/{id})."""
    _changeable(partner, tx)
    return ledger.amend(transaction=tx, amount=amount, release_date=release_date, **details)


def transaction_cancel(*, partner: Partner, tx: Transaction) -> Transaction:
    """Cancel a pending transaction (POST /transactions/{id}/cancel); its units go back."""
    _changeable(partner, tx)
    return ledger.cancel(transaction=tx)
