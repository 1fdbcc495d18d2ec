from django.db import transaction

from loyalty.models import Account, LoyaltyCurrency, Member, Partner


class AccountNotFound(Exception):
    pass


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


def mint_account(*, loyalty_currency: LoyaltyCurrency) -> Account:
    """The currency owner's default account: it issues new units and has no credit limit."""
    try:
        return Account.objects.select_related("partner").get(
            partner_id=loyalty_currency.owner_id, loyalty_currency=loyalty_currency, is_default=True
        )
    except Account.DoesNotExist as exc:
        raise AccountNotFound(f"{loyalty_currency.code} has no issuing account.") from exc


def member_account(*, member: Member) -> Account:
    """The member's account in its programme's currency (created with the member)."""
    account = Account.objects.get(member=member, loyalty_currency_id=member.loyalty_currency_id)
    account.member = member
    account.partner = None
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
    currency.full_clean()
    currency.save()
    partner_account_get_or_create(partner=owner, loyalty_currency=currency, credit_limit=None)
    return currency
