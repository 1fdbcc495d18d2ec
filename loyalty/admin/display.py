"""How the admin shows units, accounts and their owners, shared by every model admin.

Units are whole numbers shown with thousands separators whatever the locale, so that 1,500 and
15,000 are never confused by a support agent reading a list.
"""

from django.db.models import Model
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from loyalty.models import Account

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
