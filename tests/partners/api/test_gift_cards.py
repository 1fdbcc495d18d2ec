"""Gift cards over the API (contract operations 21-26)."""

import pytest
from django.core.cache import cache

from giftcards.models import CodeStatus, GiftCardCode
from loyalty.models import Account, Partnership, PartnershipType, Transaction
from partners.models import IdempotencyRecord
from tests.giftcards.fixtures import load_codes
from tests.partners.api.conftest import signed_client_for


@pytest.fixture(autouse=True)
def no_failed_lookups():
    cache.clear()
    yield
    cache.clear()


def test_list_shows_enabled_cards_the_partner_may_sell(
    owner_client, stranger_client, fixed_card, open_card
):
    response = owner_client.get("/redemptions/gift-cards")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == 2
    fixed = next(c for c in body["results"] if c["id"] == fixed_card.public_id)
    assert fixed["denominations"] == ["5.00", "10.00", "25.00"]
    assert fixed["denomination_type"] == "fixed" and fixed["currency"] == "EUR"
    assert stranger_client.get("/redemptions/gift-cards").json()["count"] == 0


@pytest.mark.parametrize(
    ("params", "count"),
    [
        ({"country": "ESP"}, 1),
        ({"country": "USA"}, 0),
        ({"fiat_currency": "EUR"}, 2),
        ({"fiat_currency": "USD"}, 0),
        ({"gift_card_type": "fixed_value"}, 2),
        ({"gift_card_type": "discount"}, 0),
    ],
)
def test_list_filters(owner_client, fixed_card, open_card, params, count):
    response = owner_client.get("/redemptions/gift-cards", params)
    assert response.status_code == 200
    assert response.json()["count"] == count


@pytest.mark.parametrize(
    "params",
    [{"country": "es"}, {"gift_card_type": "gold"}, {"page_size": "0"}, {"fiat_currency": "€"}],
)
def test_bad_list_filters_are_400(owner_client, fixed_card, params):
    response = owner_client.get("/redemptions/gift-cards", params)
    assert response.status_code == 400
    assert response.json()["errors"]


def test_detail_answers_404_for_unknown_and_unsellable_cards(
    owner_client, stranger_client, fixed_card
):
    assert owner_client.get(f"/redemptions/gift-cards/{fixed_card.public_id}").status_code == 200
    unknown = owner_client.get("/redemptions/gift-cards/gcb_nope")
    hidden = stranger_client.get(f"/redemptions/gift-cards/{fixed_card.public_id}")
    assert unknown.status_code == hidden.status_code == 404
    assert unknown.json() == hidden.json()


def test_simulate_both_ways(owner_client, fixed_card, open_card):
    response = owner_client.post(
        f"/redemptions/gift-cards/{fixed_card.public_id}/simulate", {"fiat_amount": "25.00"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["code"] == {
        "fiat_amount": "25.00",
        "fiat_currency": "EUR",
        "loyalty_amount": 2500,
        "loyalty_currency": "EXAMPLE_POINTS",
    }
    response = owner_client.post(
        f"/redemptions/gift-cards/{open_card.public_id}/simulate", {"loyalty_amount": 999}
    )
    assert response.json()["code"]["fiat_amount"] == "9.99"
    assert Transaction.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "fiat_amount"),
        ({"fiat_amount": "10.00", "loyalty_amount": 1000}, "fiat_amount"),
        ({"fiat_amount": "7.00"}, "fiat_amount"),
        ({"fiat_amount": "abc"}, "fiat_amount"),
        ({"loyalty_amount": "1000"}, "loyalty_amount"),
        ({"loyalty_amount": 1}, "loyalty_amount"),
        ({"fiat_amount": "10.00", "member": {"id": "NOBODY"}}, "member"),
        ({"fiat_amount": "10.00", "loyalty_currency": "OTHER"}, "loyalty_currency"),
    ],
)
def test_bad_simulations_are_400(owner_client, fixed_card, body, field):
    response = owner_client.post(f"/redemptions/gift-cards/{fixed_card.public_id}/simulate", body)
    assert response.status_code == 400, response.content
    assert field in {e["field"] for e in response.json()["errors"]}


def test_issue_for_points(owner_client, fixed_card, funded_member, member_acc, ledger_balances):
    load_codes(fixed_card, 1, pin="7777")
    response = owner_client.post(
        f"/redemptions/gift-cards/{fixed_card.public_id}/issue",
        {
            "fiat_amount": "10.00",
            "member": funded_member.loyalty_program_identifiers,
            "external_reference": "order-9",
        },
        idempotency_key="k-1",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["transaction"]["type"] == "gift_card_exchange"
    assert body["transaction"]["amount"] == 1000
    assert body["transaction"]["related_data"] == {"id": body["code"]["id"]}
    assert body["code"]["gift_card_code"] == "CODE-000000"
    assert body["code"]["pin"] == "7777"
    assert body["code"]["fiat_balance"] == "10.00"
    assert body["code"]["redemption_status"] == "unredeemed"
    assert body["gift_card"]["id"] == fixed_card.public_id
    repeat = owner_client.post(
        f"/redemptions/gift-cards/{fixed_card.public_id}/issue",
        {
            "fiat_amount": "10.00",
            "member": funded_member.loyalty_program_identifiers,
            "external_reference": "order-9",
        },
        idempotency_key="k-1",
    )
    assert repeat.json() == body and repeat.headers["Idempotency-Repeated"] == "true"
    stored = bytes(IdempotencyRecord.objects.get(key="k-1").response_body)
    assert b"CODE-000000" not in stored and b"7777" not in stored
    assert Account.objects.get(pk=member_acc.pk).balance == 9_000
    ledger_balances()


@pytest.mark.parametrize("case", ["out_of_stock", "too_poor", "redemption_partner_elsewhere"])
def test_refused_issues_debit_nothing(
    owner_client, issuer_client, issuer, fixed_card, funded_member, member_acc, case
):
    client = owner_client
    amount = "10.00"
    if case == "too_poor":
        load_codes(fixed_card, 1, denomination="25.00")
        amount = "25.00"
        from loyalty import ledger
        from loyalty.models import TransactionType
        from loyalty.selectors import issuing_account

        # Funded with 10,000, the member spends 9,000: 25.00 costs 2,500.
        ledger.post(
            origin=member_acc,
            destination=issuing_account(
                partner=issuer, loyalty_currency=member_acc.loyalty_currency
            ),
            amount=9_000,
            type=TransactionType.TRANSFER,
        )
    elif case == "redemption_partner_elsewhere":
        load_codes(fixed_card, 1)
        client = issuer_client  # an issuing partnership does not sell gift cards
    before = Transaction.objects.count()
    response = client.post(
        f"/redemptions/gift-cards/{fixed_card.public_id}/issue",
        {"fiat_amount": amount, "member": funded_member.loyalty_program_identifiers},
    )
    assert response.status_code in (400, 404), response.content
    assert Transaction.objects.count() == before
    assert not GiftCardCode.objects.filter(status=CodeStatus.ISSUED).exists()


def test_a_redemption_partner_sells_the_card(currency, issuer, fixed_card, funded_member):
    Partnership.objects.create(
        partner=issuer, loyalty_currency=currency, type=PartnershipType.REDEMPTION
    )
    load_codes(fixed_card, 1)
    response = signed_client_for(issuer).post(
        f"/redemptions/gift-cards/{fixed_card.public_id}/issue",
        {"loyalty_amount": 500, "member": funded_member.loyalty_program_identifiers},
    )
    assert response.status_code == 400  # 5.00 has no code in stock
    assert response.json()["errors"][0]["code"] == "out_of_stock"


def test_direct_issue(retailer_client, fixed_card, ledger_balances):
    load_codes(fixed_card, 1)
    response = retailer_client.post(
        f"/redemptions/gift-cards/{fixed_card.public_id}/direct-issue",
        {"external_reference": "till-1", "fiat_amount": "10.00", "member_id": "M1"},
    )
    assert response.status_code == 200, response.content
    code = response.json()["code"]
    assert code["issuance_details"]["loyalty_information"]["member_id"] == "M1"
    assert Transaction.objects.count() == 0
    missing = retailer_client.post(
        f"/redemptions/gift-cards/{fixed_card.public_id}/direct-issue", {"fiat_amount": "10.00"}
    )
    assert missing.status_code == 400
    assert missing.json()["errors"][0]["field"] == "external_reference"
    ledger_balances()


def test_retrieve_an_issued_code_by_code_and_pin(owner_client, retailer_client, fixed_card):
    load_codes(fixed_card, 1, pin="1234")
    retailer_client.post(
        f"/redemptions/gift-cards/{fixed_card.public_id}/direct-issue",
        {"external_reference": "till-1", "fiat_amount": "10.00"},
    )
    ok = retailer_client.post(
        "/redemptions/gift-cards/codes", {"gift_card_code": "code-000000", "pin": "1234"}
    )
    assert ok.status_code == 200, ok.content
    assert ok.json()["gift_card_code"] == "CODE-000000"
    wrong_pin = retailer_client.post(
        "/redemptions/gift-cards/codes", {"gift_card_code": "CODE-000000", "pin": "9999"}
    )
    unknown = retailer_client.post(
        "/redemptions/gift-cards/codes", {"gift_card_code": "NOPE", "pin": "1234"}
    )
    assert wrong_pin.status_code == unknown.status_code == 400
    assert wrong_pin.json() == unknown.json()
