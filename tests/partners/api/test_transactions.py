"""Transactions: list, retrieve, transfer, update and cancel (contract operations 30-35)."""

import datetime as dt

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from loyalty.models import StatusMessageCode, Transaction, TransactionStatus
from loyalty.selectors import member_account
from partners.api.transactions import TransactionSerializer, transaction_data
from tests.factories import MemberFactory, PartnerFactory, partner_account
from tests.partners.api.conftest import signed_client_for

CONTRACT_TRANSACTION_FIELDS = {
    "amount",
    "completed_at",
    "created_at",
    "destination_account",
    "external_reference",
    "id",
    "loyalty_system_data",
    "loyalty_system_id",
    "loyalty_currency",
    "metadata",
    "origin_account",
    "reason",
    "reason_code",
    "related_data",
    "release_date",
    "status",
    "status_message",
    "status_message_code",
    "sub-type",
    "type",
}


def later(hours=2):
    return (timezone.now() + dt.timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture
def accrue(issuer_client, issuer, member):
    def accrue(amount=100, **extra):
        response = issuer_client.post(
            "/accruals/standard",
            {
                "amount": amount,
                "loyalty_currency": "EXAMPLE_POINTS",
                "member": member.loyalty_program_identifiers,
                "origin": issuer.public_id,
                **extra,
            },
        )
        assert response.status_code == 201, response.content
        return response.json()

    return accrue


def test_transaction_has_every_contract_field(issuer_client, accrue):
    tx = accrue(metadata={"store": "LHR-T5"}, external_reference="order-1", reason_code="gift")
    body = issuer_client.get(f"/transactions/{tx['id']}").json()
    assert set(body) >= CONTRACT_TRANSACTION_FIELDS
    assert body["metadata"] == {"store": "LHR-T5"}
    assert body["external_reference"] == "order-1"
    assert body["reason_code"] == "gift"
    assert body["created_at"].endswith("+0000")


def test_unknown_transaction_is_404(issuer_client):
    response = issuer_client.get("/transactions/tx_nope")
    assert response.status_code == 404
    assert response.json()["errors"][0]["field"] == "id"


def test_another_partners_transactions_are_invisible(accrue, stranger_client, currency):
    tx = accrue()
    assert stranger_client.get(f"/transactions/{tx['id']}").status_code == 404
    assert stranger_client.get("/transactions").json()["count"] == 0
    assert stranger_client.post(f"/transactions/{tx['id']}/cancel").status_code == 404


def test_owner_sees_every_transaction_in_its_currency(accrue, owner_client):
    accrue()
    accrue()
    assert owner_client.get("/transactions").json()["count"] == 2


def test_member_transactions_list(accrue, issuer_client, member, currency):
    accrue()
    other = MemberFactory(loyalty_currency=currency)
    body = {"member": member.loyalty_program_identifiers, "loyalty_currency": "EXAMPLE_POINTS"}
    listing = issuer_client.post("/members/transactions", body, idempotency_key="list-1")
    assert listing.status_code == 200
    assert listing.json()["count"] == 1
    empty = issuer_client.post(
        "/members/transactions",
        {"member": other.loyalty_program_identifiers, "loyalty_currency": "EXAMPLE_POINTS"},
    )
    assert empty.json()["count"] == 0
    filtered = issuer_client.post("/members/transactions?status=pending", body)
    assert filtered.json()["count"] == 0
    unknown = issuer_client.post(
        "/members/transactions", {"member": {"id": "nope"}, "loyalty_currency": "EXAMPLE_POINTS"}
    )
    assert unknown.status_code == 400
    assert unknown.json()["errors"][0]["code"] == "member_does_not_exist"


def test_member_transactions_needs_a_partnership(stranger_client, member):
    body = {"member": member.loyalty_program_identifiers, "loyalty_currency": "EXAMPLE_POINTS"}
    assert stranger_client.post("/members/transactions", body).status_code == 403


def test_partner_to_partner_transfer(issuer_client, issuer, currency, ledger_balances):
    receiver = PartnerFactory(company_name="Hotels", api_identifier="hotels")
    receiver_account = partner_account(partner=receiver, loyalty_currency=currency)
    response = issuer_client.post(
        "/transactions",
        {
            "amount": 250,
            "loyalty_currency": "EXAMPLE_POINTS",
            "origin": issuer.public_id,
            "destination": receiver_account.public_id,
            "reason": "settlement",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["type"], body["sub-type"]) == ("transfer", "partner_to_partner")
    receiver_account.refresh_from_db()
    assert receiver_account.balance == 250
    ledger_balances()


def test_member_to_member_transfer_is_for_the_owner(
    owner_client, issuer_client, accrue, member, member_acc, currency, ledger_balances
):
    accrue(500)
    friend = MemberFactory(loyalty_currency=currency)
    body = {
        "amount": 200,
        "loyalty_currency": "EXAMPLE_POINTS",
        "origin": member.loyalty_program_identifiers,
        "destination": friend.loyalty_program_identifiers,
    }
    assert issuer_client.post("/transactions", body).status_code == 403
    response = owner_client.post("/transactions", body)
    assert response.status_code == 201, response.content
    assert response.json()["sub-type"] == "member_to_member"
    assert member_account(member=friend).balance == 200
    ledger_balances()


def test_transfer_refusals_change_nothing(
    issuer_client, issuer, owner_client, member, accrue, currency
):
    accrue(50)
    friend = MemberFactory(loyalty_currency=currency)
    count = Transaction.objects.count()
    mixed = issuer_client.post(
        "/transactions",
        {
            "amount": 10,
            "loyalty_currency": "EXAMPLE_POINTS",
            "origin": issuer.public_id,
            "destination": member.loyalty_program_identifiers,
        },
    )
    assert mixed.status_code == 400
    assert mixed.json()["errors"][0]["code"] == "invalid_transfer"
    overdraft = owner_client.post(
        "/transactions",
        {
            "amount": 51,
            "loyalty_currency": "EXAMPLE_POINTS",
            "origin": member.loyalty_program_identifiers,
            "destination": friend.loyalty_program_identifiers,
        },
    )
    assert overdraft.status_code == 400
    assert overdraft.json()["errors"][0]["code"] == "insufficient_funds"
    assert Transaction.objects.count() == count


def test_update_pending_amount_and_release_date(issuer_client, accrue, member_acc, ledger_balances):
    tx = accrue(100, release_date=later())
    response = issuer_client.patch(
        f"/transactions/{tx['id']}",
        {"amount": 300, "release_date": later(5), "reason": "upgraded"},
        idempotency_key="patch-1",
    )
    assert response.status_code == 200, response.content
    assert response.json()["amount"] == 300
    assert response.json()["reason"] == "upgraded"
    member_acc.refresh_from_db()
    assert member_acc.pending_balance == 300
    ledger_balances()


def test_update_refusals(issuer_client, accrue, owner_client, currency):
    completed = accrue()
    pending = accrue(release_date=later())
    refused = issuer_client.patch(f"/transactions/{completed['id']}", {"reason": "x"})
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["code"] == "invalid_transaction_state"
    past = issuer_client.patch(
        f"/transactions/{pending['id']}", {"release_date": "2020-01-01T00:00Z"}
    )
    assert past.status_code == 400
    assert past.json()["errors"][0]["field"] == "release_date"
    # The owner sees it but is neither its creator nor the origin's owner.
    not_creator = owner_client.patch(f"/transactions/{pending['id']}", {"reason": "x"})
    assert not_creator.status_code == 403
    assert Transaction.objects.get(public_id=pending["id"]).reason == ""


def test_update_takes_only_a_reason_code_of_the_contracts_enum(issuer_client, accrue):
    """ReasonCode is an enum in the contract; any string used to be stored."""
    pending = accrue(release_date=later())
    path = f"/transactions/{pending['id']}"
    for reason_code in ["not_a_reason", "GIFT", "gift ", "", None, 7]:
        response = issuer_client.patch(path, {"reason_code": reason_code, "reason": "changed"})
        assert response.status_code == 400, reason_code
        [error] = response.json()["errors"]
        assert error["field"] == "reason_code"
        tx = Transaction.objects.get(public_id=pending["id"])
        assert (tx.reason_code, tx.reason) == ("", "")

    response = issuer_client.patch(path, {"reason_code": "customer_service_issue"})
    assert response.status_code == 200, response.content
    assert response.json()["reason_code"] == "customer_service_issue"
    assert Transaction.objects.get(public_id=pending["id"]).reason_code == "customer_service_issue"


def test_cancel_pending(issuer_client, accrue, member_acc, ledger_balances):
    pending = accrue(release_date=later())
    response = issuer_client.post(f"/transactions/{pending['id']}/cancel")
    assert response.status_code == 200
    assert response.json()["status"] == TransactionStatus.CANCELLED
    member_acc.refresh_from_db()
    assert member_acc.pending_balance == 0
    again = issuer_client.post(f"/transactions/{pending['id']}/cancel")
    assert again.status_code == 400
    completed = accrue()
    assert issuer_client.post(f"/transactions/{completed['id']}/cancel").status_code == 400
    ledger_balances()


def test_list_query_count_is_bounded(
    issuer_client, accrue, django_assert_max_num_queries, currency, issuer
):
    for _ in range(3):
        accrue()
    other_partner = PartnerFactory()
    partner_account(partner=other_partner, loyalty_currency=currency)
    with django_assert_max_num_queries(8):
        response = issuer_client.get("/transactions", {"page_size": 50})
    assert response.json()["count"] == 3
    for _ in range(10):
        accrue()
    with django_assert_max_num_queries(8):
        issuer_client.get("/transactions", {"page_size": 50})


def test_transactions_list_for_partner_with_its_own_account(currency, member, ledger_balances):
    """A partner sees a transfer into its account though someone else created it."""
    giver, taker = PartnerFactory(), PartnerFactory()
    giver_account = partner_account(partner=giver, loyalty_currency=currency, credit_limit=100)
    from loyalty.models import Partnership, PartnershipType

    Partnership.objects.create(
        partner=giver, loyalty_currency=currency, type=PartnershipType.ISSUING
    )
    taker_account = partner_account(partner=taker, loyalty_currency=currency)
    giver_client = signed_client_for(giver)
    response = giver_client.post(
        "/transactions",
        {
            "amount": 10,
            "loyalty_currency": "EXAMPLE_POINTS",
            "origin": giver_account.public_id,
            "destination": taker_account.public_id,
        },
    )
    assert response.status_code == 201, response.content
    assert signed_client_for(taker).get("/transactions").json()["count"] == 1
    ledger_balances()


# The Transaction shape is built directly (transaction_data) ---------------------------------

_TEXT = st.text(max_size=20)
_JSON = st.dictionaries(st.text(max_size=5), st.integers() | st.text(max_size=5), max_size=3)
_MOMENT = st.datetimes(
    min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2030, 1, 1), timezones=st.just(dt.UTC)
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    status=st.sampled_from(TransactionStatus.values),
    message=st.none() | _TEXT,
    code=st.none() | st.sampled_from(StatusMessageCode.values),
    amount=st.integers(min_value=1, max_value=2**62),
    bonus=st.booleans(),
    text=_TEXT,
    data=_JSON,
    related=st.none() | _JSON,
    release=st.none() | _MOMENT,
    created=_MOMENT,
    completed=st.none() | _MOMENT,
)
def test_transaction_data_is_the_serializers_own_answer(
    member_acc,
    partner_acc,
    status,
    message,
    code,
    amount,
    bonus,
    text,
    data,
    related,
    release,
    created,
    completed,
):
    """Field for field what DRF's serializer machinery makes of the same transaction, for any
    values the row can hold (the contract's responses must not notice the shortcut)."""
    tx = Transaction(
        public_id="tx_" + "a" * 20,
        loyalty_currency=member_acc.loyalty_currency,
        origin_account=partner_acc,
        destination_account=member_acc,
        type="accrual",
        sub_type="standard",
        status=status,
        status_message=message,
        status_message_code=code,
        amount=amount,
        bonus=bonus,
        external_reference=text,
        loyalty_system_id=text,
        loyalty_system_data=data,
        metadata=data,
        reason=text,
        reason_code="",
        related_data=related,
        release_date=release,
        created_at=created,
        completed_at=completed,
    )
    generic = serializers.Serializer.to_representation(TransactionSerializer(), tx)
    assert transaction_data(tx) == generic
    assert JSONRenderer().render(transaction_data(tx)) == JSONRenderer().render(generic)
