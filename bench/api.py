"""The partner API under load: signed requests served by gunicorn on PostgreSQL, beside a baseline.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/loyalty REDIS_URL=redis://127.0.0.1:6379/15 \
    uv run python -m bench.api [--quick]

DATABASE_URL only says which server to use: the benchmark creates loyalty_bench_<pid> there,
seeds it, serves it with gunicorn (the production configuration, loyalty/gunicorn.py, with
DJANGO_SETTINGS_MODULE=bench.settings) on a free loopback port and drops it at the end. The load
generator (bench/load.py) runs beside it; every figure comes with the CPU milliseconds one
request cost in the web workers and in PostgreSQL.

The endpoints, each request signed as the contract says, with a fresh Idempotency-Key and to a
member no other request touches:

- baseline: POST /bench/baseline (bench/baseline.py), a bare DRF view doing one INSERT and one
  UPDATE in a transaction on the same server and database, with none of the API's logic;
- accrual, many partners: POST /public/v3.0/accruals/standard, each request from one of
  PARTNERS issuing partners in turn; accrual, one partner: all from the same one;
- purchase trigger: POST .../purchase-rules/trigger against the currency's 10 purchase rules, of
  which one fires (one capped rule among the others, whose awards are read);
- activity trigger: POST .../activity-rules/trigger for an activity whose one rule fires.

Saturation measures run in ROUNDS interleaved rounds (baseline, accruals from many, from one,
purchase trigger, activity trigger, then the same in reverse, and again), so that a change in the
machine's load touches every endpoint alike; each figure sums its rounds. Then the accrual at a
fixed 50 requests per second (open loop: p50 and p99), the SQL statements of one request of each
endpoint, and the signed GET /transactions?page_size=50 of one issuing partner with 100,000 and
with 1,000,000 transactions in the table (others' rows: the partner's own stay the same): the
PostgreSQL CPU of one request must stay flat, and the number of statements must not depend on the
page size.

Django is configured only once the throwaway database exists, so the functions that need the
project's models import them where they run.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import itertools
import json
import multiprocessing
import os
import re
import statistics
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from bench.load import Call, Outcome, Server, cpu_seconds, drive, gunicorn
from bench.support import django_setup, production_keys, throwaway_database

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/loyalty"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"
API = "/public/v3.0"
ACCRUALS = f"{API}/accruals/standard"
TRIGGER = f"{API}/accruals/purchase-rules/trigger"
ACTIVITY = f"{API}/accruals/activity-rules/trigger"
BASELINE = "/bench/baseline"
CURRENCY = "BENCH_POINTS"
AMOUNT = 10
PARTNERS = 20
ACTIVITY_ID = "check_in"
# The triggered purchase, which the seeded rules judge (see purchase_rules_create).
PURCHASE_AMOUNT = 10
PURCHASE_TAGS = ["store"]
PURCHASE_METADATA = {"store": "paris-1", "category": "food"}

GOALS = {
    "accrual / baseline": 0.7,
    "purchase trigger / accrual": 0.6,
    "activity trigger / accrual": 0.6,
    "accrual one partner / many": 0.9,
}
STATEMENTS_GOAL = 8
LISTING_FLATNESS_GOAL = 1.2
FIXED_RATE = 50

# Two cores: two processes of four threads each. A request spends part of its time waiting on
# PostgreSQL and Redis; the threads use the core meanwhile (bench.run measures the choice).
WORKERS, THREADS = 2, 4
CONNECTIONS = 10
ROUNDS = 4  # even: see saturation


@dataclass(frozen=True)
class Scale:
    """How much the benchmark sends; each saturation burst stops at its count or time cap."""

    warmup: int
    burst: int
    burst_cap: float
    rate_seconds: float
    listing_rows: tuple[int, int]

    @property
    def fixed_rate_requests(self) -> int:
        return round(FIXED_RATE * self.rate_seconds)


FULL = Scale(
    warmup=200, burst=1_000, burst_cap=30.0, rate_seconds=20.0, listing_rows=(100_000, 1_000_000)
)
QUICK = Scale(
    warmup=60, burst=250, burst_cap=15.0, rate_seconds=6.0, listing_rows=(10_000, 100_000)
)


# The seeded programme ---------------------------------------------------------------------


@dataclass(frozen=True)
class Signer:
    partner_id: str  # part_...
    public_key: str
    secret_key: str


@dataclass
class Cast:
    """The partners that sign requests and the members no request has touched yet."""

    signers: list[Signer]
    owner: Signer
    membership_ids: Iterator[str]

    def members(self, count: int) -> list[str]:
        taken = list(itertools.islice(self.membership_ids, count))
        if len(taken) < count:
            raise RuntimeError("The benchmark ran out of seeded members.")
        return taken


def cast_create(members: int) -> Cast:
    """Seed the currency, PARTNERS issuing partners with a credential each, the baseline's two
    accounts, the rules and `members` members with their accounts (in bulk: member_create one at
    a time would take longer than the measurements).

    Rate limits are far above anything the run sends, so the throttle does all of its work on
    every request but never refuses one.
    """
    from bench.baseline import DESTINATION_PUBLIC_ID, ORIGIN_PUBLIC_ID
    from loyalty.models import Account, ActivityRule, Member, Partner, Partnership, PartnershipType
    from loyalty.services.accounts import loyalty_currency_create, partner_account_get_or_create
    from partners.services.credentials import credential_create

    owner = Partner.objects.create(
        company_name="Bench Owner", api_identifier="bench-owner", api_rate_limit=2**31 - 1
    )
    currency = loyalty_currency_create(
        code=CURRENCY, name="Bench Points", owner=owner, fiat_currency="EUR"
    )
    signers = []
    for number in range(PARTNERS):
        issuer = Partner.objects.create(
            company_name=f"Bench Issuer {number}",
            api_identifier=f"bench-issuer-{number}",
            api_rate_limit=2**31 - 1,
        )
        partner_account_get_or_create(
            partner=issuer, loyalty_currency=currency, credit_limit=100 * members * AMOUNT
        )
        Partnership.objects.create(
            partner=issuer, loyalty_currency=currency, type=PartnershipType.ISSUING
        )
        issued = credential_create(partner=issuer, label="bench")
        signers.append(Signer(issuer.public_id, issued.public_key, issued.secret_key))
    issued = credential_create(partner=owner, label="bench")
    purchase_rules_create(currency)
    ActivityRule.objects.create(
        loyalty_currency=currency, name="Check-in", activity=ACTIVITY_ID, points=25
    )
    Account.objects.bulk_create(
        Account(public_id=public_id, partner=owner, loyalty_currency=currency)
        for public_id in (ORIGIN_PUBLIC_ID, DESTINATION_PUBLIC_ID)
    )
    membership_ids = [f"B{i:07d}" for i in range(members)]
    created = Member.objects.bulk_create(
        Member(
            loyalty_currency=currency,
            membership_id=membership_id,
            loyalty_program_identifiers={"id": membership_id},
            first_name="Bench",
            last_name=membership_id,
        )
        for membership_id in membership_ids
    )
    Account.objects.bulk_create(
        Account(member=member, loyalty_currency=currency, credit_limit=0) for member in created
    )
    return Cast(
        signers=signers,
        owner=Signer(owner.public_id, issued.public_key, issued.secret_key),
        membership_ids=iter(membership_ids),
    )


def purchase_rules_create(currency) -> None:
    """Ten enabled EUR rules of `currency`. For the bench purchase (PURCHASE_AMOUNT EUR, tag
    "store", store paris-1, category food) one fires (a point per euro); the other nine do not:
    a tag, a minimum, a maximum, two metadata values, another tag with a member cap per month
    (so the member's capped totals are still read), and three more tags."""
    from loyalty.models import PurchaseRule, PurchaseRuleMetadataMatch

    def rule(name: str, *, matches: dict[str, str] | None = None, **fields) -> None:
        created = PurchaseRule.objects.create(
            loyalty_currency=currency, name=name, fiat_currency="EUR", **fields
        )
        for key, value in (matches or {}).items():
            PurchaseRuleMetadataMatch.objects.create(rule=created, key=key, value=value)

    rule("Every purchase", points_per_unit=1)
    rule("Online", tags=["online"], points_per_unit=5)
    rule("From 100 EUR", min_amount=100, points_per_unit=3)
    rule("Up to 5 EUR", max_amount=5, points_per_unit=2)
    rule("Books", matches={"category": "books"}, points_per_unit=4)
    rule("Lyon", matches={"store": "lyon-2"}, points_per_unit=2)
    rule(
        "Monthly app bonus",
        tags=["app"],
        points_per_unit=1,
        max_points_per_member=1_000,
        member_cap_period="month",
    )
    rule("Travel", tags=["travel"], points_per_unit=2)
    rule("Fuel", tags=["fuel"], points_per_unit=2)
    rule("Partner week", tags=["partner-week"], points_per_unit=3)


# Requests ---------------------------------------------------------------------------------


def _signed(signer: Signer, method: str, path: str, body: dict, expected: int) -> Call:
    from partners.api.authentication import sign

    raw = json.dumps(body, separators=(",", ":")).encode()
    signature = sign(signer.secret_key, raw)
    headers = {
        "Content-Type": "application/json",
        "Authorization": f"Credential={signer.public_key}, Signature={signature}",
        "Idempotency-Key": uuid.uuid4().hex,
    }
    return Call(method, path, raw, headers, expected)


def accrual_calls(cast: Cast, count: int, *, partners: Sequence[Signer]) -> list[Call]:
    """`count` signed accruals, each to a member of its own, from `partners` in turn."""
    turn = itertools.cycle(partners)
    calls = []
    for membership_id in cast.members(count):
        signer = next(turn)
        body = {
            "amount": AMOUNT,
            "loyalty_currency": CURRENCY,
            "member": {"id": membership_id},
            "origin": signer.partner_id,
        }
        calls.append(_signed(signer, "POST", ACCRUALS, body, 201))
    return calls


def trigger_calls(cast: Cast, count: int) -> list[Call]:
    """`count` purchase triggers (answered 200) from the partners in turn."""
    turn = itertools.cycle(cast.signers)
    body = {
        "fiat_amount": PURCHASE_AMOUNT,
        "fiat_currency": "EUR",
        "loyalty_currency": CURRENCY,
        "tags": PURCHASE_TAGS,
        "metadata": PURCHASE_METADATA,
    }
    return [
        _signed(next(turn), "POST", TRIGGER, {**body, "member": {"id": m}}, 200)
        for m in cast.members(count)
    ]


def activity_calls(cast: Cast, count: int) -> list[Call]:
    """`count` activity triggers (answered 200) from the partners in turn."""
    turn = itertools.cycle(cast.signers)
    body = {"activity_ids": [ACTIVITY_ID], "loyalty_currency": CURRENCY}
    return [
        _signed(next(turn), "POST", ACTIVITY, {**body, "member": {"id": m}}, 200)
        for m in cast.members(count)
    ]


def baseline_calls(count: int) -> list[Call]:
    body = json.dumps({"amount": AMOUNT}).encode()
    return [Call("POST", BASELINE, body, {"Content-Type": "application/json"})] * count


def listing_call(signer: Signer, page_size: int) -> Call:
    from partners.api.authentication import sign

    query = f"page_size={page_size}"
    signature = sign(signer.secret_key, query.encode())
    headers = {"Authorization": f"Credential={signer.public_key}, Signature={signature}"}
    return Call("GET", f"{API}/transactions?{query}", b"", headers, 200)


# Statements of one request ------------------------------------------------------------------


def _client_send(client, call: Call):
    headers = {k: v for k, v in call.headers.items() if k != "Content-Type"}
    if call.method == "GET":
        response = client.get(call.path, headers=headers)
    else:
        response = client.post(
            call.path, data=call.body, content_type="application/json", headers=headers
        )
    if response.status_code != call.expected:
        raise RuntimeError(f"{call.path} answered {response.status_code}: {response.content}")
    return response


def statements(calls: Sequence[Call]) -> list[tuple[str, float]]:
    """(SQL, seconds) of the last of `calls`, each sent in-process with django.test.Client.

    The ones before it warm up what a long-running worker has warm (the per-process reference
    cache, the baseline's account ids, the credential's last-used stamp).
    """
    from django.db import connection
    from django.test import Client

    client = Client()
    *warmup, last = calls
    for call in warmup:
        _client_send(client, call)
    captured: list[tuple[str, float]] = []

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            captured.append((sql, time.perf_counter() - started))

    with connection.execute_wrapper(timed):
        _client_send(client, last)
    return captured


def _with_transaction_boundaries(captured: list[tuple[str, float]], guarded: bool) -> list[str]:
    """The statements as PostgreSQL receives them: a guarded request (POST) opens and commits a
    transaction around them, which the execute wrapper does not see."""
    sql = [statement for statement, _ in captured]
    return ["BEGIN", *sql, "COMMIT"] if guarded else sql


# The listing at two table sizes -------------------------------------------------------------


def filler_insert(count: int) -> None:
    """Add `count` completed accruals from the owner's mint to the first seeded members, in one
    statement: rows the measured partner may not see (balances are left alone: the benchmark's
    database is thrown away, and ledger_check is not run on it)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO loyalty_transaction (public_id, loyalty_currency_id, type, sub_type,
                status, amount, origin_account_id, destination_account_id, bonus,
                external_reference, loyalty_system_id, loyalty_system_data, metadata, reason,
                reason_code, created_at, completed_at, created_by_partner_id)
            SELECT 'tx_f' || substr(md5(random()::text || n), 1, 19), mint.loyalty_currency_id,
                'accrual',
                'standard', 'completed', 10, mint.id, member_account.id, false, '', '', '{}',
                '{}', '', '', now() - n * interval '1 second', now() - n * interval '1 second',
                mint.partner_id
            FROM generate_series(1, %s) AS n
            JOIN loyalty_account mint ON mint.is_default AND mint.partner_id = (
                SELECT owner_id FROM loyalty_loyaltycurrency WHERE code = %s)
            JOIN LATERAL (SELECT id FROM loyalty_account WHERE member_id IS NOT NULL
                ORDER BY id OFFSET (n %% 1000) LIMIT 1) AS member_account ON true
            """,
            [count, CURRENCY],
        )
        # As autovacuum leaves a table in production (visibility map and statistics), and so
        # that it does not start on these rows while the listing is timed.
        cursor.execute("VACUUM (ANALYZE) loyalty_transaction")


def transaction_rows() -> int:
    from loyalty.models import Transaction

    return Transaction.objects.count()


def listing_db_ms(signer: Signer, *, repeats: int = 60) -> tuple[float, float, int]:
    """One signed GET /transactions?page_size=50, sent `repeats` times: the PostgreSQL backend's
    CPU per request in ms (read from /proc over all of them), the median time of its statements
    in ms (timed from the client's side: execution and round trip), and its statements.

    The flatness goal is judged on the backend's CPU: on a shared two-core host the statements'
    wall time moves by a third from one minute to the next at the same table size (other
    processes, the checkpoint after the filler's rows), while the CPU the statements cost does
    not.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (backend,) = cursor.fetchone()
    statements([listing_call(signer, 50)] * 2)  # plans, caches and pages warm
    per_request = []
    count = 0
    cpu_before = cpu_seconds(backend)
    for _ in range(repeats):
        captured = statements([listing_call(signer, 50)])
        per_request.append(1000 * sum(seconds for _, seconds in captured))
        count = len(captured)
    cpu_ms = 1000 * (cpu_seconds(backend) - cpu_before) / repeats
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        if cursor.fetchone()[0] != backend:
            raise RuntimeError("The listing's requests changed PostgreSQL connection.")
    return cpu_ms, statistics.median(per_request), count


# The run ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Goal:
    goal: str
    value: float
    met: bool


def _report(label: str, outcome: Outcome) -> Outcome:
    print(
        f"  {label:<34} {outcome.throughput:7,.0f} req/s   p50 {outcome.percentile_ms(0.5):6.1f}"
        f" ms   p99 {outcome.percentile_ms(0.99):6.1f} ms   CPU web "
        f"{outcome.cpu_ms(outcome.web_cpu):5.1f} ms, db {outcome.cpu_ms(outcome.db_cpu):4.1f} ms"
        f"   {len(outcome.latencies):,} of {outcome.planned:,}",
        flush=True,
    )
    if outcome.failures:
        print(f"    failures {dict(outcome.failures)}; first: {outcome.failure_sample}", flush=True)
    return outcome


def saturation(server: Server, cast: Cast, scale: Scale) -> dict[str, Outcome]:
    """The five endpoints at saturation, interleaved over ROUNDS rounds, every other round in
    the reverse order: the server slows as its tables grow, and an endpoint always measured
    after another would lose to it by that drift alone (with an even number of rounds, each
    endpoint's mean position in the run is the same)."""
    makers: dict[str, Callable[[int], list[Call]]] = {
        "baseline": baseline_calls,
        "accrual, many partners": lambda n: accrual_calls(cast, n, partners=cast.signers),
        "accrual, one partner": lambda n: accrual_calls(cast, n, partners=cast.signers[:1]),
        "purchase trigger": lambda n: trigger_calls(cast, n),
        "activity trigger": lambda n: activity_calls(cast, n),
    }
    for make in makers.values():  # every path warm in every worker before anything counts
        drive(server, make(scale.warmup), connections=CONNECTIONS, cap=scale.burst_cap)
    totals: dict[str, Outcome] = {}
    for number in range(1, ROUNDS + 1):
        order = list(makers.items())
        for name, make in order if number % 2 else reversed(order):
            outcome = drive(server, make(scale.burst), connections=CONNECTIONS, cap=scale.burst_cap)
            _report(f"round {number}: {name}", outcome)
            totals[name] = totals[name].merge(outcome) if name in totals else outcome
    return totals


def goals_of(totals: dict[str, Outcome], fixed: Outcome, sql_count: int, listing) -> dict:
    rate = {name: outcome.throughput for name, outcome in totals.items()}
    ratios = {
        "accrual / baseline": rate["accrual, many partners"] / rate["baseline"],
        "purchase trigger / accrual": rate["purchase trigger"] / rate["accrual, many partners"],
        "activity trigger / accrual": rate["activity trigger"] / rate["accrual, many partners"],
        "accrual one partner / many": rate["accrual, one partner"] / rate["accrual, many partners"],
    }
    verdicts = {
        name: Goal(f">= {GOALS[name]}", value, value >= GOALS[name])
        for name, value in ratios.items()
    }
    verdicts["SQL statements per accrual"] = Goal(
        f"<= {STATEMENTS_GOAL}", sql_count, sql_count <= STATEMENTS_GOAL
    )
    (small, small_ms, *_), (large, large_ms, *_), pages = listing
    flat = large_ms / small_ms
    verdicts[f"listing db CPU {large:,} / {small:,} rows"] = Goal(
        f"<= {LISTING_FLATNESS_GOAL}", flat, flat <= LISTING_FLATNESS_GOAL
    )
    verdicts["listing statements, page_size 10 and 500"] = Goal(
        "equal", pages[1], pages[0] == pages[1]
    )
    failures = sum(o.failed for o in totals.values()) + fixed.failed
    verdicts["failed requests"] = Goal("0", failures, failures == 0)
    return verdicts


def table(totals: dict[str, Outcome], fixed: Outcome) -> str:
    rows = [("measure", "req/s", "p50 ms", "p99 ms", "web CPU ms", "db CPU ms")]
    for name, outcome in [*totals.items(), (f"accrual at {FIXED_RATE}/s", fixed)]:
        rows.append(
            (
                name,
                f"{outcome.throughput:,.0f}",
                f"{outcome.percentile_ms(0.5):.1f}",
                f"{outcome.percentile_ms(0.99):.1f}",
                f"{outcome.cpu_ms(outcome.web_cpu):.2f}",
                f"{outcome.cpu_ms(outcome.db_cpu):.2f}",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(
            c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True))
        )
        for r in rows
    ]
    return "\n".join([lines[0], "-" * len(lines[0]), *lines[1:]])


def abbreviated(statement: str) -> str:
    """A statement with its column and value lists elided, which say nothing about its cost."""
    statement = re.sub(r"^SELECT .+? FROM ", "SELECT … FROM ", statement)
    statement = re.sub(
        r"(INSERT INTO \S+) \(.+?\) (VALUES|SELECT) .+? (RETURNING|WHERE|ON)",
        r"\1 (…) \2 … \3",
        statement,
    )
    return statement[:240]


def _run(*, quick: bool, base_url: str, redis_url: str, workers: int, threads: int) -> dict:
    os.environ["REDIS_URL"] = redis_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    production_keys()
    scale = QUICK if quick else FULL
    started = time.perf_counter()
    with throwaway_database(base_url) as url:
        django_setup(url)
        name = url.rsplit("/", 1)[-1]
        members = (5 * (scale.warmup + ROUNDS * scale.burst) + scale.fixed_rate_requests) + 100
        print(f"API benchmark on database {name}: seeding {members:,} members.", flush=True)
        cast = cast_create(members)
        sql = {
            "accrual": _with_transaction_boundaries(
                statements(accrual_calls(cast, 3, partners=cast.signers[:1])), True
            ),
            "baseline": _with_transaction_boundaries(statements(baseline_calls(3)), True),
            "purchase trigger": _with_transaction_boundaries(
                statements(trigger_calls(cast, 3)), True
            ),
            "activity trigger": _with_transaction_boundaries(
                statements(activity_calls(cast, 3)), True
            ),
        }
        with gunicorn(url, workers=workers, threads=threads) as server:
            print(f"gunicorn: {workers} workers x {threads} threads on port {server.port}")
            totals = saturation(server, cast, scale)
            fixed = _report(
                f"accrual, {FIXED_RATE}/s for {scale.rate_seconds:.0f} s",
                drive(
                    server,
                    accrual_calls(cast, scale.fixed_rate_requests, partners=cast.signers),
                    connections=CONNECTIONS,
                    cap=scale.rate_seconds + 5,
                    rate=FIXED_RATE,
                ),
            )
        measured = cast.signers[0]
        pages = [len(statements([listing_call(measured, size)] * 2)) for size in (10, 500)]
        listing = []
        for rows in scale.listing_rows:
            filler_insert(rows - transaction_rows())
            cpu_ms, wall_ms, count = listing_db_ms(measured)
            listing.append((rows, cpu_ms, wall_ms, count))
            print(
                f"  GET /transactions?page_size=50 with {rows:,} rows: {cpu_ms:.2f} ms of "
                f"PostgreSQL CPU, statements {wall_ms:.2f} ms (median), {count} statements",
                flush=True,
            )
        verdicts = goals_of(totals, fixed, len(sql["accrual"]), (*listing, pages))
    print()
    print(table(totals, fixed))
    print()
    width = max(len(name) for name in verdicts)
    for name, verdict in verdicts.items():
        value = f"{verdict.value:.2f}" if isinstance(verdict.value, float) else str(verdict.value)
        print(
            f"  {name:<{width}}  {value:>8}  goal {verdict.goal:<8} "
            f"{'met' if verdict.met else 'MISSED'}"
        )
    for endpoint, statements_of in sql.items():
        print(f"\nSQL of one {endpoint} request ({len(statements_of)} statements):")
        for number, statement in enumerate(statements_of, 1):
            print(f"  {number:2}. {abbreviated(statement)}")
    print(f"\nTotal time (set-up included): {time.perf_counter() - started:.0f} s", flush=True)
    return {
        "server": {"workers": workers, "threads": threads},
        "saturation": {name: o.summary() for name, o in totals.items()},
        "fixed_rate": fixed.summary(),
        "goals": {name: asdict(goal) for name, goal in verdicts.items()},
        "statements": sql,
    }


def run(quick: bool, *, workers: int = WORKERS, threads: int = THREADS) -> dict[str, Any]:
    """Run the benchmark in a fresh interpreter (spawned, not forked: it configures Django for
    its own database and bench.settings, whatever the caller has configured), print its
    progress and tables, and return its figures."""
    arguments = {
        "quick": quick,
        "base_url": os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
        "redis_url": os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL,
        "workers": workers,
        "threads": threads,
    }
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(_run, **arguments).result()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.api", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        default=os.environ.get("BENCH_QUICK", "") not in {"", "0"},
        help="a quarter of the requests and 10,000/100,000 listing rows, for a smoke run",
    )
    parser.add_argument("--workers", type=int, default=WORKERS, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=THREADS, help="threads per worker")
    args = parser.parse_args(argv)
    run(args.quick, workers=args.workers, threads=args.threads)
    return 0


if __name__ == "__main__":
    sys.exit(main())
