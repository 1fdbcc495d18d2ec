"""The retailer's side over the API (contract operations 27-29)."""

from decimal import Decimal

import pytest
from django.core.cache import cache

from giftcards.models import GiftCardCode, GiftCardRedemption
from giftcards.services.imports import codes_import
from giftcards.services.issuance import gift_card_issue
from loyalty.models import Account
from tests.giftcards.fixtures import csv_of


@pytest.fixture(autouse=True)
def no_failed_lookups():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def sold(currency, fixed_card, funded_member):
    assert codes_import(gift_card=fixed_card, data=csv_of("SHOP-0001,,10.00")).ok
    return gift_card_issue(
        partner=currency.owner,
        gift_card_id=fixed_card.public_id,
        member=funded_member.loyalty_program_identifiers,
        fiat_amount=Decimal("10.00"),
    )


def redeem(client, reference, amount=None, **extra):
    body = {"gift_card_code": "SHOP-0001", "channel": "store", "external_reference": reference}
    if amount is not None:
        body["fiat_amount"] = amount
    return client.post("/redemptions/gift-cards/custom/redeem", {**body, **extra})


def test_validate_then_partial_redemptions(retailer_client, fixed_card, sold):
    valid = retailer_client.post(
        "/redemptions/gift-cards/custom/validate",
        {"gift_card_code": "SHOP-0001", "channel": "online", "fiat_amount": "3.00"},
    )
    assert valid.status_code == 200, valid.content
    assert valid.json()["code"]["fiat_balance"] == "10.00"
    assert not GiftCardRedemption.objects.exists()
    first = redeem(retailer_client, "r-1", "3.00")
    assert first.status_code == 200, first.content
    code = first.json()["code"]
    assert (code["fiat_balance"], code["redemption_status"]) == ("7.00", "partially_redeemed")
    assert [d["fiat_amount"] for d in code["redemption_details"]] == ["3.00"]
    rest = redeem(retailer_client, "r-2").json()["code"]
    assert (rest["fiat_balance"], rest["redemption_status"]) == ("0.00", "redeemed")
    assert [d["external_reference"] for d in rest["redemption_details"]] == ["r-1", "r-2"]


def test_redeem_is_idempotent_by_external_reference(retailer_client, sold):
    first = redeem(retailer_client, "r-1", "3.00")
    again = redeem(retailer_client, "r-1", "3.00")
    assert again.status_code == 200
    assert again.json() == first.json()
    assert GiftCardRedemption.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"channel": "phone"}, "channel"),
        ({"fiat_amount": "10.01"}, "fiat_amount"),
        ({"fiat_amount": "-1"}, "fiat_amount"),
        ({"external_reference": ""}, "external_reference"),
        ({"gift_card_code": None}, "gift_card_code"),
        ({"brand_id": "gcb_other"}, "brand_id"),
        ({"metadata": []}, "metadata"),
    ],
)
def test_bad_redemptions_are_400_and_write_nothing(retailer_client, sold, change, field):
    response = redeem(retailer_client, "r-1", **change)
    assert response.status_code == 400, response.content
    assert field in {e["field"] for e in response.json()["errors"]}
    assert not GiftCardRedemption.objects.exists()
    assert GiftCardCode.objects.get().fiat_balance == Decimal("10.00")


def test_only_the_retailer_validates_and_an_unknown_code_answers_the_same(
    owner_client, retailer_client, sold
):
    body = {"gift_card_code": "SHOP-0001", "channel": "store"}
    not_mine = owner_client.post("/redemptions/gift-cards/custom/validate", body)
    unknown = retailer_client.post(
        "/redemptions/gift-cards/custom/validate", {**body, "gift_card_code": "SHOP-9999"}
    )
    assert not_mine.status_code == unknown.status_code == 400
    assert not_mine.json() == unknown.json()


def test_guessing_codes_is_throttled_per_partner(settings, retailer_client, owner_client, sold):
    settings.GIFTCARD_FAILED_LOOKUPS_PER_MINUTE = 5
    for n in range(5):
        response = retailer_client.post(
            "/redemptions/gift-cards/custom/validate",
            {"gift_card_code": f"GUESS-{n}", "channel": "store"},
        )
        assert response.status_code == 400
    blocked = retailer_client.post(
        "/redemptions/gift-cards/custom/validate",
        {"gift_card_code": "SHOP-0001", "channel": "store"},
    )
    assert blocked.status_code == 429
    assert blocked.json()["errors"][0]["code"] == "throttled"
    other = owner_client.post("/redemptions/gift-cards/codes", {"gift_card_code": "SHOP-0001"})
    assert other.status_code == 200


def test_cancel_refunds_the_member(retailer_client, sold, member_acc, ledger_balances):
    response = retailer_client.post(
        "/redemptions/gift-cards/custom/cancel", {"gift_card_code": "SHOP-0001"}
    )
    assert response.status_code == 200, response.content
    assert Account.objects.get(pk=member_acc.pk).balance == 10_000
    after = redeem(retailer_client, "r-1")
    assert after.status_code == 400
    ledger_balances()


def test_a_partly_redeemed_code_is_not_cancelled(
    retailer_client, sold, member_acc, ledger_balances
):
    redeem(retailer_client, "r-1", "1.00")
    response = retailer_client.post(
        "/redemptions/gift-cards/custom/cancel", {"gift_card_code": "SHOP-0001"}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "not_cancellable"
    assert Account.objects.get(pk=member_acc.pk).balance == 9_000
    ledger_balances()
