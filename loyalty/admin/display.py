"""How the admin shows units, accounts and their owners, shared by every model admin.

Units are whole numbers shown with thousands separators whatever the locale, so that 1,500 and
15,000 are never confused by a support agent reading a list.
"""

from dataclasses import dataclass

from django.db.models import Model
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from loyalty.errors import InsufficientFunds, LedgerError
from loyalty.models import Account, Transaction, TransactionStatus, TransactionType
from loyalty.services.adjustments import overdraw_message

EMPTY = "-"


def units(value: int | None) -> str:
    """A whole number of units with thousands separators (1,500); the admin's empty mark if None."""
    return EMPTY if value is None else f"{value:,}"


def admin_url(obj: Model, view: str = "change") -> str:
    """The admin URL of `obj`'s change (or another object) view."""
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=[obj.pk])


def link(obj: Model, label: object | None = None) -> SafeString:
    """An HTML link to `obj`'s admin page, labelled with `label` or the object itself."""
    return format_html('<a href="{}">{}</a>', admin_url(obj), obj if label is None else label)


def is_mint(account: Account) -> bool:
    """Whether the account is its currency owner's issuing account (the mint).

    Needs `account.loyalty_currency` loaded; callers select it with the account.
    """
    return (
        account.is_default
        and account.partner_id is not None
        and account.partner_id == account.loyalty_currency.owner_id
    )


def account_owner(account: Account) -> Model:
    """The member or partner holding the account (select_related them to avoid a query)."""
    return account.member if account.member_id else account.partner


def account_with_owner(account: Account) -> SafeString:
    """The owner's name linked to its page, then the account id linked to the account's page."""
    return format_html(
        "{}<br>{}",
        link(account_owner(account)),
        link(account, format_html("<small>{}</small>", account)),
    )


@dataclass(frozen=True)
class Side:
    """A transaction seen from one holder's side: a member's if a member takes part, else the
    destination's (a partner receiving units)."""

    account: Account
    incoming: bool
    amount: int

    @property
    def holder(self) -> Model:
        return account_owner(self.account)

    @property
    def name(self) -> str:
        owner = self.holder
        return getattr(owner, "display_name", "") or str(owner)

    @property
    def signed_amount(self) -> str:
        return ("+" if self.incoming else "-") + units(self.amount)


def member_side(tx: Transaction) -> Side:
    """The side a support agent reads a transaction from (select_related both accounts' owners).

    A member receiving units sees +, a member spending them sees -; a movement between partners
    is read from its destination.
    """
    if tx.origin_account.member_id and not tx.destination_account.member_id:
        return Side(tx.origin_account, incoming=False, amount=tx.amount)
    return Side(tx.destination_account, incoming=True, amount=tx.amount)


def describe(tx: Transaction) -> str:
    """What happened, in words: "Accrual: purchase rule", "Reversal of tx_..." (a reversal
    is read by what it undoes, not by the sub-type it copies) or "Redemption cancellation of
    tx_..." (a redemption's adjustment or cancellation, by the redemption it changes). Select
    "reverses" with it."""
    if tx.type == TransactionType.REVERSAL and tx.reverses_id:
        return f"Reversal of {tx.reverses.public_id}"
    original = (tx.related_data or {}).get("original_redemption_transaction_id")
    if tx.type == TransactionType.REDEMPTION and tx.previous_id and original:
        # A link of a redemption chain is read by the redemption it changes.
        return f"Redemption {tx.get_sub_type_display().lower()} of {original}"
    label = tx.get_type_display()
    return f"{label}: {tx.get_sub_type_display().lower()}" if tx.sub_type else label


def plain_refusal(exc: LedgerError, tx: Transaction) -> str:
    """The ledger's refusal of an operation on `tx`, said of the person it concerns: a reversal
    the destination cannot pay back names them and their balance."""
    if isinstance(exc, InsufficientFunds) and tx.status == TransactionStatus.COMPLETED:
        return overdraw_message(account=tx.destination_account, amount=tx.amount, what="a reversal")
    return exc.message
