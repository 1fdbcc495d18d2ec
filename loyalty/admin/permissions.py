"""Who may move units from the admin.

The admin never edits a transaction row, so the Transaction model's auth permissions stand for the
ledger operations staff run on it: grant them to a group to let its members act.

- `loyalty.add_transaction`: post manual credits and debits of a member's balance.
- `loyalty.change_transaction`: release now, cancel and reverse transactions.
"""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

ADJUST_BALANCES = "loyalty.add_transaction"
OPERATE_LEDGER = "loyalty.change_transaction"


def can_adjust_balances(user: AbstractBaseUser | AnonymousUser) -> bool:
    return user.has_perm(ADJUST_BALANCES)


def can_operate_ledger(user: AbstractBaseUser | AnonymousUser) -> bool:
    return user.has_perm(OPERATE_LEDGER)
