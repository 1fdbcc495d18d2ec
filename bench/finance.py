"""Finance reads at scale: the liability report and the streaming CSV over a large ledger.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/loyalty uv run python -m bench.finance [--quick]

On a throwaway database (bench.support) it writes a year of 1,000,000 transactions of one
currency in one INSERT ... SELECT (a bench-only shortcut: rows straight into the table, not
through the ledger, so the stored balances are not kept), then measures:

- the liability report (loyalty.reports.liability) over that year, beside a baseline: one
  plain scan summing the same rows (SELECT count(*), sum(amount)), which any report over all of
  them must at least pay;
- the exchange CSV (contract operation 44: loyalty.reports.exchanges through
  loyalty.reports.streaming, the path GET /reports/exchanges takes: each line written by
  PostgreSQL, read through a server-side cursor, sent as a StreamingHttpResponse) of 100,000
  and of 1,000,000 exchanges, seeded after the liability measure as 1,000,000 Exchange rows
  joining 2,000,000 member_exchange transactions of two other currencies (the same bench-only
  shortcut); rows per second beside a baseline that reads the same lines through the same
  cursor without building the response, and the peak memory (RSS) each export added to a fresh
  process: the goal is at least 100,000 rows/s and under 50 MB more at 1,000,000 rows than at
  100,000.

`--quick` (or BENCH_QUICK=1) uses a tenth of the rows.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import resource
import sys
import time

from bench.support import Figure, django_setup, summary_table, throwaway_database

FULL_ROWS = 1_000_000
SMALL_ROWS = 100_000
MEMBERS = 200
ROWS_GOAL = 100_000  # rows per second
MEMORY_GOAL_MB = 50


def seed(rows: int) -> int:
    """A currency, its mint, a partner account and MEMBERS members; `rows` transactions over
    the last year (accruals, redemptions, expirations). Returns the currency's id."""
    from django.db import connection

    from loyalty.models import Account, Partner, Transaction
    from loyalty.selectors import member_account, mint_account
    from loyalty.services.accounts import loyalty_currency_create, partner_account_get_or_create
    from loyalty.services.members import member_create

    owner = Partner.objects.create(company_name="Bench Air", api_identifier="bench-air")
    currency = loyalty_currency_create(
        code="BENCH_POINTS", name="Bench Points", owner=owner, fiat_currency="EUR"
    )
    mint = mint_account(loyalty_currency=currency)
    partner = partner_account_get_or_create(
        partner=Partner.objects.create(company_name="Bench Shop", api_identifier="bench-shop"),
        loyalty_currency=currency,
        credit_limit=0,
    )
    first = None
    for i in range(MEMBERS):
        member = member_create(
            loyalty_currency=currency,
            loyalty_program_identifiers={"id": f"B{i:06d}"},
            first_name="Bench",
            last_name=f"Member {i}",
        )
        account = member_account(member=member)
        first = first or account.pk
    last = Account.objects.filter(member__isnull=False).order_by("-pk").values("pk")[0]["pk"]
    table = connection.ops.quote_name(Transaction._meta.db_table)
    with connection.cursor() as cursor:
        # Member accounts were created consecutively: g % MEMBERS picks one of them.
        kind = "CASE WHEN g %% 10 < 6 THEN 0 WHEN g %% 10 < 9 THEN 1 ELSE 2 END"
        member = "%(first)s + g %% %(members)s"
        cursor.execute(
            f"INSERT INTO {table} (public_id, loyalty_currency_id, type, sub_type, status, amount, "
            "origin_account_id, destination_account_id, bonus, external_reference, "
            "loyalty_system_id, loyalty_system_data, metadata, reason, reason_code, created_at, "
            "completed_at) "
            f"SELECT 'tx_bench' || g, %(currency)s, "
            f"(ARRAY['accrual', 'redemption', 'loyalty_currency_expiration'])[{kind} + 1], "
            "'', 'completed', 1 + g %% 500, "
            f"CASE {kind} WHEN 0 THEN %(mint)s ELSE {member} END, "
            f"CASE {kind} WHEN 0 THEN {member} WHEN 1 THEN %(partner)s ELSE %(mint)s END, "
            "false, 'order-' || g || ',\"x\"', '', '{}', '{}', '', '', "
            "%(end)s - ((g * 31) %% (365 * 86400)) * interval '1 second', %(end)s "
            "FROM generate_series(1, %(rows)s) AS g",
            {
                "currency": currency.pk,
                "mint": mint.pk,
                "partner": partner.pk,
                "first": first,
                "members": last - first + 1,
                "rows": rows,
                "end": dt.datetime.now(dt.UTC),
            },
        )
        cursor.execute(f"ANALYZE {table}")
    return currency.pk


def seed_exchanges(rows: int) -> None:
    """Two currencies, an exchange partnership between them, MEMBERS members in each and `rows`
    exchanges over the last year: per exchange an origin transaction (member -> the exchange
    partner's account), a destination transaction (the partner's account -> a member of the
    other currency) and the Exchange row joining them, with a reference that needs quoting."""
    from decimal import Decimal

    from django.db import connection

    from loyalty.models import (
        Account,
        Exchange,
        ExchangeDirection,
        ExchangePartnership,
        Member,
        Partner,
        Transaction,
    )
    from loyalty.services.accounts import loyalty_currency_create, partner_account_get_or_create
    from loyalty.services.members import member_create

    owner = Partner.objects.create(company_name="Bench Bank", api_identifier="bench-bank")
    airline = Partner.objects.create(company_name="Bench Miles", api_identifier="bench-miles")
    points = loyalty_currency_create(
        code="XCH_POINTS", name="Exchange Points", owner=owner, fiat_currency="EUR"
    )
    miles = loyalty_currency_create(
        code="XCH_MILES", name="Exchange Miles", owner=airline, fiat_currency="EUR"
    )
    partnership = ExchangePartnership.objects.create(
        partner=airline,
        loyalty_currency=points,
        partner_currency=miles,
        direction=ExchangeDirection.EXCHANGE_OUT,
        conversion_ratio_per_unit=Decimal("0.5"),
    )
    side = {}
    for currency in (points, miles):
        ids = [
            Account.objects.get(
                member=member_create(
                    loyalty_currency=currency,
                    loyalty_program_identifiers={"id": f"{currency.code[4]}{i:06d}"},
                    first_name="Bench",
                    last_name=f"Member {i}",
                )
            ).pk
            for i in range(MEMBERS)
        ]
        account = partner_account_get_or_create(partner=airline, loyalty_currency=currency)
        side[currency.code] = (currency.pk, min(ids), account.pk)
    (p_cur, p_first, p_partner), (m_cur, m_first, m_partner) = side.values()
    tx = connection.ops.quote_name(Transaction._meta.db_table)
    exchange = connection.ops.quote_name(Exchange._meta.db_table)
    account_table = connection.ops.quote_name(Account._meta.db_table)
    member_table = connection.ops.quote_name(Member._meta.db_table)
    columns = (
        "public_id, loyalty_currency_id, type, sub_type, status, amount, origin_account_id, "
        "destination_account_id, bonus, external_reference, loyalty_system_id, "
        "loyalty_system_data, metadata, reason, reason_code, created_at, completed_at"
    )
    when = "%(end)s - ((g * 31) %% (365 * 86400)) * interval '1 second'"
    params = {"rows": rows, "end": dt.datetime.now(dt.UTC), "members": MEMBERS}
    with connection.cursor() as cursor:
        for prefix, currency, origin, destination, amount in (
            ("tx_xo", p_cur, f"{p_first} + g %% %(members)s", p_partner, "2 + 2 * (g %% 500)"),
            ("tx_xd", m_cur, m_partner, f"{m_first} + g %% %(members)s", "1 + g %% 500"),
        ):
            cursor.execute(
                f"INSERT INTO {tx} ({columns}) SELECT '{prefix}' || g, {currency}, "
                f"'member_exchange', '', 'completed', {amount}, {origin}, {destination}, false, "
                f"'ref-' || g || ',\"x\"', '', '{{}}', '{{}}', '', '', {when}, {when} "
                "FROM generate_series(1, %(rows)s) AS g",
                params,
            )
        cursor.execute(
            f"INSERT INTO {exchange} (public_id, partnership_id, origin_transaction_id, "
            "destination_transaction_id, external_reference, created_by_partner_id, created_at, "
            "origin_amount, origin_loyalty_currency_code, origin_transaction_public_id, "
            "origin_membership_id, destination_amount, destination_loyalty_currency_code, "
            "destination_transaction_public_id, destination_membership_id, refunded) "
            f"SELECT 'xch_bench' || g, {partnership.pk}, o.id, d.id, 'ref-' || g || ',\"x\"', "
            f"{airline.pk}, {when}, o.amount, '{points.code}', o.public_id, om.membership_id, "
            f"d.amount, '{miles.code}', d.public_id, dm.membership_id, false "
            f"FROM generate_series(1, %(rows)s) AS g "
            f"JOIN {tx} o ON o.public_id = 'tx_xo' || g JOIN {tx} d ON d.public_id = 'tx_xd' || g "
            f"JOIN {account_table} oa ON oa.id = o.origin_account_id "
            f"JOIN {member_table} om ON om.id = oa.member_id "
            f"JOIN {account_table} da ON da.id = d.destination_account_id "
            f"JOIN {member_table} dm ON dm.id = da.member_id",
            params,
        )
        cursor.execute(f"ANALYZE {tx}")
        cursor.execute(f"ANALYZE {exchange}")


def _report(rows: int):
    """The exchange report (every partner's) of the range holding the newest `rows` exchanges,
    as a finance user asks for a period."""
    from loyalty.models import Exchange
    from loyalty.reports.exchanges import exchange_report_lines

    start = Exchange.objects.order_by("-created_at").values_list("created_at", flat=True)[rows - 1]
    return exchange_report_lines(start=start)


def _stream(rows: int, mode: str) -> tuple[int, float, int, int]:
    """In a fresh (forked) process: read `rows` lines of the exchange report (mode "fetch": the
    cursor alone; "report": the StreamingHttpResponse the API sends); (rows, seconds, bytes,
    added KB)."""
    from django.db import connections

    from loyalty.reports.exchanges import HEADER as REPORT_HEADER
    from loyalty.reports.streaming import csv_response

    connections.close_all()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    count = size = 0
    source = _report(rows)
    if mode == "report":
        for chunk in csv_response("exchanges.csv", REPORT_HEADER, lines=source).streaming_content:
            size += len(chunk)
            count += chunk.count(b"\r\n")
        count -= 1  # the header
    else:
        for batch in source:
            count += len(batch)
    seconds = time.perf_counter() - started
    added = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    connections.close_all()
    return count, seconds, size, added


def _in_child(rows: int, mode: str) -> tuple[int, float, int, int]:
    from django.db import connections

    connections.close_all()  # a forked child must not share the parent's connection
    context = multiprocessing.get_context("fork")
    with context.Pool(1) as pool:
        return pool.apply(_stream, (rows, mode))


def run(quick: bool, progress=print) -> tuple[list[Figure], list[tuple[str, str]]]:
    from django.db import connection

    from loyalty.models import LoyaltyCurrency
    from loyalty.reports.liability import liability_report

    full = FULL_ROWS // 10 if quick else FULL_ROWS
    small = SMALL_ROWS // 10 if quick else SMALL_ROWS
    started = time.perf_counter()
    currency_id = seed(full)
    progress(f"seeded {full:,} transactions in {time.perf_counter() - started:.1f} s")
    currency = LoyaltyCurrency.objects.get(pk=currency_id)

    end = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)
    start = end - dt.timedelta(days=365)
    with connection.cursor() as cursor:
        t0 = time.perf_counter()
        cursor.execute("SELECT count(*), sum(amount) FROM loyalty_transaction")
        cursor.fetchone()
        scan = time.perf_counter() - t0
    t0 = time.perf_counter()
    report = liability_report(
        start=start - dt.timedelta(days=1), end=end, loyalty_currency=currency
    )
    seconds = time.perf_counter() - t0
    closing = report[0].total.closing
    figures = [
        Figure(
            f"liability report, {full:,} transactions",
            seconds * 1000,
            "ms",
            "a plain scan",
            seconds / scan if scan else None,
        ),
    ]
    progress(figures[-1].line(52))
    notes = [
        ("liability closing (units)", f"{closing:,}"),
        ("plain scan", f"{scan * 1000:,.0f} ms"),
    ]

    started = time.perf_counter()
    seed_exchanges(full)
    progress(f"seeded {full:,} exchanges in {time.perf_counter() - started:.1f} s")
    memory = {}
    for rows in (small, full):
        fetched, fetch_seconds, _, _ = _in_child(rows, "fetch")
        fetch_rate = fetched / fetch_seconds
        count, seconds, size, added = _in_child(rows, "report")
        assert count == fetched and rows <= count < rows * 1.01, (count, fetched, rows)
        rate = count / seconds
        memory[rows] = added / 1024
        figure = Figure(
            f"exchange CSV, {rows:,} rows",
            rate,
            "rows/s",
            "cursor fetch alone",
            rate / fetch_rate,
            f">= {ROWS_GOAL:,} rows/s",
            rate >= ROWS_GOAL,
        )
        figures.append(figure)
        progress(figure.line(52))
        notes.append(
            (
                f"exchange CSV {rows:,} rows: peak memory added",
                f"{added / 1024:,.1f} MB ({size / 1e6:,.0f} MB of CSV)",
            )
        )
        notes.append((f"cursor fetch alone, {rows:,} rows", f"{fetch_rate:,.0f} rows/s"))
    growth = memory[full] - memory[small]
    figures.append(
        Figure(
            f"exchange CSV memory growth, {small:,} -> {full:,} rows",
            growth,
            "MB",
            goal=f"< {MEMORY_GOAL_MB} MB",
            met=growth < MEMORY_GOAL_MB,
        )
    )
    progress(figures[-1].line(52))
    return figures, notes


def _run(quick: bool, base_url: str) -> None:
    with throwaway_database(base_url) as url:
        django_setup(url)
        print(f"Finance benchmark on database {url.rsplit('/', 1)[-1]}.", flush=True)
        figures, notes = run(quick, lambda line: print("  " + line, flush=True))
    print()
    print(summary_table(figures, notes), flush=True)


def run_spawned(quick: bool) -> None:
    """Run the benchmark in a fresh interpreter (spawned: it configures Django for its own
    throwaway database, whatever the caller has configured)."""
    base_url = os.environ.get("DATABASE_URL", "")
    context = multiprocessing.get_context("spawn")
    process = context.Process(target=_run, args=(quick, base_url))
    process.start()
    process.join()
    if process.exitcode:
        raise SystemExit(f"the finance benchmark failed (exit code {process.exitcode})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.finance", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        default=os.environ.get("BENCH_QUICK", "") not in {"", "0"},
        help="a tenth of the rows",
    )
    args = parser.parse_args(argv)
    base_url = os.environ.get("DATABASE_URL", "")
    if not base_url:
        parser.error("set DATABASE_URL to a PostgreSQL server")
    _run(args.quick, base_url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
