"""The exchange report (contract operation 44): one CSV line per exchange, its two
member_exchange transactions side by side, for the partner API and the finance admin.

Rows come from `Exchange` (loyalty.models.exchanges), which links an exchange's origin
transaction (the member's units out) and its destination transaction (the units in, for the
destination member; in an external programme's currency, the member's shadow account there).
Each line is written by the database (streaming.csv_line_sql) and read through a server-side
cursor planned for the whole result (hash joins, then one sort by created_at: several times
faster in total than joining row by row in index order, which would send the first line sooner),
so the web process holds one batch at a time whatever the report's size.

An exchange the destination programme rejected was refunded to the member (its origin
reversed): it did not happen, and is left out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db import connection

from loyalty.models import (
    Account,
    Exchange,
    LoyaltyCurrency,
    Member,
    Transaction,
    TransactionStatus,
)
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
        "d.amount",
        "dc.code",
        "d.public_id",
        "dm.membership_id",
        "e.external_reference",
        "o.amount",
        "oc.code",
        "o.public_id",
        "om.membership_id",
    ]
    where, params = ["d.status <> %s"], [TransactionStatus.REJECTED.value]
    if start is not None:
        where.append("e.created_at >= %s")
        params.append(start)
    if end is not None:
        where.append("e.created_at <= %s")
        params.append(end)
    if partner_id is not None:
        where.append("(p.partner_id = %s OR oc.owner_id = %s OR dc.owner_id = %s)")
        params += [partner_id] * 3
    if loyalty_currency_id is not None:
        where.append("(o.loyalty_currency_id = %s OR d.loyalty_currency_id = %s)")
        params += [loyalty_currency_id] * 2
    partnership = connection.ops.quote_name(
        Exchange._meta.get_field("partnership").related_model._meta.db_table
    )
    statement = f"""
        SELECT {csv_line_sql(columns, plain=PLAIN_COLUMNS)}
        FROM {_table(Exchange)} e
        JOIN {partnership} p ON p.id = e.partnership_id
        JOIN {_table(Transaction)} o ON o.id = e.origin_transaction_id
        JOIN {_table(Transaction)} d ON d.id = e.destination_transaction_id
        JOIN {_table(LoyaltyCurrency)} oc ON oc.id = o.loyalty_currency_id
        JOIN {_table(LoyaltyCurrency)} dc ON dc.id = d.loyalty_currency_id
        JOIN {_table(Account)} oa ON oa.id = o.origin_account_id
        JOIN {_table(Account)} da ON da.id = d.destination_account_id
        LEFT JOIN {_table(Member)} om ON om.id = oa.member_id
        LEFT JOIN {_table(Member)} dm ON dm.id = da.member_id
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
