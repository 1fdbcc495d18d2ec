"""Redemption partnerships in the admin, and a redemption's chain read as one story."""

from decimal import Decimal

from loyalty.models import RedemptionPartnership, RedemptionTierPrice
from loyalty.services.redemptions import redemption_adjust, redemption_cancel, redemption_execute
from tests.factories import PartnerFactory, partner_account, redemption_partnership
from tests.loyalty.admin.helpers import credit, page, url

INLINE = "redemption_prices"


def partnership_form(partner, currency, prices, **changes) -> dict:
    form = {
        "partner": partner.pk,
        "loyalty_currency": currency.pk,
        "enabled": "on",
        "minimum_member_transaction_amount": "100",
        "maximum_member_transaction_amount": "",
        "adjustment_allowed": "on",
        f"{INLINE}-TOTAL_FORMS": str(len(prices)),
        f"{INLINE}-INITIAL_FORMS": "0",
        f"{INLINE}-MIN_NUM_FORMS": "0",
        f"{INLINE}-MAX_NUM_FORMS": "1000",
        **changes,
    }
    for n, (category, price_type, custom_value) in enumerate(prices):
        form |= {
            f"{INLINE}-{n}-category": category,
            f"{INLINE}-{n}-price_type": price_type,
            f"{INLINE}-{n}-custom_value": custom_value,
            f"{INLINE}-{n}-rounding": "round_up",
        }
    return form


def test_staff_add_a_redemption_partnership_with_its_prices(admin_client, currency, partner):
    prices = [("hotel", "custom_value", "0.02"), ("general", "customers_perceived_value", "")]
    response = admin_client.post(
        url("redemptionpartnership_add"), partnership_form(partner, currency, prices)
    )
    assert response.status_code == 302, response.content.decode()
    partnership = RedemptionPartnership.objects.get(partner=partner)
    assert partnership.type == "redemption"
    assert (partnership.adjustment_allowed, partnership.minimum_member_transaction_amount) == (
        True,
        100,
    )
    assert {p.category: p.custom_value for p in partnership.redemption_prices.all()} == {
        "hotel": Decimal("0.02"),
        "general": None,
    }
    listing = page(admin_client.get(url("redemptionpartnership_changelist")))
    assert "Hotel, General" in listing or "General, Hotel" in listing


def test_a_custom_price_needs_its_value(admin_client, currency, partner):
    response = admin_client.post(
        url("redemptionpartnership_add"),
        partnership_form(partner, currency, [("hotel", "custom_value", "")]),
    )
    assert "Give a custom value" in page(response)
    assert not RedemptionPartnership.objects.exists()


def test_the_owner_is_not_its_own_redemption_partner(admin_client, currency):
    response = admin_client.post(
        url("redemptionpartnership_add"), partnership_form(currency.owner, currency, [])
    )
    assert "a partnership is with another partner" in page(response)


def test_a_price_page_takes_tier_prices(admin_client, currency, partner, tier):
    partnership = redemption_partnership(partner=partner, loyalty_currency=currency)
    price = partnership.redemption_prices.get()
    response = admin_client.post(
        url("redemptionprice_change", price.pk),
        {
            "partnership": partnership.pk,
            "category": "general",
            "price_type": "customers_perceived_value",
            "custom_value": "",
            "rounding": "round_up",
            "tier_prices-TOTAL_FORMS": "1",
            "tier_prices-INITIAL_FORMS": "0",
            "tier_prices-MIN_NUM_FORMS": "0",
            "tier_prices-MAX_NUM_FORMS": "1000",
            "tier_prices-0-tier": tier.pk,
            "tier_prices-0-unit_value": "0.0125",
        },
    )
    assert response.status_code == 302, response.content.decode()
    assert RedemptionTierPrice.objects.get(price=price).unit_value == Decimal("0.0125")


def test_a_redemption_chain_reads_as_one_story(admin_client, currency, member, member_acc):
    hotel = PartnerFactory(company_name="Example Hotels")
    partner_account(partner=hotel, loyalty_currency=currency)
    redemption_partnership(partner=hotel, loyalty_currency=currency)
    credit(member_acc, 10_000)
    ids = member.loyalty_program_identifiers
    original = redemption_execute(
        partner=hotel,
        loyalty_currency=currency,
        member=ids,
        items=[{"loyalty_amount": 1_000, "category": "general"}],
        external_reference="BK-9",
        reason="Stay",
    ).transaction
    adjustment = redemption_adjust(
        partner=hotel,
        member=ids,
        previous_transaction_id=original.public_id,
        previous_external_reference="BK-9",
        new_external_reference="BK-9",
        items=[{"loyalty_amount": 1_500, "category": "general"}],
        reason="Extra night",
    ).transaction
    cancellation = redemption_cancel(
        partner=hotel,
        previous_transaction_id=adjustment.public_id,
        previous_external_reference="BK-9",
        reason="Cancelled stay",
    ).transaction

    detail = page(admin_client.get(url("transaction_change", adjustment.pk)))
    for tx in (original, adjustment, cancellation):
        assert tx.public_id in detail
    assert f"Redemption adjustment (increase) of {original.public_id}" in detail
    assert f"Redemption cancellation of {original.public_id}" in detail
    for charged in ("1,000", "1,500", "0"):
        assert f'<td class="text-right">{charged}</td>' in detail

    listing = page(admin_client.get(url("transaction_changelist"), {"type__exact": "redemption"}))
    assert f"Redemption cancellation of {original.public_id}" in listing

    member_page = page(admin_client.get(url("member_change", member.pk)))
    assert f"Redemption adjustment (increase) of {original.public_id}" in member_page
    assert "Cancelled" in member_page and "Adjusted" in member_page
