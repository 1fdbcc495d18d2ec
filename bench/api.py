"""The partner API under load: signed accruals served by gunicorn on PostgreSQL, beside a baseline.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/loyalty REDIS_URL=redis://127.0.0.1:6379/15 \
    uv run python -m bench.api [--quick]

DATABASE_URL only says which server to use: the benchmark creates loyalty_bench_<pid> there,
seeds it, serves it with `gunicorn loyalty.wsgi` (DJANGO_SETTINGS_MODULE=bench.settings) on a
free loopback port and drops it at the end. A load generator beside it (threads, each with its
own HTTP/1.1 connection) sends POST /public/v3.0/accruals/standard signed as the contract
says, each with a fresh Idempotency-Key and to a member no other request touches. Beside every
figure stands the same figure for POST /bench/baseline (bench/baseline.py): the same server and
database doing one ledger-shaped write with none of the API's logic.

1. Saturation: requests per second at a fixed concurrency; goal: accruals >= 0.7 of baseline.
2. A fixed 200 requests per second, paced open-loop (a request is due at its slot whatever the
   earlier ones are doing, and its latency runs from that slot): goal p99 < 100 ms.
3. The SQL statements of one accrual, captured in-process.
4. Purchase rules: POST /public/v3.0/accruals/purchase-rules/trigger at saturation, with the
   same connections, against 10 purchase rules of the currency (6 fire, 4 do not); goal:
   >= 0.6 of the accruals' saturation rate. The trigger asks for one transaction per purchase,
   so that it posts to the ledger once, as an accrual does: what it adds is the rules.

Django is configured only once the throwaway database exists, so the functions that need the
project's models import them where they run.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import http.client
import itertools
import json
import math
import multiprocessing
import os
import re
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench.support import django_setup, throwaway_database

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/loyalty"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
ACCRUALS = "/public/v3.0/accruals/standard"
BASELINE = "/bench/baseline"
TRIGGER = "/public/v3.0/accruals/purchase-rules/trigger"
CURRENCY = "BENCH_POINTS"
AMOUNT = 10
RATIO_GOAL = 0.7
TRIGGER_RATIO_GOAL = 0.6
# The triggered purchase, which the seeded rules judge (see purchase_rules_create).
PURCHASE_AMOUNT = 10
PURCHASE_TAGS = ["store"]
PURCHASE_METADATA = {"store": "paris-1", "category": "food"}
P99_GOAL_MS = 100.0

# Two cores: gunicorn's rule of thumb, 2 x cores + 1 = 5 synchronous workers. A request spends
# part of its time waiting for PostgreSQL and Redis; the spare workers use the core meanwhile,
# and one process per request in flight means no two requests ever share a GIL.
WORKERS = 5
# Saturation keeps this many requests per worker in flight, so that no worker ever waits for
# the client; the open-loop run needs only enough connections never to run out at 200/s.
IN_FLIGHT_PER_WORKER = 2
FIXED_RATE_CONNECTIONS = 32
# At the fixed rate a request may go out this late before the run gives up on it.
FIXED_RATE_GRACE = 5.0


@dataclass(frozen=True)
class Scale:
    """How much the benchmark sends; each measurement stops at its count or at its time cap."""

    warmup: int
    saturation: int
    saturation_cap: float
    rate: int
    rate_seconds: float

    @property
    def fixed_rate_requests(self) -> int:
        return round(self.rate * self.rate_seconds)

    @property
    def accruals(self) -> int:
        """Accrual requests of the whole run, each to a member of its own (two of them for
        the in-process statement count)."""
        return self.warmup + self.fixed_rate_requests + self.saturation + 2

    @property
    def triggers(self) -> int:
        """Purchase-rule triggers of the whole run, each to a member of its own."""
        return self.warmup + self.saturation + 2


FULL = Scale(warmup=300, saturation=4_000, saturation_cap=60.0, rate=200, rate_seconds=20.0)
QUICK = Scale(warmup=100, saturation=1_000, saturation_cap=20.0, rate=200, rate_seconds=5.0)


# The seeded programme ---------------------------------------------------------------------


@dataclass
class Cast:
    """What the load generator needs to sign accruals: the credential and unused members."""

    issuer_id: str
    public_key: str
    secret_key: str
    membership_ids: Iterator[str]

    def members(self, count: int) -> list[str]:
        taken = list(itertools.islice(self.membership_ids, count))
        if len(taken) < count:
            raise RuntimeError("The benchmark ran out of seeded members.")
        return taken


def cast_create(members: int) -> Cast:
    """Seed the currency, its issuing partner with a credential, the baseline's two accounts,
    the purchase rules and `members` members with their accounts (in bulk: member_create one at
    a time would take longer than the measurements).

    The issuer's rate limit is far above anything the run sends, so the throttle does all of
    its work on every request but never refuses one.
    """
    from bench.baseline import DESTINATION_PUBLIC_ID, ORIGIN_PUBLIC_ID
    from loyalty.models import Account, Member, Partner, Partnership, PartnershipType
    from loyalty.services.accounts import loyalty_currency_create, partner_account_get_or_create
    from partners.services.credentials import credential_create

    owner = Partner.objects.create(company_name="Bench Owner", api_identifier="bench-owner")
    currency = loyalty_currency_create(
        code=CURRENCY, name="Bench Points", owner=owner, fiat_currency="EUR"
    )
    issuer = Partner.objects.create(
        company_name="Bench Issuer", api_identifier="bench-issuer", api_rate_limit=2**31 - 1
    )
    partner_account_get_or_create(
        partner=issuer, loyalty_currency=currency, credit_limit=10 * members * AMOUNT
    )
    Partnership.objects.create(
        partner=issuer, loyalty_currency=currency, type=PartnershipType.ISSUING
    )
    issued = credential_create(partner=issuer, label="bench")
    purchase_rules_create(currency)
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
        issuer_id=issuer.public_id,
        public_key=issued.public_key,
        secret_key=issued.secret_key,
        membership_ids=iter(membership_ids),
    )


def purchase_rules_create(currency) -> None:
    """Ten enabled EUR rules of `currency`. For the bench purchase (PURCHASE_AMOUNT EUR, tag
    "store", store paris-1, category food) six fire: no condition, a shared tag, a minimum met
    with a fixed bonus, a metadata match, a member cap per month (its awards are read back) and
    an all-day hour window. Four do not: a tag, a minimum, a metadata value and a maximum."""
    from loyalty.models import PurchaseRule, PurchaseRuleMetadataMatch

    def rule(name: str, *, matches: dict[str, str] | None = None, **fields) -> None:
        created = PurchaseRule.objects.create(
            loyalty_currency=currency, name=name, fiat_currency="EUR", **fields
        )
        for key, value in (matches or {}).items():
            PurchaseRuleMetadataMatch.objects.create(rule=created, key=key, value=value)

    rule("Every purchase", points_per_unit=1)
    rule("In store", tags=["store"], points_per_unit=2)
    rule("From 5 EUR", min_amount=5, points_per_unit="0.5", fixed_bonus=5)
    rule("Paris 1", matches={"store": "paris-1"}, points_per_unit=1)
    rule(
        "Monthly allowance",
        points_per_unit=1,
        max_points_per_member=1_000,
        member_cap_period="month",
    )
    rule("All day", hour_from=0, hour_to=23, points_per_unit=1)
    rule("Online", tags=["online"], points_per_unit=5)
    rule("From 100 EUR", min_amount=100, points_per_unit=3)
    rule("Books", matches={"category": "books"}, points_per_unit=4)
    rule("Up to 5 EUR", max_amount=5, points_per_unit=2)


# Requests ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    """One request, ready to send: signing happens before the clock starts."""

    path: str
    body: bytes
    headers: dict[str, str]
    expected: int = 201


def accrual_calls(cast: Cast, count: int) -> list[Call]:
    """`count` signed accruals, each to a member of its own and with a fresh Idempotency-Key."""
    from partners.api.authentication import sign

    calls = []
    for membership_id in cast.members(count):
        body = json.dumps(
            {
                "amount": AMOUNT,
                "loyalty_currency": CURRENCY,
                "member": {"id": membership_id},
                "origin": cast.issuer_id,
            },
            separators=(",", ":"),
        ).encode()
        signature = sign(cast.secret_key, body)
        headers = {
            "Content-Type": "application/json",
            "Authorization": f"Credential={cast.public_key}, Signature={signature}",
            "Idempotency-Key": uuid.uuid4().hex,
        }
        calls.append(Call(ACCRUALS, body, headers))
    return calls


def trigger_calls(cast: Cast, count: int) -> list[Call]:
    """`count` signed purchase-rule triggers (answered 200), each to a member of its own."""
    from partners.api.authentication import sign

    calls = []
    for membership_id in cast.members(count):
        body = json.dumps(
            {
                "fiat_amount": PURCHASE_AMOUNT,
                "fiat_currency": "EUR",
                "loyalty_currency": CURRENCY,
                "member": {"id": membership_id},
                "tags": PURCHASE_TAGS,
                "metadata": PURCHASE_METADATA,
                "preferred_execution_mode": "single_transaction",
            },
            separators=(",", ":"),
        ).encode()
        signature = sign(cast.secret_key, body)
        headers = {
            "Content-Type": "application/json",
            "Authorization": f"Credential={cast.public_key}, Signature={signature}",
            "Idempotency-Key": uuid.uuid4().hex,
        }
        calls.append(Call(TRIGGER, body, headers, expected=200))
    return calls


def baseline_calls(count: int) -> list[Call]:
    body = json.dumps({"amount": AMOUNT}).encode()
    return [Call(BASELINE, body, {"Content-Type": "application/json"})] * count


# The load generator -------------------------------------------------------------------------


@dataclass
class Outcome:
    """What one measurement saw. Latencies are of the expected answers (201 but for the
    trigger's 200), in seconds."""

    planned: int
    connections: int
    latencies: list[float] = field(default_factory=list)
    failures: Counter = field(default_factory=Counter)
    failure_sample: str = ""
    elapsed: float = 0.0

    @property
    def failed(self) -> int:
        return sum(self.failures.values())

    @property
    def answered(self) -> int:
        return len(self.latencies) + self.failed

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0

    def percentile_ms(self, fraction: float) -> float:
        """Nearest-rank percentile of the latencies, in milliseconds."""
        ordered = sorted(self.latencies)
        if not ordered:
            return math.nan
        return 1000 * ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]

    def summary(self) -> dict[str, Any]:
        return {
            "planned": self.planned,
            "connections": self.connections,
            "answered": self.answered,
            "created": len(self.latencies),
            "failures": dict(self.failures),
            "failure_sample": self.failure_sample,
            "seconds": round(self.elapsed, 3),
            "requests_per_second": round(self.throughput, 1),
            "p50_ms": round(self.percentile_ms(0.50), 2),
            "p99_ms": round(self.percentile_ms(0.99), 2),
        }


def drive(
    port: int,
    calls: Sequence[Call],
    *,
    connections: int,
    cap: float,
    rate: float | None = None,
) -> Outcome:
    """Send `calls` over `connections` threads, each with its own keep-alive connection.

    Without `rate`, closed loop: a thread sends its next request as soon as it has the answer
    to the last one (saturation). With `rate`, open loop: call i is due `i / rate` seconds after
    the start and its latency runs from then, so a slow answer that delays the next request
    shows up in that request's latency instead of silently lowering the rate. No request is
    sent once `cap` seconds have passed: a saturation run simply ends there, while in an
    open-loop run the requests left unsent count as failures. Throughput counts the 201s up to
    the last answer.
    """
    outcome = Outcome(planned=len(calls), connections=connections)
    next_call = itertools.count()
    lock = threading.Lock()
    start = time.perf_counter() + 0.1  # every thread is up before the first request is due
    last_answer = start

    def sender() -> None:
        nonlocal last_answer
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            while (index := next(next_call)) < len(calls):
                due = start + index / rate if rate else max(start, time.perf_counter())
                pause = due - time.perf_counter()
                if pause > 0:
                    time.sleep(pause)
                if time.perf_counter() - start > cap:
                    return
                status, body = _send(connection, calls[index])
                answered = time.perf_counter()
                with lock:
                    last_answer = max(last_answer, answered)
                    if status == calls[index].expected:
                        outcome.latencies.append(answered - due)
                    else:
                        outcome.failures[status] += 1
                        outcome.failure_sample = outcome.failure_sample or f"{status}: {body}"
        finally:
            connection.close()

    threads = [threading.Thread(target=sender, daemon=True) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    outcome.elapsed = last_answer - start
    unsent = len(calls) - outcome.answered
    if rate and unsent:
        outcome.failures["not sent within the time cap"] = unsent
        outcome.failure_sample = outcome.failure_sample or f"{unsent} not sent after {cap:.0f} s"
    return outcome


def _send(connection: http.client.HTTPConnection, call: Call) -> tuple[int | str, str]:
    """POST one call; (status, body) or (the error's name, its message) when the socket fails.

    http.client reopens the connection by itself when the server closed it after an answer.
    """
    try:
        connection.request("POST", call.path, body=call.body, headers=call.headers)
        response = connection.getresponse()
        body = response.read()
    except (OSError, http.client.HTTPException) as exc:
        connection.close()
        return type(exc).__name__, str(exc)
    return response.status, body[:300].decode(errors="replace")


# The server -------------------------------------------------------------------------------


@contextmanager
def gunicorn(url: str, *, workers: int) -> Iterator[int]:
    """Serve the project from `url` with gunicorn on a free loopback port; yield the port.

    The listening socket is opened here and handed over (fd://), so no other process can take
    the port between choosing and binding it.
    """
    listener = socket.create_server(("127.0.0.1", 0), backlog=1024)
    port = listener.getsockname()[1]
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "loyalty.wsgi",
        f"--bind=fd://{listener.fileno()}",
        f"--workers={workers}",
        "--worker-class=sync",
        "--log-level=warning",
    ]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": url,
        "DEBUG": "false",
    }
    with listener:
        process = subprocess.Popen(command, env=env, cwd=PROJECT_ROOT, pass_fds=[listener.fileno()])
    try:
        _wait_until_serving(process, port)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_serving(process: subprocess.Popen, port: int, timeout: float = 60.0) -> None:
    """Wait for an HTTP answer from the server (any status: the workers have loaded Django)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with status {process.returncode}; see above.")
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            connection.request("OPTIONS", BASELINE)
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
        finally:
            connection.close()
    raise RuntimeError(f"gunicorn did not answer on port {port} within {timeout:.0f} s.")


# Statements of one request ------------------------------------------------------------------


def statements(calls: Sequence[Call]) -> list[str]:
    """The SQL of the last of `calls`, each sent in-process with django.test.Client.

    The ones before it warm up what a long-running worker has warm (the baseline's account
    ids, the credential's last-used stamp, written at most once a minute).
    """
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()

    def send(call: Call):
        headers = {k: v for k, v in call.headers.items() if k != "Content-Type"}
        response = client.post(
            call.path, data=call.body, content_type="application/json", headers=headers
        )
        if response.status_code != call.expected:
            raise RuntimeError(f"{call.path} answered {response.status_code}: {response.content}")

    *warmup, last = calls
    for call in warmup:
        send(call)
    with CaptureQueriesContext(connection) as captured:
        send(last)
    return [query["sql"] for query in captured.captured_queries]


# The run ------------------------------------------------------------------------------------

ENDPOINTS = ("baseline", "accrual")


def _report(label: str, outcome: Outcome) -> Outcome:
    print(
        f"  {label:<38} {outcome.throughput:7,.0f} req/s   p50 {outcome.percentile_ms(0.5):6.1f} ms"
        f"   p99 {outcome.percentile_ms(0.99):6.1f} ms   {len(outcome.latencies):,} of "
        f"{outcome.planned:,} created",
        flush=True,
    )
    if outcome.failures:
        print(f"    failures {dict(outcome.failures)}; first: {outcome.failure_sample}", flush=True)
    return outcome


def measure(
    url: str, cast: Cast, scale: Scale, *, workers: int
) -> tuple[dict[str, dict[str, Outcome]], Outcome]:
    """Both measurements of both endpoints against one gunicorn, outcomes[measure][endpoint],
    then the purchase-rule trigger at saturation with the same connections.

    The fixed rate goes first: a partner sending a steady 200/s is the case its goal is about,
    and the throttle's per-partner history (a minute long) then holds that rate's requests only,
    not those of a saturation burst just before.
    """

    def calls(endpoint: str, count: int) -> list[Call]:
        return accrual_calls(cast, count) if endpoint == "accrual" else baseline_calls(count)

    outcomes: dict[str, dict[str, Outcome]] = {"fixed_rate": {}, "saturation": {}}
    connections = IN_FLIGHT_PER_WORKER * workers
    with gunicorn(url, workers=workers) as port:
        print(f"gunicorn: {workers} sync workers on 127.0.0.1:{port}", flush=True)
        for endpoint in ENDPOINTS:
            drive(
                port,
                calls(endpoint, scale.warmup),
                connections=connections,
                cap=scale.saturation_cap,
            )
        for endpoint in ENDPOINTS:
            outcome = drive(
                port,
                calls(endpoint, scale.fixed_rate_requests),
                connections=FIXED_RATE_CONNECTIONS,
                cap=scale.rate_seconds + FIXED_RATE_GRACE,
                rate=scale.rate,
            )
            label = f"{endpoint}, {scale.rate}/s for {scale.rate_seconds:.0f} s"
            outcomes["fixed_rate"][endpoint] = _report(label, outcome)
        for endpoint in ENDPOINTS:
            outcome = drive(
                port,
                calls(endpoint, scale.saturation),
                connections=connections,
                cap=scale.saturation_cap,
            )
            label = f"{endpoint}, saturation, {connections} connections"
            outcomes["saturation"][endpoint] = _report(label, outcome)
        drive(
            port,
            trigger_calls(cast, scale.warmup),
            connections=connections,
            cap=scale.saturation_cap,
        )
        trigger = _report(
            f"trigger, saturation, {connections} connections",
            drive(
                port,
                trigger_calls(cast, scale.saturation),
                connections=connections,
                cap=scale.saturation_cap,
            ),
        )
    return outcomes, trigger


@dataclass(frozen=True)
class Goal:
    """A goal of DESIGN.md's API section, the figure it is judged on, and the verdict."""

    goal: str
    value: float
    met: bool


def goals(outcomes: dict[str, dict[str, Outcome]]) -> dict[str, Goal]:
    saturation, fixed = outcomes["saturation"], outcomes["fixed_rate"]
    ratio = saturation["accrual"].throughput / saturation["baseline"].throughput
    p99 = fixed["accrual"].percentile_ms(0.99)
    failures = sum(o.failed for measured in outcomes.values() for o in measured.values())
    return {
        "throughput_ratio": Goal(f"ratio >= {RATIO_GOAL}", ratio, ratio >= RATIO_GOAL),
        "fixed_rate_p99_ms": Goal(f"< {P99_GOAL_MS:.0f} ms", p99, p99 < P99_GOAL_MS),
        "failures": Goal("0", failures, failures == 0),
    }


def trigger_goal(outcomes: dict[str, dict[str, Outcome]], trigger: Outcome) -> Goal:
    ratio = trigger.throughput / outcomes["saturation"]["accrual"].throughput
    return Goal(f"ratio >= {TRIGGER_RATIO_GOAL}", ratio, ratio >= TRIGGER_RATIO_GOAL)


def trigger_lines(
    outcomes: dict[str, dict[str, Outcome]], trigger: Outcome, statements: list[str]
) -> str:
    """The purchase trigger beside the direct accrual of the same run."""
    accrual = outcomes["saturation"]["accrual"]
    goal = trigger_goal(outcomes, trigger)
    return "\n".join(
        [
            f"Purchase trigger (10 rules, 6 fire, one transaction) at saturation, "
            f"{trigger.connections} connections:",
            f"  trigger {trigger.throughput:,.0f} req/s (p50 {trigger.percentile_ms(0.5):.1f} ms, "
            f"p99 {trigger.percentile_ms(0.99):.1f} ms); accrual {accrual.throughput:,.0f} req/s",
            f"  ratio trigger / accrual: {goal.value:.2f} (goal {goal.goal}: "
            f"{'met' if goal.met else 'MISSED'}); {trigger.failed:,} of {trigger.planned:,} "
            f"not answered 200; {len(statements)} SQL statements per trigger",
        ]
    )


def table(outcomes: dict[str, dict[str, Outcome]], sql: dict[str, list[str]], scale: Scale) -> str:
    """The closing table: each figure of the accrual endpoint beside the baseline's."""
    saturation, fixed = outcomes["saturation"], outcomes["fixed_rate"]
    verdicts = goals(outcomes)

    def row(label, measured, figure, unit, goal: Goal | None = None, ratio=True):
        accrual, baseline = figure(measured["accrual"]), figure(measured["baseline"])
        digits = 1 if unit == "ms" else 0
        return (
            label,
            f"{accrual:,.{digits}f} {unit}",
            f"{baseline:,.{digits}f} {unit}",
            f"{accrual / baseline:.2f}" if ratio else "-",
            goal.goal if goal else "-",
            "-" if goal is None else ("met" if goal.met else "MISSED"),
        )

    def rate(o: Outcome) -> float:
        return o.throughput

    def p50(o: Outcome) -> float:
        return o.percentile_ms(0.5)

    def p99(o: Outcome) -> float:
        return o.percentile_ms(0.99)

    every = {e: [m[e] for m in outcomes.values()] for e in ENDPOINTS}
    counts = {e: sum(o.failed for o in every[e]) for e in ENDPOINTS}
    sent = {e: sum(o.planned for o in every[e]) for e in ENDPOINTS}
    fixed_label = f"{scale.rate}/s"
    rows = [
        ("measure", "accrual", "baseline", "ratio", "goal", "verdict"),
        row(
            f"saturation ({saturation['accrual'].connections} connections)",
            saturation,
            rate,
            "req/s",
            verdicts["throughput_ratio"],
        ),
        row("saturation p50", saturation, p50, "ms"),
        row("saturation p99", saturation, p99, "ms"),
        row(f"{fixed_label} achieved", fixed, rate, "req/s", ratio=False),
        row(f"{fixed_label} p50", fixed, p50, "ms"),
        row(f"{fixed_label} p99", fixed, p99, "ms", verdicts["fixed_rate_p99_ms"]),
        (
            "SQL statements per request",
            str(len(sql["accrual"])),
            str(len(sql["baseline"])),
            f"{len(sql['accrual']) / len(sql['baseline']):.2f}",
            "-",
            "-",
        ),
        (
            "not answered 201",
            f"{counts['accrual']:,} of {sent['accrual']:,}",
            f"{counts['baseline']:,} of {sent['baseline']:,}",
            "-",
            verdicts["failures"].goal,
            "met" if verdicts["failures"].met else "MISSED",
        ),
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]

    def render(cells) -> str:
        return "  ".join(
            c.rjust(w) if 1 <= i <= 3 else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    header, *body = rows
    return "\n".join([render(header), rule, *map(render, body), rule])


def abbreviated(statement: str) -> str:
    """A statement with its column and value lists elided, which say nothing about its cost."""
    statement = re.sub(r"^SELECT .+? FROM ", "SELECT … FROM ", statement)
    statement = re.sub(
        r"^(INSERT INTO \S+) \(.+?\) VALUES \(.+\) RETURNING",
        r"\1 (…) VALUES (…) RETURNING",
        statement,
    )
    return statement


def _run(*, quick: bool, workers: int, base_url: str, redis_url: str) -> dict[str, Any]:
    os.environ["REDIS_URL"] = redis_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    scale = QUICK if quick else FULL
    started = time.perf_counter()
    with throwaway_database(base_url) as url:
        django_setup(url)
        name = url.rsplit("/", 1)[-1]
        members = scale.accruals + scale.triggers
        print(f"API benchmark on database {name}: seeding {members:,} members.", flush=True)
        cast = cast_create(members)
        sql = {
            "accrual": statements(accrual_calls(cast, 2)),
            "baseline": statements(baseline_calls(2)),
        }
        trigger_sql = statements(trigger_calls(cast, 2))
        outcomes, trigger = measure(url, cast, scale, workers=workers)
    print()
    print(table(outcomes, sql, scale))
    print()
    print(trigger_lines(outcomes, trigger, trigger_sql))
    for endpoint in ENDPOINTS:
        print(f"\nSQL of one {endpoint} request ({len(sql[endpoint])} statements):")
        for number, statement in enumerate(sql[endpoint], 1):
            print(f"  {number:2}. {abbreviated(statement)}")
    print(f"\nSQL of one purchase trigger ({len(trigger_sql)} statements):")
    for number, statement in enumerate(trigger_sql, 1):
        print(f"  {number:2}. {abbreviated(statement)}")
    print(f"\nTotal time (set-up included): {time.perf_counter() - started:.0f} s", flush=True)
    return {
        "server": {"workers": workers, "worker_class": "sync"},
        **{
            name: {endpoint: measured[endpoint].summary() for endpoint in ENDPOINTS}
            for name, measured in outcomes.items()
        },
        "goals": {name: asdict(goal) for name, goal in goals(outcomes).items()},
        "statements": sql,
        "purchase_trigger": {
            "saturation": trigger.summary(),
            "goal": asdict(trigger_goal(outcomes, trigger)),
            "statements": trigger_sql,
        },
    }


def run(quick: bool, *, workers: int = WORKERS) -> dict[str, Any]:
    """Run the benchmark, print its progress and table, and return its figures.

    It runs in a fresh interpreter (spawned, not forked): it configures Django for its own
    database and bench.settings, whatever the caller has configured (bench/__main__.py has
    Django set up for the ledger benchmark's database). The figures: `fixed_rate` and
    `saturation` each map "accrual" and "baseline" to Outcome.summary() (requests_per_second,
    p50_ms, p99_ms, failures...); `goals` maps each goal to its figure and verdict (`met`);
    `statements` holds the SQL of one request of each endpoint; `purchase_trigger` holds the
    trigger's saturation summary, its goal against the accrual and the SQL of one trigger.
    """
    arguments = {
        "quick": quick,
        "workers": workers,
        "base_url": os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
        "redis_url": os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL,
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
        help="a quarter of the saturation requests and 5 s at the fixed rate, for a smoke run",
    )
    parser.add_argument(
        "--workers", type=int, default=WORKERS, help=f"gunicorn workers (default {WORKERS})"
    )
    args = parser.parse_args(argv)
    run(args.quick, workers=args.workers)
    return 0


if __name__ == "__main__":
    sys.exit(main())
