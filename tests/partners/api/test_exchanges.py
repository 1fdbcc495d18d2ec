"""Exchanges over the API (contract operations 9-12): every operation and variant, scope and bad
input (400 GenericError, nothing written), and the transactions visible afterwards."""

import pytest

from loyalty.models import (
    Exchange,
    ForwardingRecord,
    LinkedAccount,
    MemberStatus,
    Transaction,
)
from tests.factories import MemberFactory
from tests.loyalty.services.exchange_fixtures import *  # noqa: F403
from tests.loyalty.services.exchange_fixtures import balance
from tests.partners.api.conftest import signed_client_for


def body(member, flyer, **extra):
    return {
        "amount": 1000,
        "origin_loyalty_currency": "EXAMPLE_POINTS",
        "destination_loyalty_currency": "EXAMPLE_MILES",
        "origin_member": member.loyalty_program_identifiers,
        "destination_member": flyer.loyalty_program_identifiers,
        **extra,
    }


@pytest.fixture
def airline_client(airline):
    return signed_client_for(airline)


def test_simulate_one_destination_and_every_partner(owner_client, to_miles, to_avios):
    one = owner_client.post(
        "/exchanges/simulate",
        {
            "amount": 501,
            "origin_loyalty_currency": "EXAMPLE_POINTS",
            "destination_loyalty_currency": "EXAMPLE_MILES",
        },
    )
    assert one.status_code == 200, one.content
    assert one.json() == {"EXAMPLE_MILES": 250}
    for destination in (None, ""):
        every = owner_client.post(
            "/exchanges/simulate",
            {
                "amount": 501,
                "origin_loyalty_currency": "EXAMPLE_POINTS",
                "destination_loyalty_currency": destination,
            },
        )
        assert every.json() == {"AVIOS": 501, "EXAMPLE_MILES": 250}
    absent = owner_client.post(
        "/exchanges/simulate", {"amount": 501, "origin_loyalty_currency": "EXAMPLE_POINTS"}
    )
    assert absent.json() == {"AVIOS": 501, "EXAMPLE_MILES": 250}
    assert Transaction.objects.count() == 0


def test_execute_between_hosted_currencies(
    owner_client, airline_client, to_miles, rich_member, flyer, ledger_balances
):
    response = owner_client.post(
        "/exchanges/execute", body(rich_member, flyer, external_reference="X1")
    )
    assert response.status_code == 200, response.content
    origin, destination = (
        response.json()["origin_transaction"],
        response.json()["destination_transaction"],
    )
    assert (origin["type"], origin["sub-type"], origin["status"], origin["amount"]) == (
        "member_exchange",
        "out",
        "completed",
        1000,
    )
    assert (destination["type"], destination["status"], destination["amount"]) == (
        "member_exchange",
        "completed",
        500,
    )
    assert origin["loyalty_currency"] == "EXAMPLE_POINTS"
    assert destination["loyalty_currency"] == "EXAMPLE_MILES"
    assert origin["external_reference"] == "X1"
    assert (balance(rich_member), balance(flyer)) == (4000, 500)
    exchange = Exchange.objects.get()
    assert exchange.origin_transaction.public_id == origin["id"]
    assert exchange.destination_transaction.public_id == destination["id"]
    # Both partners concerned see both transactions.
    for client in (owner_client, airline_client):
        listed = {
            t["id"]
            for t in client.get("/transactions", {"type": "member_exchange"}).json()["results"]
        }
        assert listed == {origin["id"], destination["id"]}
    ledger_balances()


def test_the_exchange_partner_may_execute_too(airline_client, to_miles, rich_member, flyer):
    response = airline_client.post("/exchanges/execute", body(rich_member, flyer))
    assert response.status_code == 200, response.content


def test_execute_to_avios_is_pending_external_approval(
    owner_client, to_avios, rich_member, ledger_balances
):
    response = owner_client.post(
        "/exchanges/execute",
        {
            **body(rich_member, rich_member, destination_loyalty_currency="AVIOS"),
            "destination_member": {"id": "3081470000000001", "family_name": "Andersen"},
        },
    )
    assert response.status_code == 200, response.content
    destination = response.json()["destination_transaction"]
    assert destination["status"] == "pending_external_approval"
    assert destination["status_message_code"] == "pending_external_approval"
    assert response.json()["origin_transaction"]["status"] == "completed"
    assert balance(rich_member) == 4000
    assert ForwardingRecord.objects.get().transaction.public_id == destination["id"]
    shown = owner_client.get(f"/transactions/{destination['id']}")
    assert shown.json()["status"] == "pending_external_approval"
    ledger_balances()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": 0}, "amount"),
        ({"amount": "100"}, "amount"),
        ({"amount": 9}, "amount"),
        ({"amount": 10_001}, "amount"),
        ({"amount": 6000, "_max": None}, "amount"),
        ({"origin_loyalty_currency": "NOPE"}, "origin_loyalty_currency"),
        ({"destination_loyalty_currency": "NOPE"}, "destination_loyalty_currency"),
        ({"origin_member": {"id": "NOBODY"}}, "origin_member"),
        ({"destination_member": {"id": "NOBODY"}}, "destination_member"),
        ({"origin_member": "M1"}, "origin_member"),
        ({"destination_loyalty_currency": "EXAMPLE_POINTS"}, "destination_loyalty_currency"),
    ],
)
def test_bad_execute_is_a_400_and_writes_nothing(
    owner_client, to_miles, rich_member, flyer, change, field, ledger_balances
):
    if "_max" in change:
        change = {k: v for k, v in change.items() if k != "_max"}
        to_miles.maximum_member_transaction_amount = None
        to_miles.save()
    before = Transaction.objects.count()
    response = owner_client.post("/exchanges/execute", {**body(rich_member, flyer), **change})
    assert response.status_code == 400, response.content
    assert field in {e["field"] for e in response.json()["errors"]}
    assert Transaction.objects.count() == before
    assert Exchange.objects.count() == 0
    ledger_balances()


def test_disabled_partnership_and_inactive_member(owner_client, to_miles, rich_member, flyer):
    to_miles.enabled = False
    to_miles.save()
    response = owner_client.post("/exchanges/execute", body(rich_member, flyer))
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "exchange_disabled"
    to_miles.enabled = True
    to_miles.save()
    rich_member.status = MemberStatus.BLOCKED
    rich_member.save()
    response = owner_client.post("/exchanges/execute", body(rich_member, flyer))
    assert response.status_code == 400
    assert Exchange.objects.count() == 0


def test_a_stranger_gets_the_same_answer_for_real_and_unknown_members(
    stranger_client, to_miles, rich_member, flyer
):
    real = stranger_client.post("/exchanges/execute", body(rich_member, flyer))
    unknown = stranger_client.post(
        "/exchanges/execute", {**body(rich_member, flyer), "origin_member": {"id": "NOBODY"}}
    )
    assert real.status_code == unknown.status_code == 400
    assert real.json() == unknown.json()
    simulated = stranger_client.post(
        "/exchanges/simulate", {"amount": 100, "origin_loyalty_currency": "EXAMPLE_POINTS"}
    )
    assert simulated.json() == {}
    assert Exchange.objects.count() == 0


def test_linked_account_out_and_in(
    owner_client, to_miles, from_miles, rich_member, flyer, ledger_balances
):
    LinkedAccount.objects.create(
        member=rich_member,
        loyalty_currency=flyer.loyalty_currency,
        membership_number=flyer.membership_id,
    )
    simulated = owner_client.post(
        "/exchanges/linked-account-simulate",
        {"amount": 100, "origin_member": rich_member.loyalty_program_identifiers},
    )
    assert simulated.status_code == 200, simulated.content
    assert simulated.json() == {"EXAMPLE_MILES": 50}
    out = owner_client.post(
        "/exchanges/linked-account-execute",
        {
            "amount": 1000,
            "destination_loyalty_currency": "EXAMPLE_MILES",
            "origin_member": rich_member.loyalty_program_identifiers,
        },
    )
    assert out.status_code == 200, out.content
    assert (balance(rich_member), balance(flyer)) == (4000, 500)
    simulated_in = owner_client.post(
        "/exchanges/linked-account-simulate",
        {"amount": 100, "destination_member": rich_member.loyalty_program_identifiers},
    )
    assert simulated_in.json() == {"EXAMPLE_MILES": 200}
    back = owner_client.post(
        "/exchanges/linked-account-execute",
        {
            "amount": 100,
            "origin_loyalty_currency": "EXAMPLE_MILES",
            "destination_member": rich_member.loyalty_program_identifiers,
        },
    )
    assert back.status_code == 200, back.content
    assert (balance(rich_member), balance(flyer)) == (4200, 400)
    ledger_balances()


def test_linked_account_requests_refused(owner_client, to_miles, to_avios, rich_member, currency):
    missing = owner_client.post(
        "/exchanges/linked-account-execute",
        {
            "amount": 100,
            "destination_loyalty_currency": "EXAMPLE_MILES",
            "origin_member": rich_member.loyalty_program_identifiers,
        },
    )
    assert missing.status_code == 400
    assert missing.json()["errors"][0]["code"] == "no_linked_account"
    both = owner_client.post(
        "/exchanges/linked-account-simulate",
        {"amount": 100, "origin_member": {"id": "A"}, "destination_member": {"id": "B"}},
    )
    assert both.status_code == 400
    neither = owner_client.post("/exchanges/linked-account-simulate", {"amount": 100})
    assert neither.status_code == 400
    assert Transaction.objects.filter(type="member_exchange").count() == 0


def test_exchange_in_from_avios_is_refused_with_the_reason(
    owner_client, currency, avios, programme, rich_member
):
    from decimal import Decimal

    from loyalty.models import ExchangeDirection, ExchangePartnership

    ExchangePartnership.objects.create(
        partner=programme,
        loyalty_currency=currency,
        partner_currency=avios,
        direction=ExchangeDirection.EXCHANGE_IN,
        conversion_ratio_per_unit=Decimal(1),
    )
    LinkedAccount.objects.create(
        member=rich_member, loyalty_currency=avios, membership_number="3081470000000001"
    )
    response = owner_client.post(
        "/exchanges/linked-account-execute",
        {
            "amount": 100,
            "origin_loyalty_currency": "AVIOS",
            "destination_member": rich_member.loyalty_program_identifiers,
        },
    )
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["code"] == "programme_cannot_debit"
    assert "only credits" in error["message"]
    assert Transaction.objects.filter(type="member_exchange").count() == 0


def test_idempotent_execute_replays(owner_client, to_miles, rich_member, flyer):
    first = owner_client.post("/exchanges/execute", body(rich_member, flyer), idempotency_key="k-1")
    again = owner_client.post("/exchanges/execute", body(rich_member, flyer), idempotency_key="k-1")
    assert again.headers["Idempotency-Repeated"] == "true"
    assert again.json() == first.json()
    assert Exchange.objects.count() == 1


def test_other_members_are_untouched(owner_client, to_miles, rich_member, flyer, currency):
    other = MemberFactory(loyalty_currency=currency)
    owner_client.post("/exchanges/execute", body(rich_member, flyer))
    assert balance(other) == 0


def test_linked_account_exchanges_are_the_member_currency_owners(
    stranger_client, airline_client, to_miles, rich_member
):
    """The side a linked-account request leaves out is the caller's own currency: a partner
    that owns none is refused; the airline's own currency holds no such member."""
    body = {"amount": 100, "origin_member": rich_member.loyalty_program_identifiers}
    response = stranger_client.post("/exchanges/linked-account-simulate", body)
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "exchange_not_available"
    response = airline_client.post("/exchanges/linked-account-simulate", body)
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "member_does_not_exist"


def test_plain_execute_out_of_an_external_currency_is_refused(owner_client, to_avios, rich_member):
    response = owner_client.post(
        "/exchanges/execute",
        {
            "amount": 100,
            "origin_loyalty_currency": "AVIOS",
            "destination_loyalty_currency": "EXAMPLE_POINTS",
            "origin_member": {"id": "3081470000000001"},
            "destination_member": rich_member.loyalty_program_identifiers,
        },
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "programme_cannot_debit"
    assert Transaction.objects.filter(type="member_exchange").count() == 0
