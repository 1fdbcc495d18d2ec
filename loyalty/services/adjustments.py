"""Staff corrections of a member's balance: always a new ledger transaction with a reason."""

from django.contrib.auth.models import AbstractBaseUser

from loyalty import ledger
from loyalty.errors import ReasonRequired
from loyalty.models import Member, ReasonCode, Transaction, TransactionSubType, TransactionType
from loyalty.selectors import member_account, mint_account


def member_manual_credit(
    *, member: Member, amount: int, reason: str, user: AbstractBaseUser
) -> Transaction:
    """Issue `amount` units from the currency's mint to the member (type accrual)."""
    return ledger.post(
        origin=mint_account(loyalty_currency=member.loyalty_currency),
        destination=member_account(member=member),
        amount=amount,
        type=TransactionType.ACCRUAL,
        sub_type=TransactionSubType.ADJUSTMENT_INCREASE,
        reason=_required(reason),
        reason_code=ReasonCode.CUSTOMER_SERVICE_ISSUE,
        created_by_user=user,
    )


def member_manual_debit(
    *, member: Member, amount: int, reason: str, user: AbstractBaseUser
) -> Transaction:
    """Take `amount` units from the member back to the mint (type transfer)."""
    return ledger.post(
        origin=member_account(member=member),
        destination=mint_account(loyalty_currency=member.loyalty_currency),
        amount=amount,
        type=TransactionType.TRANSFER,
        sub_type=TransactionSubType.ADJUSTMENT_DECREASE,
        reason=_required(reason),
        reason_code=ReasonCode.CUSTOMER_SERVICE_ISSUE,
        created_by_user=user,
    )


def _required(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired("Give a reason for the correction.")
    return reason
