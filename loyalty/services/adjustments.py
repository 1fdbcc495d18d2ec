"""Staff corrections of a member's balance: always a new ledger transaction with a reason.

Refusals name the member and the numbers ("Mateo Garcia has 1,500 Example Points; a debit of
999,999 would overdraw the balance"), since the agent reads them, not a developer.
"""

from django.contrib.auth.models import AbstractBaseUser

from loyalty import ledger
from loyalty.errors import InactiveAccountOwner, InsufficientFunds, ReasonRequired
from loyalty.models import (
    Account,
    Member,
    ReasonCode,
    Transaction,
    TransactionSubType,
    TransactionType,
)
from loyalty.selectors import member_account, mint_account


def member_manual_credit(
    *,
    member: Member,
    amount: int,
    reason: str,
    user: AbstractBaseUser,
    reason_code: str = ReasonCode.CUSTOMER_SERVICE_ISSUE,
) -> Transaction:
    """Issue `amount` units from the currency's mint to the member (type accrual)."""
    try:
        return ledger.post(
            origin=mint_account(loyalty_currency=member.loyalty_currency),
            destination=member_account(member=member),
            amount=amount,
            type=TransactionType.ACCRUAL,
            sub_type=TransactionSubType.ADJUSTMENT_INCREASE,
            reason=_required(reason),
            reason_code=_reason_code(reason_code),
            created_by_user=user,
        )
    except InactiveAccountOwner as exc:
        if exc.field != "member":
            raise
        raise _inactive(member, exc) from exc


def member_manual_debit(
    *,
    member: Member,
    amount: int,
    reason: str,
    user: AbstractBaseUser,
    reason_code: str = ReasonCode.CUSTOMER_SERVICE_ISSUE,
) -> Transaction:
    """Take `amount` units from the member back to the mint (type transfer)."""
    account = member_account(member=member)
    try:
        return ledger.post(
            origin=account,
            destination=mint_account(loyalty_currency=member.loyalty_currency),
            amount=amount,
            type=TransactionType.TRANSFER,
            sub_type=TransactionSubType.ADJUSTMENT_DECREASE,
            reason=_required(reason),
            reason_code=_reason_code(reason_code),
            created_by_user=user,
        )
    except InsufficientFunds as exc:
        raise InsufficientFunds(
            overdraw_message(account=account, amount=amount, what="a debit"), field=exc.field
        ) from exc
    except InactiveAccountOwner as exc:
        if exc.field != "member":
            raise
        raise _inactive(member, exc) from exc


def _inactive(member: Member, exc: InactiveAccountOwner) -> InactiveAccountOwner:
    """The member's own status stops it (the currency owner's would be the ledger's message)."""
    name = member.display_name or member.membership_id
    return InactiveAccountOwner(
        f"{name} is {member.status}: only active members receive or spend points. Change "
        "their status first if this is a mistake.",
        field=exc.field,
    )


def overdraw_message(*, account: Account, amount: int, what: str) -> str:
    """ "<holder> has <balance> <units>; <what> of <amount> would overdraw the balance.", read
    fresh (the balance the refusal saw)."""
    account = Account.objects.select_related("member", "partner", "loyalty_currency").get(
        pk=account.pk
    )
    owner = account.member or account.partner
    holder = getattr(owner, "display_name", "") or str(owner)
    return (
        f"{holder} has {account.balance:,} {account.loyalty_currency.name}; {what} of "
        f"{amount:,} would overdraw the balance."
    )


def _required(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired("Give a reason for the correction.")
    return reason


def _reason_code(code: str) -> str:
    if code not in ReasonCode.values:
        raise ReasonRequired(
            f"{code!r} is not a reason code; pick one of {', '.join(ReasonCode.values)}.",
            field="reason_code",
        )
    return code
