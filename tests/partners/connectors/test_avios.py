"""The Avios connector against a local HTTP server: the request in the seed's format, and how
each kind of answer is classified (429 with Retry-After, 5xx, business codes, duplicates)."""

import datetime as dt
import json

import pytest
from werkzeug import Response

from loyalty.models import AttemptOutcome, ForwardingRecord
from partners.avios import contract
from partners.connectors.avios import AviosConnector
from partners.services.connectors import connector_set


@pytest.fixture
def record(exchange_to_avios):
    return ForwardingRecord.objects.get(pk=exchange_to_avios(amount=1234).pk)


@pytest.fixture
def avios_connector(avios, httpserver):
    return AviosConnector(
        connector_set(
            loyalty_currency=avios,
            base_url=httpserver.url_for("/"),
            api_key="k" * 24,
            programme_identifier="ATRP",
            external_source="BILL01",
            read_timeout=2.0,
        )
    )


def test_the_request_is_the_seeds_format(httpserver, avios_connector, record):
    seen = {}

    def handler(request):
        seen["query"] = dict(request.args)
        seen["body"] = json.loads(request.data)
        seen["type"] = request.headers["Content-Type"]
        return Response(json.dumps({"identifier": "6425162290813 "}), 201)

    path = "/v1/programmes/ATRP/accounts/3081470000000001/credit-transaction-requests"
    httpserver.expect_request(path, method="POST").respond_with_handler(handler)
    answer = avios_connector.credit(record)
    assert (answer.outcome, answer.http_status, answer.loyalty_system_id) == (
        AttemptOutcome.CONFIRMED,
        201,
        "6425162290813",
    )
    assert seen["query"] == {"api_key": "k" * 24}
    assert seen["type"] == "application/json"
    body = seen["body"]
    assert body["monetaryAmount"] == {"amount": "1234", "currency": {"currencyCode": "AVIOS"}}
    assert body["externalTransactionIdentifier"] == record.reference
    assert record.reference in body["description"]
    assert (body["type"], body["externalSource"]) == ("COLLECTION", "BILL01")
    assert body["person"] == {"name": {"familyName": "Andersen"}}
    # The contract module that validates inbound requests accepts what the connector sends.
    parsed = contract.parse_credit(body, now=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1))
    assert parsed.amount == 1234


@pytest.mark.parametrize(
    ("status", "body", "headers", "outcome", "code", "retry_after"),
    [
        (429, {}, {"Retry-After": "120"}, AttemptOutcome.TRANSIENT, "HTTP_429", 120.0),
        (500, "oops", {}, AttemptOutcome.TRANSIENT, "HTTP_500", None),
        (
            503,
            {"code": "SERVICE_UNAVAILABLE"},
            {},
            AttemptOutcome.TRANSIENT,
            "SERVICE_UNAVAILABLE",
            None,
        ),
        (401, {}, {}, AttemptOutcome.TRANSIENT, "HTTP_401", None),
        (
            400,
            contract.error(contract.ACCOUNT_INVALID).body(),
            {},
            AttemptOutcome.REJECTED,
            "ACCOUNT_INVALID",
            None,
        ),
        (
            400,
            contract.error(contract.MEMBERSHIP_NUMBER_NAME_MISMATCH).body(),
            {},
            AttemptOutcome.REJECTED,
            "MEMBERSHIP_NUMBER_NAME_MISMATCH",
            None,
        ),
        (
            400,
            contract.error(contract.DUPLICATE_TRANSACTION).body(),
            {},
            AttemptOutcome.DUPLICATE,
            "DUPLICATE_TRANSACTION",
            None,
        ),
    ],
)
def test_answers_are_classified(
    httpserver, avios_connector, record, status, body, headers, outcome, code, retry_after
):
    raw = body if isinstance(body, str) else json.dumps(body)
    httpserver.expect_request(
        "/v1/programmes/ATRP/accounts/3081470000000001/credit-transaction-requests"
    ).respond_with_response(Response(raw, status, headers=headers))
    answer = avios_connector.credit(record)
    assert (answer.outcome, answer.http_status, answer.code) == (outcome, status, code)
    assert answer.retry_after == retry_after


def test_a_refused_connection_is_transient(avios, record):
    connector = AviosConnector(
        connector_set(loyalty_currency=avios, base_url="http://127.0.0.1:9", api_key="k" * 24)
    )
    answer = connector.credit(record)
    assert (answer.outcome, answer.http_status, answer.code) == (
        AttemptOutcome.TRANSIENT,
        None,
        "CONNECTION_ERROR",
    )
