"""The exchange report's lines (loyalty.reports.exchanges): filters by currency on either side,
by partner scope, and nothing read before the first batch is asked for."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from loyalty.reports.exchanges import exchange_report_lines
from loyalty.services.accounts import loyalty_currency_create
from loyalty.services.exchanges import exchange_execute
from tests.factories import PartnerFactory
from tests.loyalty.services.exchange_fixtures import *  # noqa: F403


def lines(**filters) -> list[str]:
    return [row[0] for batch in exchange_report_lines(**filters) for row in batch]


def test_filters_by_either_currency_and_by_partner(
    currency, miles, airline, to_miles, rich_member, flyer
):
    exchange_execute(
        partner=airline,
        amount=30,
        origin_loyalty_currency="EXAMPLE_POINTS",
        destination_loyalty_currency="EXAMPLE_MILES",
        origin_member=rich_member.loyalty_program_identifiers,
        destination_member=flyer.loyalty_program_identifiers,
    )
    other = loyalty_currency_create(
        code="OTHER", name="Other", owner=PartnerFactory(), fiat_currency="EUR"
    )
    assert len(lines(loyalty_currency_id=currency.pk)) == 1
    assert len(lines(loyalty_currency_id=miles.pk)) == 1
    assert lines(loyalty_currency_id=other.pk) == []
    assert len(lines(partner_id=airline.pk)) == len(lines(partner_id=currency.owner_id)) == 1
    assert lines(partner_id=other.owner_id) == []
    [line] = lines()
    assert line.endswith(f",{rich_member.membership_id}\r\n")


def test_nothing_is_read_until_the_first_batch(db):
    with CaptureQueriesContext(connection) as queries:
        batches = exchange_report_lines()
    assert len(queries) == 0
    assert list(batches) == []
