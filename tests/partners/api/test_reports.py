"""Custom gift card reports over the API (contract operations 45-47)."""

from decimal import Decimal

import pytest

from giftcards.services.issuance import gift_card_issue
from tests.factories import PartnerFactory
from tests.giftcards.fixtures import load_codes
from tests.partners.api.conftest import signed_client_for


@pytest.fixture
def one_sold(currency, fixed_card, funded_member):
    load_codes(fixed_card, 3)
    return gift_card_issue(
        partner=currency.owner,
        gift_card_id=fixed_card.public_id,
        member=funded_member.loyalty_program_identifiers,
        fiat_amount=Decimal("10.00"),
    )


def test_inventory_moves_with_an_issue(owner_client, retailer, fixed_card, one_sold):
    for client in (owner_client, signed_client_for(retailer)):
        response = client.get(f"/reports/gift-cards/custom/{fixed_card.public_id}/inventory")
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["total_codes"] == 3
        assert body["denominations"]["10.00"] == {
            "available": 2,
            "issued": 1,
            "total": 3,
            "unavailable": 0,
        }
        assert body["denominations"]["5.00"]["total"] == 0


def test_inventory_list_and_scope(owner_client, fixed_card, open_card, one_sold):
    body = owner_client.get("/reports/gift-cards/custom/inventory").json()
    assert {card["id"] for card in body["results"]} == {fixed_card.public_id, open_card.public_id}
    stranger = signed_client_for(PartnerFactory())
    assert stranger.get("/reports/gift-cards/custom/inventory").json()["count"] == 0
    hidden = stranger.get(f"/reports/gift-cards/custom/{fixed_card.public_id}/inventory")
    assert hidden.status_code == 404


def test_issued_codes_report(owner_client, fixed_card, one_sold):
    response = owner_client.get("/reports/gift-cards/custom")
    assert response.status_code == 200, response.content
    (row,) = response.json()["results"]
    assert row["id"] == one_sold.code.public_id
    assert row["gift_card"] == {"id": fixed_card.public_id, "name": fixed_card.name}
    assert row["partner"]["loyalty_currency"]["id"] == "EXAMPLE_POINTS"
    assert row["redemption_status"] == "unredeemed"


@pytest.mark.parametrize(
    ("params", "count"),
    [
        ({"loyalty_currency": "EXAMPLE_POINTS"}, 1),
        ({"loyalty_currency": "OTHER"}, 0),
        ({"fiat_currency": "USD"}, 0),
        ({"gift_card_id": "gcb_other"}, 0),
        ({"created_at__range": "2000-01-01,2000-01-02"}, 0),
        ({"created_at__range": "2000-01-01"}, 1),
    ],
)
def test_issued_codes_filters(owner_client, one_sold, params, count):
    response = owner_client.get("/reports/gift-cards/custom", params)
    assert response.status_code == 200, response.content
    assert response.json()["count"] == count


def test_bad_report_filters_are_400(owner_client, one_sold):
    response = owner_client.get("/reports/gift-cards/custom", {"created_at__range": "yesterday"})
    assert response.status_code == 400
