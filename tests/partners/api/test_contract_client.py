"""The contract-only client against a live server: accrue, look up, page through, cancel, retry."""

import datetime as dt
import socket
import uuid
from urllib.error import HTTPError
from urllib.request import Request, urlopen

import pytest
from django.utils import timezone
from werkzeug.wrappers import Response as WerkzeugResponse

from loyalty.models import Transaction
from partners.services.credentials import credential_create
from tests.factories import LoyaltyCurrencyFactory, MemberFactory, PartnerFactory
from tests.partners.api.contract_client import ContractClient

API = "/public/v3.0"
CURRENCY = "EXAMPLE_POINTS"
FORWARDED_HEADERS = ("Authorization", "Content-Type", "Idempotency-Key", "Accept")
RETURNED_HEADERS = ("Content-Type", "Idempotency-Repeated")


@pytest.fixture
def currency(transactional_db):
    """Committed rows, since the live server reads them on its own connection."""
    return LoyaltyCurrencyFactory(code=CURRENCY, owner=PartnerFactory(company_name="Example Bank"))


@pytest.fixture
def owner(currency):
    """The currency owner: it accrues from its own (issuing) account and sees balances."""
    return currency.owner


@pytest.fixture
def member(currency):
    return MemberFactory(loyalty_currency=currency)


@pytest.fixture
def credential(owner):
    return credential_create(partner=owner)


@pytest.fixture
def client(live_server, credential):
    return ContractClient(
        live_server.url + API,
        public_key=credential.public_key,
        secret_key=credential.secret_key,
        backoff=0.01,
    )


def accrual(owner, member, **extra) -> dict:
    return {
        "amount": 250,
        "loyalty_currency": CURRENCY,
        "member": member.loyalty_program_identifiers,
        "origin": owner.public_id,
        "external_reference": f"order-{uuid.uuid4()}",
        **extra,
    }


def test_accrue_then_look_the_member_up(client, owner, member):
    accrued = client.post("/accruals/standard", accrual(owner, member))
    assert accrued.status == 201, accrued.data
    assert accrued.data["status"] == "completed"
    assert accrued.data["destination_account"]["owner"] == {
        "id": member.public_id,
        "type": "member",
    }

    found = client.post(
        "/members/lookup",
        {
            "loyalty_currency": CURRENCY,
            "loyalty_program_identifiers": member.loyalty_program_identifiers,
        },
    )
    assert found.status == 200, found.data
    assert found.data["id"] == member.public_id
    assert found.data["balance"] == 250


def test_list_transactions_across_pages(client, owner, member):
    created = {
        client.post("/accruals/standard", accrual(owner, member)).data["id"] for _ in range(5)
    }

    listed = [tx["id"] for tx in client.pages("GET", "/transactions", {"page_size": 2})]
    assert sorted(listed) == sorted(created)  # five items at two a page: three pages

    body = {"loyalty_currency": CURRENCY, "member": member.loyalty_program_identifiers}
    for_member = client.pages("POST", "/members/transactions", {"page_size": 2}, body)
    assert sorted(tx["id"] for tx in for_member) == sorted(created)


def test_cancel_a_pending_accrual(client, owner, member):
    release = (timezone.now() + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    pending = client.post("/accruals/standard", accrual(owner, member, release_date=release))
    assert pending.status == 201, pending.data
    assert pending.data["status"] == "pending"

    cancelled = client.post(f"/transactions/{pending.data['id']}/cancel")
    assert cancelled.status == 200, cancelled.data
    assert cancelled.data["status"] == "cancelled"
    assert client.get(f"/transactions/{pending.data['id']}").data["status"] == "cancelled"


class LossyGateway:
    """A gateway in front of the live server that spoils the first answers to POSTs.

    In turn: it forwards the request and then drops the connection (the answer is lost), it
    forwards and answers 502 (lost again), and it answers 409 without forwarding (as while the
    first attempt is still running); after that it forwards faithfully.
    """

    FAULTS = ("drop", "bad_gateway", "conflict")

    def __init__(self, upstream: str):
        self.upstream = upstream
        self.faults = list(self.FAULTS)
        self.forwarded = 0

    def __call__(self, request):
        fault = self.faults.pop(0) if request.method == "POST" and self.faults else None
        if fault == "conflict":
            body = b'{"errors": [{"message": "Still running.", "field": null, "code": "busy"}]}'
            return WerkzeugResponse(body, status=409, content_type="application/json")
        answer = self.forward(request)
        if fault == "drop":
            request.environ["werkzeug.socket"].shutdown(socket.SHUT_RDWR)
        if fault == "bad_gateway":
            return WerkzeugResponse("Bad gateway", status=502)
        return answer

    def forward(self, request) -> WerkzeugResponse:
        self.forwarded += 1
        headers = {
            name: request.headers[name] for name in FORWARDED_HEADERS if name in request.headers
        }
        query = request.query_string.decode("latin-1")
        upstream = Request(
            self.upstream + request.path + (f"?{query}" if query else ""),
            data=request.get_data() if request.method != "GET" else None,
            headers=headers,
            method=request.method,
        )
        try:
            answer = urlopen(upstream, timeout=10)
        except HTTPError as error:
            answer = error
        with answer:
            headers = {
                name: answer.headers[name] for name in RETURNED_HEADERS if name in answer.headers
            }
            return WerkzeugResponse(answer.read(), status=answer.status, headers=headers)


def test_retried_accrual_with_the_same_key_creates_one_transaction(
    live_server, httpserver, credential, owner, member
):
    gateway = LossyGateway(live_server.url)
    httpserver.expect_request(f"{API}/accruals/standard", method="POST").respond_with_handler(
        gateway
    )
    client = ContractClient(
        httpserver.url_for(API),
        public_key=credential.public_key,
        secret_key=credential.secret_key,
        backoff=0.01,
    )
    body = accrual(owner, member)

    accrued = client.post("/accruals/standard", body, idempotency_key="retry-me")

    assert accrued.attempts == 4
    assert gateway.forwarded == 3
    assert accrued.status == 201, accrued.data
    assert accrued.headers["Idempotency-Repeated"] == "true"
    assert Transaction.objects.filter(external_reference=body["external_reference"]).count() == 1
    assert (
        Transaction.objects.get(external_reference=body["external_reference"]).public_id
        == (accrued.data["id"])
    )
