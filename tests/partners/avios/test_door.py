"""The inbound Avios-style credit door: each error code of the seed, and a successful credit
(the seed's example body) visible in the member's transactions as an ordinary accrual."""

import datetime as dt
import json

import pytest
from django.test import Client

from loyalty.models import MemberStatus, Partnership, PartnershipType, Transaction
from partners.services.inbound import door_key_create
from tests.factories import MemberFactory
from tests.partners.api.conftest import signed_client_for

ACCOUNT = "3081470000000000"


@pytest.fixture
def holder(currency):
    return MemberFactory(
        loyalty_currency=currency,
        loyalty_program_identifiers={"id": ACCOUNT},
        first_name="Ada",
        last_name="Smith",
    )


@pytest.fixture
def api_key(issuer):
    return door_key_create(partner=issuer, maximum_amount=5000, external_sources=["EXT01"]).api_key


def seed_body(**changes):
    """The seed's Example 2 (ATRP, without MI data), completed with its required elements."""
    body = {
        "description": "100 Avios collected",
        "monetaryAmount": {"amount": 100, "currency": {"currencyCode": "AVIOS"}},
        "externalTransactionIdentifier": "ext",
        "externalTransactionDate": (dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).strftime(
            "%Y-%m-%dT%H:%M:%S.000Z"
        ),
        "externalSource": "EXT01",
        "type": "COLLECTION",
        "person": {"name": {"firstName": "Ada", "familyName": "Smith"}},
    }
    body.update(changes)
    return body


def credit(api_key, body, *, programme="EXAMPLE_POINTS", account=ACCOUNT, version="v1"):
    return Client().post(
        f"/{version}/programmes/{programme}/accounts/{account}/credit-transaction-requests"
        f"?api_key={api_key}",
        data=json.dumps(body),
        content_type="application/json",
    )


def code_of(response) -> str:
    body = response.json()
    assert set(body) >= {
        "code",
        "businessMessage",
        "developerMessage",
        "developerLink",
        "childError",
    }
    if body["code"] == "REQUEST_INVALID":
        return body["childError"][0]["code"]
    return body["code"]


def test_a_credit_is_an_accrual_in_the_members_transactions(
    api_key, holder, issuer, owner_client, ledger_balances
):
    response = credit(api_key, seed_body())
    assert response.status_code == 201, response.content
    answer = response.json()
    assert len(answer["identifier"]) == 16
    assert answer["monetaryAmount"] == {
        "amount": "100",
        "formattedAmount": "100",
        "currency": {"currencyCode": "AVIOS"},
    }
    assert answer["description"] == "100 Avios collected"
    assert answer["externalTransactionIdentifier"] == "ext"
    assert answer["type"] == "COLLECTION"
    assert answer["dateMade"].endswith("Z")
    listed = owner_client.post(
        "/members/transactions",
        {"loyalty_currency": "EXAMPLE_POINTS", "member": {"id": ACCOUNT}},
    )
    (tx,) = listed.json()["results"]
    assert (tx["type"], tx["amount"], tx["external_reference"]) == ("accrual", 100, "ext")
    assert tx["origin_account"]["owner"]["id"] == issuer.public_id
    ledger_balances()


def test_household_is_accepted_as_the_family_name(api_key, holder):
    body = seed_body(person={"name": {"familyName": "HOUSEHOLD"}})
    assert credit(api_key, body).status_code == 201


def test_the_same_amount_description_and_date_is_a_duplicate(api_key, holder):
    body = seed_body()
    assert credit(api_key, body).status_code == 201
    again = credit(api_key, {**body, "externalTransactionIdentifier": "other"})
    assert again.status_code == 400
    assert code_of(again) == "DUPLICATE_TRANSACTION"
    assert Transaction.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"description": ""}, "description"),
        ({"monetaryAmount": {"amount": "12a", "currency": {"currencyCode": "AVIOS"}}}, None),
        ({"monetaryAmount": {"amount": 5001, "currency": {"currencyCode": "AVIOS"}}}, None),
        ({"monetaryAmount": {"amount": 1000000, "currency": {"currencyCode": "AVIOS"}}}, None),
        ({"monetaryAmount": {"amount": 10, "currency": {"currencyCode": "avios"}}}, None),
        ({"externalTransactionIdentifier": "x" * 21}, "externalTransactionIdentifier"),
        ({"externalTransactionIdentifier": "a b"}, "externalTransactionIdentifier"),
        ({"externalTransactionDate": "2999-01-01T00:00:00.000Z"}, "externalTransactionDate"),
        ({"externalTransactionDate": "2001-01-01T00:00:00.000Z"}, "externalTransactionDate"),
        ({"externalTransactionDate": "yesterday"}, "externalTransactionDate"),
        ({"externalSource": ""}, "externalSource"),
        ({"type": "collection"}, "type"),
        ({"type": "REDEMPTION"}, "type"),
        ({"person": {"name": {}}}, "person.name.familyName"),
        ({"person": {"name": {"familyName": "Sm1th"}}}, "person.name.familyName"),
    ],
)
def test_data_invalid(api_key, holder, change, path):
    response = credit(api_key, seed_body(**change))
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "REQUEST_INVALID"
    assert code_of(response) == "DATA_INVALID"
    if path:
        assert path in {c.get("path") for c in response.json()["childError"]}
    assert Transaction.objects.count() == 0


def test_path_formats(api_key, holder):
    assert code_of(credit(api_key, seed_body(), account="3081-4")) == "DATA_INVALID"
    assert code_of(credit(api_key, seed_body(), account="1" * 25)) == "DATA_INVALID"
    assert code_of(credit(api_key, seed_body(), version="v-1")) == "DATA_INVALID"


def test_programme_account_and_name_errors(api_key, holder, currency):
    assert code_of(credit(api_key, seed_body(), programme="NOPE")) == "PROGRAMME_INVALID"
    assert code_of(credit(api_key, seed_body(), account="3081479999999999")) == "ACCOUNT_INVALID"
    wrong_surname = seed_body(person={"name": {"familyName": "Jones"}})
    assert code_of(credit(api_key, wrong_surname)) == "MEMBERSHIP_NUMBER_SURNAME_MISMATCH"
    wrong_name = seed_body(person={"name": {"firstName": "Bob", "familyName": "Smith"}})
    assert code_of(credit(api_key, wrong_name)) == "MEMBERSHIP_NUMBER_NAME_MISMATCH"
    other_source = seed_body(externalSource="OTHER")
    assert code_of(credit(api_key, other_source)) == "INVALID_PROMOTER_CODE"
    assert Transaction.objects.count() == 0


@pytest.mark.parametrize(
    "status", [MemberStatus.BLOCKED, MemberStatus.CLOSED, MemberStatus.DECEASED, MemberStatus.FRAUD]
)
def test_account_not_authorised(api_key, holder, status):
    holder.status = status
    holder.save()
    assert code_of(credit(api_key, seed_body())) == "ACCOUNT_NOT_AUTHORISED"
    assert Transaction.objects.count() == 0


def test_programme_not_supported_without_an_issuing_partnership(api_key, issuer, holder):
    Partnership.objects.filter(partner=issuer, type=PartnershipType.ISSUING).delete()
    assert code_of(credit(api_key, seed_body())) == "PROGRAMME_NOT_SUPPORTED"


def test_a_bad_api_key_is_refused(holder, issuer):
    response = credit("x" * 24, seed_body())
    assert response.status_code == 401
    assert response.json()["code"] == "API_KEY_INVALID"
    assert credit("", seed_body()).status_code == 401
    # A signed API credential is not a door key.
    assert credit(signed_client_for(issuer).public_key, seed_body()).status_code == 401


def test_not_json_is_data_invalid(api_key, holder):
    response = Client().post(
        f"/v1/programmes/EXAMPLE_POINTS/accounts/{ACCOUNT}/credit-transaction-requests"
        f"?api_key={api_key}",
        data="amount=1",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert code_of(response) == "DATA_INVALID"
