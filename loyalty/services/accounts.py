"""Currencies and partners' accounts: opening them, with the mint a currency issues from."""

from django.db import transaction

from loyalty.errors import CurrencyInvalid
from loyalty.models import Account, LoyaltyCurrency, Partner
from loyalty.services.cleaning import full_clean


def partner_account_get_or_create(
    *, partner: Partner, loyalty_currency: LoyaltyCurrency, credit_limit: int | None = 0
) -> Account:
    """Return the partner's default account in the currency, creating it with `credit_limit`."""
    account, _ = Account.objects.get_or_create(
        partner=partner,
        loyalty_currency=loyalty_currency,
        is_default=True,
        defaults={"credit_limit": credit_limit},
    )
    return account


@transaction.atomic
def loyalty_currency_create(
    *,
    code: str,
    name: str,
    owner: Partner,
    fiat_currency: str,
    **values,
) -> LoyaltyCurrency:
    """Create a currency and its mint (the owner's default account, with no credit limit)."""
    currency = LoyaltyCurrency(
        code=code, name=name, owner=owner, fiat_currency=fiat_currency, **values
    )
    full_clean(currency, error=CurrencyInvalid)
    currency.save()
    partner_account_get_or_create(partner=owner, loyalty_currency=currency, credit_limit=None)
    return currency
