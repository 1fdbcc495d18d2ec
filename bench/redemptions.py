"""Standard redemptions under load: 32 clients redeeming from one hot member, beside accruals.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/loyalty REDIS_URL=redis://127.0.0.1:6379/15 \
    uv run python -m bench.redemptions [--quick]

Like bench/api.py it seeds a throwaway database (loyalty_bench_<pid>), serves it with gunicorn
(the production configuration) and drives it with CLIENTS concurrent keep-alive connections of
signed requests, each with a fresh Idempotency-Key:

- redemption, one hot member: POST /public/v3.0/redemptions/standard from one redemption
  partner, every request paying from the same member (one row every request locks and debits);
- accrual: POST /public/v3.0/accruals/standard from one issuing partner, each to a member of its
  own: the direct accrual rate of the same server in the same run, the redemption's comparison.

They run in ROUNDS interleaved rounds, so that a change in the machine's load touches both
alike. Then the overdraft check: a second member holds exactly enough for half of OVERDRAFT_CALLS
redemptions sent at once by the CLIENTS connections; exactly half must be paid, the other half
refused with 400 insufficient_funds, the balance must end at zero and never be seen below it,
and ledger_check must balance.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import multiprocessing
import os
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any

from bench.api import API, DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL, Signer, _signed
from bench.load import Call, Outcome, Server, drive, gunicorn
from bench.support import django_setup, production_keys, throwaway_database

CURRENCY = "BENCH_POINTS"
REDEEM = f"{API}/redemptions/standard"
ACCRUALS = f"{API}/accruals/standard"
CLIENTS = 32
COST = 10
AMOUNT = 10
ROUNDS = 3
GOAL_RATE = 150.0
WORKERS, THREADS = 2, 4
HOT_MEMBER, DRAINED_MEMBER = "HOT0001", "DRAIN001"


@dataclass(frozen=True)
class Scale:
    warmup: int
    burst: int
    burst_cap: float
    overdraft_calls: int


FULL = Scale(warmup=200, burst=1_000, burst_cap=30.0, overdraft_calls=400)
QUICK = Scale(warmup=50, burst=250, burst_cap=15.0, overdraft_calls=100)


@dataclass
class Cast:
    shop: Signer
    issuer: Signer
    accrual_members: list[str]


def cast_create(*, redemptions: int, accruals: int, overdraft_calls: int) -> Cast:
    """The currency, a redemption partner (Bench Shop, general category at the customer's
    perceived value), an issuing partner, the hot member funded for every redemption the run
    sends, the member to drain funded for half the overdraft calls, and one member per accrual."""
    from loyalty import ledger
    from loyalty.models import (
        Account,
        Member,
        Partner,
        Partnership,
        PartnershipType,
        RedemptionPartnership,
        RedemptionPrice,
    )
    from loyalty.selectors import member_account, mint_account
    from loyalty.services.accounts import loyalty_currency_create, partner_account_get_or_create
    from loyalty.services.members import member_create
    from partners.services.credentials import credential_create

    unlimited = 2**31 - 1
    owner = Partner.objects.create(
        company_name="Bench Owner", api_identifier="bench-owner", api_rate_limit=unlimited
    )
    currency = loyalty_currency_create(
        code=CURRENCY, name="Bench Points", owner=owner, fiat_currency="EUR"
    )
    shop = Partner.objects.create(
        company_name="Bench Shop", api_identifier="bench-shop", api_rate_limit=unlimited
    )
    partner_account_get_or_create(partner=shop, loyalty_currency=currency)
    RedemptionPrice.objects.create(
        partnership=RedemptionPartnership.objects.create(
            partner=shop, loyalty_currency=currency, type=PartnershipType.REDEMPTION
        ),
        category="general",
    )
    issuer = Partner.objects.create(
        company_name="Bench Issuer", api_identifier="bench-issuer", api_rate_limit=unlimited
    )
    partner_account_get_or_create(
        partner=issuer, loyalty_currency=currency, credit_limit=100 * accruals * AMOUNT
    )
    Partnership.objects.create(
        partner=issuer, loyalty_currency=currency, type=PartnershipType.ISSUING
    )
    mint = mint_account(loyalty_currency=currency)
    for membership_id, funds in (
        (HOT_MEMBER, redemptions * COST),
        (DRAINED_MEMBER, overdraft_calls // 2 * COST),
    ):
        member = member_create(
            loyalty_currency=currency, loyalty_program_identifiers={"id": membership_id}
        )
        ledger.post(
            origin=mint, destination=member_account(member=member), amount=funds, type="accrual"
        )
    membership_ids = [f"A{i:07d}" for i in range(accruals)]
    created = Member.objects.bulk_create(
        Member(
            loyalty_currency=currency,
            membership_id=membership_id,
            loyalty_program_identifiers={"id": membership_id},
        )
        for membership_id in membership_ids
    )
    Account.objects.bulk_create(
        Account(member=member, loyalty_currency=currency, credit_limit=0) for member in created
    )

    def signer(partner) -> Signer:
        issued = credential_create(partner=partner, label="bench")
        return Signer(partner.public_id, issued.public_key, issued.secret_key)

    return Cast(shop=signer(shop), issuer=signer(issuer), accrual_members=membership_ids)


def redemption_calls(cast: Cast, count: int, *, member: str = HOT_MEMBER) -> list[Call]:
    return [
        _signed(
            cast.shop,
            "POST",
            REDEEM,
            {
                "external_reference": f"R-{member}-{n}",
                "loyalty_currency": CURRENCY,
                "member": {"id": member},
                "reason": "Bench redemption",
                "redemption_items": [{"loyalty_amount": COST, "category": "general"}],
            },
            200,
        )
        for n in range(count)
    ]


def accrual_calls(cast: Cast, count: int) -> list[Call]:
    taken, cast.accrual_members = cast.accrual_members[:count], cast.accrual_members[count:]
    return [
        _signed(
            cast.issuer,
            "POST",
            ACCRUALS,
            {
                "amount": AMOUNT,
                "loyalty_currency": CURRENCY,
                "member": {"id": membership_id},
                "origin": cast.issuer.partner_id,
            },
            201,
        )
        for membership_id in taken
    ]


def _report(label: str, outcome: Outcome) -> Outcome:
    print(
        f"  {label}: {outcome.throughput:,.0f} req/s, p50 {outcome.percentile_ms(0.5):.1f} ms, "
        f"p99 {outcome.percentile_ms(0.99):.1f} ms ({len(outcome.latencies)} answered as "
        "expected)",
        flush=True,
    )
    if outcome.failures:
        print(f"    failures {dict(outcome.failures)}; first: {outcome.failure_sample}", flush=True)
    return outcome


def balance_of(membership_id: str) -> int:
    from loyalty.models import Account

    return Account.objects.values_list("balance", flat=True).get(
        member__membership_id=membership_id
    )


def overdraft_check(server: Server, cast: Cast, calls: int) -> dict[str, Any]:
    """Send `calls` redemptions at once from a member who can pay half of them, watching its
    balance meanwhile."""
    from django.db import connections

    lowest = [balance_of(DRAINED_MEMBER)]
    finished = threading.Event()

    def watch() -> None:
        try:
            while not finished.is_set():
                lowest.append(min(lowest[-1], balance_of(DRAINED_MEMBER)))
                time.sleep(0.005)
        finally:
            connections.close_all()

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    outcome = drive(
        server,
        redemption_calls(cast, calls, member=DRAINED_MEMBER),
        connections=CLIENTS,
        cap=60,
    )
    finished.set()
    watcher.join()
    from loyalty.ledger_audit import ledger_report

    report = ledger_report()
    return {
        "paid": len(outcome.latencies),
        "refused": dict(outcome.failures),
        "refusal": outcome.failure_sample,
        "final_balance": balance_of(DRAINED_MEMBER),
        "lowest_balance_seen": min(lowest),
        "ledger_check": report.ok,
    }


def _run(*, quick: bool, base_url: str, redis_url: str) -> dict[str, Any]:
    os.environ["REDIS_URL"] = redis_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    production_keys()
    scale = QUICK if quick else FULL
    started = time.perf_counter()
    per_endpoint = scale.warmup + ROUNDS * scale.burst
    with throwaway_database(base_url) as url:
        django_setup(url)
        print(
            f"Redemption benchmark on database {url.rsplit('/', 1)[-1]}: {CLIENTS} clients, "
            f"{ROUNDS} rounds of {scale.burst:,} requests per endpoint.",
            flush=True,
        )
        cast = cast_create(
            redemptions=per_endpoint, accruals=per_endpoint, overdraft_calls=scale.overdraft_calls
        )
        makers = {
            "redemption, one hot member": lambda n: redemption_calls(cast, n),
            "accrual, a member each": lambda n: accrual_calls(cast, n),
        }
        with gunicorn(url, workers=WORKERS, threads=THREADS) as server:
            print(f"gunicorn: {WORKERS} workers x {THREADS} threads on port {server.port}")
            for make in makers.values():
                drive(server, make(scale.warmup), connections=CLIENTS, cap=scale.burst_cap)
            totals: dict[str, Outcome] = {}
            for number in range(1, ROUNDS + 1):
                for name, make in makers.items():
                    outcome = drive(
                        server, make(scale.burst), connections=CLIENTS, cap=scale.burst_cap
                    )
                    _report(f"round {number}: {name}", outcome)
                    totals[name] = totals[name].merge(outcome) if name in totals else outcome
            overdraft = overdraft_check(server, cast, scale.overdraft_calls)
        hot_balance = balance_of(HOT_MEMBER)
    redemption = totals["redemption, one hot member"]
    accrual = totals["accrual, a member each"]
    half = scale.overdraft_calls // 2
    verdicts = {
        f"redemptions/s, {CLIENTS} clients, one member": (
            f"{redemption.throughput:,.0f}",
            f">= {GOAL_RATE:.0f}",
            redemption.throughput >= GOAL_RATE,
        ),
        "redemption / accrual rate": (
            f"{redemption.throughput / accrual.throughput:.2f}",
            "-",
            None,
        ),
        "overdraft: paid of calls": (
            f"{overdraft['paid']} of {scale.overdraft_calls}",
            f"{half}",
            overdraft["paid"] == half and overdraft["refused"] == {400: half},
        ),
        "overdraft: lowest and final balance": (
            f"{overdraft['lowest_balance_seen']} / {overdraft['final_balance']}",
            "0 / 0",
            overdraft["lowest_balance_seen"] >= 0 and overdraft["final_balance"] == 0,
        ),
        "hot member's balance >= 0": (f"{hot_balance}", ">= 0", hot_balance >= 0),
        "ledger_check": (
            "ok" if overdraft["ledger_check"] else "FAILED",
            "ok",
            overdraft["ledger_check"],
        ),
        "failed requests": (
            f"{redemption.failed + accrual.failed}",
            "0",
            redemption.failed + accrual.failed == 0,
        ),
    }
    print()
    print(f"  {'measure':<24} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'web CPU ms':>11}")
    for name, outcome in totals.items():
        print(
            f"  {name:<24} {outcome.throughput:>8,.0f} {outcome.percentile_ms(0.5):>8.1f} "
            f"{outcome.percentile_ms(0.99):>8.1f} {outcome.cpu_ms(outcome.web_cpu):>11.2f}"
        )
    print()
    width = max(len(name) for name in verdicts)
    for name, (value, goal, met) in verdicts.items():
        verdict = "" if met is None else ("met" if met else "MISSED")
        print(f"  {name:<{width}}  {value:>12}  goal {goal:<6} {verdict}")
    print(f"\nTotal time (set-up included): {time.perf_counter() - started:.0f} s", flush=True)
    return {
        "saturation": {name: o.summary() for name, o in totals.items()},
        "overdraft": overdraft,
        "goals": {name: {"value": v, "goal": g, "met": m} for name, (v, g, m) in verdicts.items()},
    }


def run(quick: bool) -> dict[str, Any]:
    """Run the benchmark in a fresh interpreter (as bench.api.run does) and return its figures."""
    arguments = {
        "quick": quick,
        "base_url": os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
        "redis_url": os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL,
    }
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(_run, **arguments).result()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.redemptions", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        default=os.environ.get("BENCH_QUICK", "") not in {"", "0"},
        help="a quarter of the requests, for a smoke run",
    )
    run(parser.parse_args(argv).quick)
    return 0


if __name__ == "__main__":
    sys.exit(main())
