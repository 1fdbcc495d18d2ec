"""The exchange report (contract operation 44): one CSV line per exchange, its two
member_exchange transactions side by side, for the partner API and the finance admin.

Rows come from `Exchange` (loyalty.models.exchanges) alone: it links an exchange's origin
transaction (the member's units out) and its destination transaction (the units in, for the
destination member; in an external programme's currency, the member's shadow account there), and
keeps the report's columns from them, written once when the exchange is made. The report is then
one range scan of loyalty_exchange in created_at order (and two tiny joins for the scope), its
cost the size of the period rather than of the ledger. Each line is written by the database
(streaming.csv_line_sql) and read through a server-side cursor, so the web process holds one
batch at a time whatever the report's size.

An exchange the destination programme rejected was refunded to the member (its origin
reversed): it did not happen, and is left out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db import connection

from loyalty.models import Exchange, ExchangePartnership, LoyaltyCurrency
from loyalty.reports.streaming import contract_datetime_sql, csv_line_sql, server_side_sql

# The contract's header, in its order.
HEADER = (
    "created_at",
    "destination_amount",
    "destination_loyalty_currency",
    "destination_id",
    "destination_member",
    "external_reference",
    "origin_amount",
    "origin_loyalty_currency",
    "origin_id",
    "origin_member",
)


# The date, the amounts and the transaction ids never need quoting.
PLAIN_COLUMNS = frozenset({0, 1, 3, 6, 8})


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def exchange_report_statement(
    *,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    partner_id: int | None = None,
    loyalty_currency_id: int | None = None,
) -> tuple[str, list]:
    """The SELECT of the report's CSV lines, oldest exchange first, and its parameters.

    `start` and `end` bound the exchange's created_at (both included); `partner_id` keeps the
    exchanges a partner may see (it owns the origin or the destination currency, or it is the
    exchange partner); `loyalty_currency_id` keeps those with that currency on either side.
    """
    columns = [
        contract_datetime_sql("e.created_at"),
        "e.destination_amount",
        "e.destination_loyalty_currency_code",
        "e.destination_transaction_public_id",
        "e.destination_membership_id",
        "e.external_reference",
        "e.origin_amount",
        "e.origin_loyalty_currency_code",
        "e.origin_transaction_public_id",
        "e.origin_membership_id",
    ]
    where, params = ["NOT e.refunded"], []
    if start is not None:
        where.append("e.created_at >= %s")
        params.append(start)
    if end is not None:
        where.append("e.created_at <= %s")
        params.append(end)
    if partner_id is not None:
        where.append("(p.partner_id = %s OR lc.owner_id = %s OR pc.owner_id = %s)")
        params += [partner_id] * 3
    if loyalty_currency_id is not None:
        where.append("(p.loyalty_currency_id = %s OR p.partner_currency_id = %s)")
        params += [loyalty_currency_id] * 2
    statement = f"""
        SELECT {csv_line_sql(columns, plain=PLAIN_COLUMNS)}
        FROM {_table(Exchange)} e
        JOIN {_table(ExchangePartnership)} p ON p.id = e.partnership_id
        JOIN {_table(LoyaltyCurrency)} lc ON lc.id = p.loyalty_currency_id
        JOIN {_table(LoyaltyCurrency)} pc ON pc.id = p.partner_currency_id
        WHERE {" AND ".join(where)}
        ORDER BY e.created_at, e.id
    """
    return statement, params


def exchange_report_lines(
    *,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    partner_id: int | None = None,
    loyalty_currency_id: int | None = None,
) -> Iterator[list[tuple]]:
    """The report's CSV lines (one-column rows) in batches, through a server-side cursor; for
    streaming.csv_response(..., lines=...). Nothing runs until the first batch is asked for."""
    statement, params = exchange_report_statement(
        start=start, end=end, partner_id=partner_id, loyalty_currency_id=loyalty_currency_id
    )
    return server_side_sql(statement, params)
