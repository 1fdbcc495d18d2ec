"""Standard redemptions over the API (contract operations 17-20): simulate, execute, adjust
and cancel, their answers' shapes, scope, bad input, and the member's history."""

import pytest

from loyalty.models import Member, MemberStatus, Transaction
from tests.factories import PartnerFactory, partner_account, redemption_partnership
from tests.loyalty.helpers import accrue, holdings
from tests.partners.api.conftest import signed_client_for

FUNDS = 100_000


@pytest.fixture
def hotel(currency):
    partner = PartnerFactory(company_name="Example Hotels", api_identifier="example-hotels")
    partner_account(partner=partner, loyalty_currency=currency)
    from decimal import Decimal

    redemption_partnership(
        partner=partner,
        loyalty_currency=currency,
        prices={"hotel": Decimal("0.02"), "general": None},
        minimum_member_transaction_amount=10,
    )
    return partner


@pytest.fixture
def hotel_client(hotel):
    return signed_client_for(hotel)


@pytest.fixture
def funded(member_acc):
    accrue(member_acc, FUNDS)
    return member_acc


def room(amount="120.00", **extra):
    return {"fiat_amount": amount, "fiat_currency": "EUR", "category": "hotel", **extra}


def execute_body(member, items=None, **extra):
    return {
        "external_reference": "BK-1",
        "loyalty_currency": "EXAMPLE_POINTS",
        "member": member.loyalty_program_identifiers,
        "reason": "Hotel booking",
        "redemption_items": items or [room()],
        **extra,
    }


def adjust_body(member, link, items, ref="BK-2"):
    return {
        "member": member.loyalty_program_identifiers,
        "new_external_reference": ref,
        "previous_external_reference": link["external_reference"],
        "previous_transaction_id": link["id"],
        "reason": "Booking changed",
        "redemption_items": items,
    }


def cancel_body(link):
    return {
        "previous_external_reference": link["external_reference"],
        "previous_transaction_id": link["id"],
        "reason": "Booking cancelled",
    }


def ok(response):
    assert response.status_code == 200, response.content
    return response.json()


def refused(response, field=None, status=400):
    assert response.status_code == status, response.content
    errors = response.json()["errors"]
    if field is not None:
        # nested fields are named by their path, e.g. redemption_items.0.fiat_currency
        assert any((e["field"] or "").split(".")[0] == field for e in errors), errors
    return errors


def test_simulate_answers_the_full_shape_and_writes_nothing(hotel_client, member, funded, currency):
    before = Transaction.objects.count()
    body = ok(
        hotel_client.post(
            "/redemptions/standard/simulate",
            {
                "loyalty_currency": "EXAMPLE_POINTS",
                "member": member.loyalty_program_identifiers,
                "redemption_items": [room(product_code="R1"), {"loyalty_amount": 500}],
            },
        )
    )
    assert body["total_loyalty_amount"] == 6_500
    assert body["total_fiat_amount"] == "125.00"
    assert body["sufficient_balance"] is True
    assert body["maximum_fiat_balance"] is None  # balances are not visible to partners
    assert body["adjustment_allowed"] is True
    assert body["loyalty_currency"] == "EXAMPLE_POINTS"
    assert body["member"]["id"] == member.public_id
    assert body["redemption_items"] == [
        {
            "category": "hotel",
            "fiat_amount": "120.00",
            "fiat_currency": "EUR",
            "loyalty_amount": 6_000,
        },
        {
            "category": "general",
            "fiat_amount": "5.00",
            "fiat_currency": "EUR",
            "loyalty_amount": 500,
        },
    ]
    assert Transaction.objects.count() == before
    without_member = ok(
        hotel_client.post(
            "/redemptions/standard/simulate",
            {"loyalty_currency": "EXAMPLE_POINTS", "redemption_items": [room("3000")]},
        )
    )
    assert (without_member["member"], without_member["sufficient_balance"]) == (None, None)


def test_execute_adjust_cancel_through_the_api(
    hotel_client, hotel, member, funded, currency, ledger_balances
):
    executed = ok(hotel_client.post("/redemptions/standard", execute_body(member)))
    tx = executed["transaction"]
    assert (tx["type"], tx["sub-type"], tx["status"], tx["amount"]) == (
        "redemption",
        "standard",
        "completed",
        6_000,
    )
    assert tx["related_data"]["type"] == "standard_redemption"
    assert executed["total_fiat_amount"] == "120.00"
    assert executed["total_loyalty_amount"] == 6_000
    assert executed["external_reference"] == "BK-1"
    assert executed["adjustment_allowed"] is True
    assert holdings(funded) == (FUNDS - 6_000, 0)

    adjusted = ok(
        hotel_client.post("/redemptions/standard/adjust", adjust_body(member, tx, [room("100.00")]))
    )
    assert adjusted["loyalty_amount_difference"] == -1_000
    assert adjusted["fiat_amount_difference"] == "-20.00"
    assert adjusted["previous_transaction_id"] == tx["id"]
    assert adjusted["total_loyalty_amount"] == 5_000
    assert adjusted["transaction"]["sub-type"] == "adjustment_decrease"
    assert adjusted["transaction"]["related_data"]["previous_transaction_id"] == tx["id"]
    assert holdings(funded) == (FUNDS - 5_000, 0)

    stale = refused(
        hotel_client.post("/redemptions/standard/cancel", cancel_body(tx)),
        "previous_transaction_id",
    )
    assert adjusted["transaction"]["id"] in stale[0]["message"]

    cancelled = ok(
        hotel_client.post("/redemptions/standard/cancel", cancel_body(adjusted["transaction"]))
    )
    assert cancelled["transaction"]["sub-type"] == "cancellation"
    assert cancelled["transaction"]["amount"] == 5_000
    assert cancelled["member"]["id"] == member.public_id
    assert holdings(funded) == (FUNDS, 0)
    again = refused(
        hotel_client.post("/redemptions/standard/cancel", cancel_body(adjusted["transaction"]))
    )
    assert again[0]["code"] == "already_cancelled"

    # The whole story in the partner's list and the member's history
    listed = ok(hotel_client.get("/transactions", {"type": "redemption"}))
    statuses = {t["id"]: (t["sub-type"], t["status"]) for t in listed["results"]}
    assert statuses == {
        tx["id"]: ("standard", "adjusted"),
        adjusted["transaction"]["id"]: ("adjustment_decrease", "cancelled"),
        cancelled["transaction"]["id"]: ("cancellation", "completed"),
    }
    owner = signed_client_for(currency.owner)
    history = ok(
        owner.post(
            "/members/transactions",
            {"member": member.loyalty_program_identifiers, "loyalty_currency": "EXAMPLE_POINTS"},
        )
    )
    assert len([t for t in history["results"] if t["type"] == "redemption"]) == 3
    ledger_balances()


def test_the_currency_owner_sees_the_balance_and_may_cancel(hotel_client, member, funded, currency):
    tx = ok(hotel_client.post("/redemptions/standard", execute_body(member)))["transaction"]
    owner = signed_client_for(currency.owner)
    body = ok(owner.post("/redemptions/standard/cancel", cancel_body(tx)))
    assert body["member"]["balance"] == FUNDS


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"redemption_items": [room(category="flight")]}, "redemption_items"),
        ({"redemption_items": [room("9999999999999999.9999")]}, "amount"),
        ({"redemption_items": [{"loyalty_amount": 2**62}] * 3}, "redemption_items"),
        ({"redemption_items": [room("99999")]}, "amount"),  # beyond the balance
        ({"redemption_items": [{"loyalty_amount": 5}]}, "redemption_items"),  # below the minimum
        ({"redemption_items": [{"loyalty_amount": 1}] * 51}, "redemption_items"),
        ({"redemption_items": []}, "redemption_items"),
        ({"redemption_items": [{"fiat_amount": "10"}]}, "redemption_items"),
        ({"redemption_items": [{"loyalty_amount": 5, "fiat_amount": "1.00"}]}, "redemption_items"),
        ({"redemption_items": [room("-1")]}, "redemption_items"),
        ({"redemption_items": [room("abc")]}, "redemption_items"),
        ({"redemption_items": [{"loyalty_amount": "100"}]}, "redemption_items"),
        ({"redemption_items": [room(category="shoes")]}, "redemption_items"),
        ({"redemption_items": "all"}, "redemption_items"),
        ({"redemption_items": [room(fiat_currency="JPY")]}, "fiat_currency"),
        ({"member": {"id": "NOPE"}}, "member"),
        ({"loyalty_currency": "NOPE"}, "loyalty_currency"),
        ({"reason": ""}, "reason"),
        ({"external_reference": None}, "external_reference"),
        ({"metadata": {"a": "\u0000"}}, "metadata"),
    ],
)
def test_bad_redemptions_are_refused_and_write_nothing(
    hotel_client, member, funded, change, field, ledger_balances
):
    before = Transaction.objects.count()
    refused(hotel_client.post("/redemptions/standard", {**execute_body(member), **change}), field)
    assert Transaction.objects.count() == before
    assert holdings(funded) == (FUNDS, 0)
    ledger_balances()


def test_an_inactive_member_is_refused(hotel_client, member, funded):
    Member.objects.filter(pk=member.pk).update(status=MemberStatus.BLOCKED)
    refused(hotel_client.post("/redemptions/standard", execute_body(member)), "member")
    assert holdings(funded) == (FUNDS, 0)


@pytest.mark.parametrize("path", ["/redemptions/standard", "/redemptions/standard/simulate"])
def test_a_partner_without_a_redemption_partnership_is_refused(
    path, issuer_client, stranger_client, member, funded
):
    for client in (issuer_client, stranger_client):
        refused(client.post(path, execute_body(member)), "loyalty_currency", status=403)
    assert Transaction.objects.filter(type="redemption").count() == 0


def test_another_partner_cannot_tell_a_redemption_from_an_unknown_one(
    hotel_client, member, funded, currency
):
    tx = ok(hotel_client.post("/redemptions/standard", execute_body(member)))["transaction"]
    rival = PartnerFactory()
    redemption_partnership(partner=rival, loyalty_currency=currency)
    rival_client = signed_client_for(rival)
    real = refused(rival_client.post("/redemptions/standard/cancel", cancel_body(tx)), status=404)
    unknown = {**tx, "id": "tx_doesnotexist1234"}
    fake = refused(
        rival_client.post("/redemptions/standard/cancel", cancel_body(unknown)), status=404
    )
    assert [e["code"] for e in real] == [e["code"] for e in fake]
    adjusted = adjust_body(member, tx, [room("10")])
    refused(rival_client.post("/redemptions/standard/adjust", adjusted), status=404)
    assert Transaction.objects.filter(type="redemption").count() == 1


@pytest.mark.parametrize(
    "missing",
    [
        "member",
        "new_external_reference",
        "previous_external_reference",
        "previous_transaction_id",
        "reason",
        "redemption_items",
    ],
)
def test_adjust_requires_its_fields(hotel_client, member, funded, missing):
    tx = ok(hotel_client.post("/redemptions/standard", execute_body(member)))["transaction"]
    body = adjust_body(member, tx, [room("10")])
    del body[missing]
    refused(hotel_client.post("/redemptions/standard/adjust", body), missing)
    assert holdings(funded) == (FUNDS - 6_000, 0)


def test_an_idempotent_retry_redeems_once(hotel_client, member, funded):
    first = hotel_client.post("/redemptions/standard", execute_body(member), idempotency_key="k1")
    again = hotel_client.post("/redemptions/standard", execute_body(member), idempotency_key="k1")
    assert again["Idempotency-Repeated"] == "true"
    assert first.json() == again.json()
    assert holdings(funded) == (FUNDS - 6_000, 0)


def test_the_redemption_partnership_is_listed(hotel, currency):
    owner = signed_client_for(currency.owner)
    listed = ok(owner.get("/partners/redemption"))
    assert [(p["partner_id"], p["partnership_details"]) for p in listed["results"]] == [
        (hotel.public_id, {"adjustment_allowed": True})
    ]


@pytest.mark.parametrize(
    ("items", "code"),
    [
        ([room("120.00")], "adjustment_unchanged"),
        ([room("10", category="flight")], "category_not_allowed"),
        ([room("99999")], "insufficient_funds"),
        ([{"loyalty_amount": 5}], "amount_out_of_range"),
    ],
)
def test_a_refused_adjustment_writes_nothing(
    hotel_client, member, funded, items, code, ledger_balances
):
    tx = ok(hotel_client.post("/redemptions/standard", execute_body(member)))["transaction"]
    count = Transaction.objects.count()
    errors = refused(
        hotel_client.post("/redemptions/standard/adjust", adjust_body(member, tx, items))
    )
    assert errors[0]["code"] == code
    assert Transaction.objects.count() == count
    assert Transaction.objects.get(public_id=tx["id"]).status == "completed"
    assert holdings(funded) == (FUNDS - 6_000, 0)
    ledger_balances()


def test_adjusting_without_permission_to_adjust_is_refused(currency, member, funded):
    shop = PartnerFactory()
    redemption_partnership(partner=shop, loyalty_currency=currency, adjustment_allowed=False)
    client = signed_client_for(shop)
    body = execute_body(member, [{"loyalty_amount": 100}])
    executed = ok(client.post("/redemptions/standard", body))
    assert executed["adjustment_allowed"] is False
    tx = executed["transaction"]
    errors = refused(client.post("/redemptions/standard/cancel", cancel_body(tx)))
    assert errors[0]["code"] == "adjustment_not_allowed"
    assert holdings(funded) == (FUNDS - 100, 0)


def test_the_answer_shows_the_balance_after_the_redemption_where_balances_are_visible(
    hotel_client, member, funded, currency
):
    assert (
        ok(hotel_client.post("/redemptions/standard", execute_body(member)))["member"]["balance"]
        is None
    )
    currency.balances_visible_to_partners = True
    currency.save()
    body = ok(
        hotel_client.post("/redemptions/standard", execute_body(member, external_reference="BK-2"))
    )
    assert body["member"]["balance"] == FUNDS - 12_000
    assert body["member"]["id"] == member.public_id
