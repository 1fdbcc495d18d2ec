"""factory-boy factories that build through the services, so accounts exist as in production."""

import factory

from loyalty.models import (
    LoyaltyCurrency,
    Member,
    Partner,
    PartnershipType,
    PriceType,
    RedemptionPartnership,
    RedemptionPrice,
    Tier,
)
from loyalty.services.accounts import loyalty_currency_create, partner_account_get_or_create
from loyalty.services.members import member_create


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    company_name = factory.Sequence(lambda n: f"Partner {n}")
    api_identifier = factory.Sequence(lambda n: f"partner-{n}")


class LoyaltyCurrencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LoyaltyCurrency

    code = factory.Sequence(lambda n: f"POINTS_{n}")
    name = factory.Sequence(lambda n: f"Points {n}")
    owner = factory.SubFactory(PartnerFactory)
    fiat_currency = "EUR"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return loyalty_currency_create(**kwargs)


class TierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tier

    loyalty_currency = factory.SubFactory(LoyaltyCurrencyFactory)
    code = factory.Sequence(lambda n: f"tier-{n}")
    name = factory.Sequence(lambda n: f"Tier {n}")
    level = factory.Sequence(lambda n: n + 1)


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    loyalty_currency = factory.SubFactory(LoyaltyCurrencyFactory)
    loyalty_program_identifiers = factory.Sequence(lambda n: {"id": f"M{100000 + n}"})
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(
        lambda m: f"{m.first_name.lower()}.{m.last_name.lower()}@example.com"
    )

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return member_create(**kwargs)


def partner_account(*, partner, loyalty_currency, credit_limit=0):
    return partner_account_get_or_create(
        partner=partner, loyalty_currency=loyalty_currency, credit_limit=credit_limit
    )


def redemption_partnership(
    *, partner, loyalty_currency, prices=None, adjustment_allowed=True, **terms
):
    """A redemption partnership with a price per category: {category: None} for the currency's
    customer's perceived value, {category: Decimal} for a custom value of one point."""
    partnership = RedemptionPartnership.objects.create(
        partner=partner,
        loyalty_currency=loyalty_currency,
        type=PartnershipType.REDEMPTION,
        adjustment_allowed=adjustment_allowed,
        **terms,
    )
    for category, value in (prices or {"general": None}).items():
        RedemptionPrice.objects.create(
            partnership=partnership,
            category=category,
            price_type=PriceType.CUSTOMERS_PERCEIVED_VALUE
            if value is None
            else PriceType.CUSTOM_VALUE,
            custom_value=value,
        )
    return partnership
