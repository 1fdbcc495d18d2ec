"""Partner-initiated movements: direct accruals, transfers, and edits or cancellation of pending
transactions, with the reads partners make of them.

Each checks the partner's scope first (loyalty.services.partnerships), then resolves the accounts
the request names and calls the ledger, whose operations are atomic themselves (the services
only read before it, so they add no savepoint).
"""

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from loyalty import ledger
from loyalty.errors import Forbidden, InvalidOrigin, InvalidTransfer
from loyalty.models import (
    Account,
    LoyaltyCurrency,
    Partner,
    PartnershipType,
    Transaction,
    TransactionSubType,
    TransactionType,
)
from loyalty.selectors import (
    account_resolve,
    member_account_get,
    member_get,
    visible_to,
    visible_transaction_get,
)
from loyalty.services.partnerships import (
    is_owner,
    require_may_change,
    require_owner,
    require_partnership,
)


def _require_own_origin(partner: Partner, currency: LoyaltyCurrency, origin: Account) -> None:
    """Only the currency owner moves units out of accounts other than its own."""
    if not is_owner(partner, currency) and origin.partner_id != partner.pk:
        raise Forbidden("The origin must be one of your own accounts.", field="origin")


def accrual_create(
    *,
    partner: Partner,
    loyalty_currency: LoyaltyCurrency,
    member: dict,
    origin: str,
    amount: int,
    bonus: bool = False,
    release_date: dt.datetime | None = None,
    **details: Any,
) -> Transaction:
    """A direct accrual from the partner's (or the owner's) account to the member named by its
    identifiers; pending until `release_date` when one is given.

    The origin is an issuing account: the partner's own (its id or an account id), or for the
    owner any partner account of the currency; a member's account is refused.
    """
    require_partnership(partner, loyalty_currency, PartnershipType.ISSUING)
    destination = member_account_get(loyalty_currency=loyalty_currency, identifiers=member)
    origin_account = account_resolve(
        loyalty_currency=loyalty_currency, reference=origin, field="origin"
    )
    if origin_account.member_id:
        raise InvalidOrigin(
            "The origin of an accrual is the issuing partner's account (your partner id or one "
            "of your account ids), not a member's."
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
    require_partnership(partner, loyalty_currency)
    origin_account = account_resolve(
        loyalty_currency=loyalty_currency, reference=origin, field="origin"
    )
    destination_account = account_resolve(
        loyalty_currency=loyalty_currency, reference=destination, field="destination"
    )
    if origin_account.owner_type != destination_account.owner_type:
        raise InvalidTransfer(
            "Transfers go from a member to a member or from a partner to a partner; use an "
            "accrual or a redemption to move units between a partner and a member."
        )
    if origin_account.member_id:
        require_owner(partner, loyalty_currency, action="transfer between members")
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


def transaction_update(
    *,
    partner: Partner,
    public_id: str,
    amount: int | None = None,
    release_date: dt.datetime | None = None,
    **details: Any,
) -> Transaction:
    """Edit a pending transaction (PATCH /transactions/{id}): one the partner may see (else a
    404) and may change (else a 403)."""
    tx = visible_transaction_get(partner=partner, public_id=public_id)
    require_may_change(partner, tx)
    return ledger.amend(transaction=tx, amount=amount, release_date=release_date, **details)


def transaction_cancel(*, partner: Partner, public_id: str) -> Transaction:
    """Cancel a pending transaction (POST /transactions/{id}/cancel); its units go back."""
    tx = visible_transaction_get(partner=partner, public_id=public_id)
    require_may_change(partner, tx)
    return ledger.cancel(transaction=tx)


def member_transactions(
    *, partner: Partner, loyalty_currency: LoyaltyCurrency, member: dict
) -> QuerySet[Transaction]:
    """The member's transactions that the partner may see; the partner needs a partnership in
    the currency before the member is looked for."""
    require_partnership(partner, loyalty_currency)
    found = member_get(loyalty_currency=loyalty_currency, identifiers=member)
    return Transaction.objects.for_member(found).filter(visible_to(partner))
