"""The exchange CSV (contract operation 44, partners/api/reports.py ExchangeReportView): the
contract's header and quoting byte for byte, the range, scope, bad input, and a stream."""

import datetime as dt

import pytest
import time_machine
from django.http import StreamingHttpResponse

from loyalty.models import Exchange, ForwardingRecord
from loyalty.services.exchanges import exchange_execute
from loyalty.services.forwarding import forwarding_give_up
from tests.factories import PartnerFactory
from tests.loyalty.services.exchange_fixtures import *  # noqa: F403
from tests.partners.api.conftest import signed_client_for

HEADER = (
    b"created_at,destination_amount,destination_loyalty_currency,destination_id,"
    b"destination_member,external_reference,origin_amount,origin_loyalty_currency,origin_id,"
    b"origin_member\r\n"
)
MARCH_4 = dt.datetime(2019, 3, 4, 11, 50, 3, 250_000, tzinfo=dt.UTC)


def exchange(partner, member, flyer, *, amount=20, reference="foo", destination="EXAMPLE_MILES"):
    return exchange_execute(
        partner=partner,
        amount=amount,
        origin_loyalty_currency="EXAMPLE_POINTS",
        destination_loyalty_currency=destination,
        origin_member=member.loyalty_program_identifiers,
        destination_member=flyer,
        external_reference=reference,
    ).exchange


def body(response) -> bytes:
    assert isinstance(response, StreamingHttpResponse)
    return b"".join(response.streaming_content)


@pytest.fixture
def march_exchange(airline, to_miles, rich_member, flyer):
    with time_machine.travel(MARCH_4, tick=False):
        return exchange(airline, rich_member, flyer.loyalty_program_identifiers)


def test_a_row_as_the_contract_writes_it(owner_client, march_exchange, rich_member, flyer):
    response = owner_client.get("/reports/exchanges", {"created_at__range": "2019-03-01"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    origin, destination = march_exchange.origin_transaction, march_exchange.destination_transaction
    assert (
        body(response)
        == HEADER
        + (
            f"2019-03-04T11:50:03+0000,10,EXAMPLE_MILES,{destination.public_id},"
            f"{flyer.membership_id},foo,20,EXAMPLE_POINTS,{origin.public_id},"
            f"{rich_member.membership_id}\r\n"
        ).encode()
    )


def test_quoting_keeps_a_row_whole(owner_client, airline, to_miles, rich_member, flyer):
    exchange(airline, rich_member, flyer.loyalty_program_identifiers, reference='a,b "c"\nd')
    lines = body(owner_client.get("/reports/exchanges")).split(b"\r\n")
    assert lines[0] + b"\r\n" == HEADER
    assert b',"a,b ""c""\nd",20,' in lines[1]
    assert lines[2:] == [b""]


def test_the_range_bounds_the_rows_and_an_empty_one_is_the_header_alone(
    owner_client, airline, to_miles, rich_member, flyer, march_exchange
):
    with time_machine.travel(MARCH_4 + dt.timedelta(days=31), tick=False):
        april = exchange(airline, rich_member, flyer.loyalty_program_identifiers, reference="apr")
    both = body(owner_client.get("/reports/exchanges", {"created_at__range": "2019-03-01"}))
    assert both.count(b"\r\n") == 3 and both.index(b",foo,") < both.index(b",apr,")
    march = body(
        owner_client.get("/reports/exchanges", {"created_at__range": "2019-03-01,2019-03-04"})
    )
    assert b",foo," in march and april.origin_transaction.public_id.encode() not in march
    empty = owner_client.get("/reports/exchanges", {"created_at__range": "2018-01-01,2018-12-31"})
    assert empty.status_code == 200 and body(empty) == HEADER


def test_a_partner_sees_its_currencies_and_its_exchanges_only(
    owner_client, airline, march_exchange
):
    reference = march_exchange.origin_transaction.public_id.encode()
    assert reference in body(owner_client.get("/reports/exchanges"))  # owns the origin
    assert reference in body(signed_client_for(airline).get("/reports/exchanges"))  # partner
    stranger = signed_client_for(PartnerFactory())
    assert body(stranger.get("/reports/exchanges")) == HEADER


def test_a_rejected_exchange_is_left_out(
    owner_client, programme, to_avios, rich_member, ledger_balances
):
    identifiers = {"id": "1234567890123456", "family_name": "Smith"}
    rejected = exchange(programme, rich_member, identifiers, reference="no", destination="AVIOS")
    kept = exchange(programme, rich_member, identifiers, reference="yes", destination="AVIOS")
    forwarding_give_up(record=ForwardingRecord.objects.get(exchange=rejected), reason="test")
    csv = body(owner_client.get("/reports/exchanges"))
    assert b",yes," in csv and b",no," not in csv
    assert kept.destination_transaction.public_id.encode() in csv
    assert b",1234567890123456," in csv  # the member's number in the programme
    ledger_balances()


@pytest.mark.parametrize(
    "value", ["yesterday", "2019-03-05,2019-03-01", "2019-13-01", "2019-03-01,x,y"]
)
def test_a_bad_range_is_a_400_in_the_error_shape(owner_client, value):
    response = owner_client.get(
        "/reports/exchanges", {"created_at__range": value}, Accept="text/csv"
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["errors"][0]["field"] == "created_at__range"


def test_unsigned_is_a_401(client, march_exchange):
    response = client.get("/public/v3.0/reports/exchanges")
    assert response.status_code == 401
    assert Exchange.objects.count() == 1
