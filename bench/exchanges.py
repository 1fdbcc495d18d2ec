"""Exchanges and forwarding: the exchange execute rate beside the direct accrual rate, and the
forwarding outbox's delivery throughput to the sandbox programme with 2 workers beside the same
requests sent straight to it.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/loyalty uv run python -m bench.exchanges

Runs in a process of its own on a throwaway database (bench.support). The rates are service
calls in one process (each one database transaction, as the API's unit of work), measured in
interleaved rounds so that a noisy machine slows all of them alike; the ratios are the figures
to read. Forwarding: the 2 workers are threads sweeping the outbox (SKIP LOCKED claims, one HTTP
request per record outside any transaction, the answer recorded), against the sandbox served in
this process; the baseline posts the same credit bodies to the sandbox from 2 threads with no
database at all.
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import json
import sys
import threading
import time
import urllib.request
from decimal import Decimal

from bench.support import quick_cli, run_in_spawned_process

ROUNDS = 3
WORKERS = 2


def _setup(members: int):
    from loyalty import ledger
    from loyalty.models import (
        ExchangeDirection,
        ExchangePartnership,
        Partner,
        Partnership,
        PartnershipType,
        TransactionType,
    )
    from loyalty.selectors import member_account, mint_account
    from loyalty.services.accounts import loyalty_currency_create, partner_account_get_or_create
    from loyalty.services.members import member_create

    owner = Partner.objects.create(company_name="Bench Rewards", api_identifier="bench-rewards")
    air = Partner.objects.create(company_name="Bench Air", api_identifier="bench-air")
    programme = Partner.objects.create(company_name="Bench Avios", api_identifier="bench-avios")
    points = loyalty_currency_create(
        code="BENCH_POINTS", name="Bench Points", owner=owner, fiat_currency="EUR"
    )
    miles = loyalty_currency_create(
        code="BENCH_MILES", name="Bench Miles", owner=air, fiat_currency="EUR"
    )
    avios = loyalty_currency_create(
        code="AVIOS", name="Avios", owner=programme, fiat_currency="GBP", is_hosted=False
    )
    partner_account_get_or_create(partner=air, loyalty_currency=points, credit_limit=10**12)
    Partnership.objects.create(partner=air, loyalty_currency=points, type=PartnershipType.ISSUING)
    for partner, other, fields in (
        (air, miles, []),
        (programme, avios, [{"id": "family_name", "name": "Family name"}]),
    ):
        ExchangePartnership.objects.create(
            partner=partner,
            loyalty_currency=points,
            partner_currency=other,
            direction=ExchangeDirection.EXCHANGE_OUT,
            conversion_ratio_per_unit=Decimal("0.5"),
            execute_required_fields=fields,
        )
    mint = mint_account(loyalty_currency=points)
    people, flyers = [], []
    for n in range(members):
        member = member_create(
            loyalty_currency=points, loyalty_program_identifiers={"id": f"B{n:06d}"}
        )
        ledger.post(
            origin=mint,
            destination=member_account(member=member),
            amount=10**9,
            type=TransactionType.ACCRUAL,
        )
        people.append(member)
        flyers.append(
            member_create(loyalty_currency=miles, loyalty_program_identifiers={"id": f"F{n:06d}"})
        )
    return owner, air, people, flyers


def _rate(calls, count: int) -> float:
    started = time.perf_counter()
    for n in range(count):
        calls(n)
    return count / (time.perf_counter() - started)


def _run(*, quick: bool, base_url: str) -> dict:
    from bench.support import django_setup, throwaway_database

    count = 100 if quick else 500
    records = 100 if quick else 400
    with throwaway_database(base_url) as url:
        django_setup(url)
        from django.db import connections

        from loyalty.models import ForwardingRecord, ForwardingStatus, LoyaltyCurrency
        from loyalty.services.exchanges import exchange_execute
        from loyalty.services.transactions import accrual_create
        from partners.avios import contract
        from partners.connectors.delivery import sweep
        from partners.sandbox.programme import (
            DEMO_API_KEY,
            DEMO_SOURCE,
            RunningSandbox,
            SandboxProgramme,
        )
        from partners.services.connectors import connector_set

        owner, air, people, flyers = _setup(20)
        sandbox = SandboxProgramme()
        sandbox.members = {
            f"30814700{n:08d}": {"family_name": "Bench", "first_name": "", "status": "ACTIVE"}
            for n in range(records)
        }
        running = RunningSandbox(sandbox).start()

        connector_set(
            loyalty_currency=LoyaltyCurrency.objects.get(code="AVIOS"),
            base_url=running.url,
            api_key=DEMO_API_KEY,
            programme_identifier="ATRP",
            external_source=DEMO_SOURCE,
        )

        def accrual(n):
            accrual_create(
                partner=air,
                loyalty_currency=people[0].loyalty_currency,
                member={"id": people[n % len(people)].membership_id},
                origin=air.public_id,
                amount=10,
            )

        def hosted(n):
            exchange_execute(
                partner=owner,
                amount=10,
                origin_loyalty_currency="BENCH_POINTS",
                destination_loyalty_currency="BENCH_MILES",
                origin_member={"id": people[n % len(people)].membership_id},
                destination_member={"id": flyers[n % len(flyers)].membership_id},
            )

        def external(n):
            exchange_execute(
                partner=owner,
                amount=10,
                origin_loyalty_currency="BENCH_POINTS",
                destination_loyalty_currency="AVIOS",
                origin_member={"id": people[n % len(people)].membership_id},
                destination_member={"id": f"30814700{n % records:08d}", "family_name": "Bench"},
            )

        rates: dict[str, list[float]] = {"accrual": [], "hosted": [], "external": []}
        print(
            f"Exchange benchmark: {ROUNDS} interleaved rounds of {count:,} calls each.",
            flush=True,
        )
        for _ in range(ROUNDS):
            rates["accrual"].append(_rate(accrual, count))
            rates["hosted"].append(_rate(hosted, count))
            rates["external"].append(_rate(external, count))
        best = {name: max(values) for name, values in rates.items()}

        # Forwarding: `records` queued records (the external exchanges above made some).
        queued = ForwardingRecord.objects.filter(status=ForwardingStatus.QUEUED)
        extra = records - queued.count()
        for n in range(max(extra, 0)):
            external(n)
        total = queued.count()

        def worker():
            try:
                return sweep(limit=10)
            finally:
                connections.close_all()

        started = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(WORKERS) as pool:
            attempts = sum(pool.map(lambda _: worker(), range(WORKERS)))
        forwarding_seconds = time.perf_counter() - started
        confirmed = ForwardingRecord.objects.filter(status=ForwardingStatus.CONFIRMED).count()
        duplicates = len(sandbox.credits) - len(
            {c.external_transaction_identifier for c in sandbox.credits}
        )

        # Baseline: the same number of credits posted straight to the sandbox, 2 threads.
        bodies = [
            contract.credit_body(
                description=f"bench {n}",
                amount=10,
                external_transaction_identifier=f"BASE{n}",
                external_transaction_date=contract.iso_utc(dt.datetime.now(dt.UTC)),
                external_source=DEMO_SOURCE,
                family_name="Bench",
            )
            for n in range(total)
        ]
        sandbox.credits.clear()
        lock = threading.Lock()
        pending = list(enumerate(bodies))

        def post_all():
            while True:
                with lock:
                    if not pending:
                        return
                    n, body = pending.pop()
                account = f"30814700{n % records:08d}"
                request = urllib.request.Request(
                    f"{running.url}/v1/programmes/ATRP/accounts/{account}/"
                    f"credit-transaction-requests?api_key={DEMO_API_KEY}",
                    data=json.dumps(body).encode(),
                    method="POST",
                    headers={"Content-Type": "application/json"},
                )
                with urllib.request.urlopen(request, timeout=10) as response:
                    response.read()

        started = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(WORKERS) as pool:
            list(pool.map(lambda _: post_all(), range(WORKERS)))
        baseline_seconds = time.perf_counter() - started
        running.stop()

    figures = {
        "accrual_per_s": best["accrual"],
        "hosted_exchange_per_s": best["hosted"],
        "external_exchange_per_s": best["external"],
        "forwarded_per_s": confirmed / forwarding_seconds,
        "direct_posts_per_s": total / baseline_seconds,
    }
    print(
        "\n".join(
            [
                f"  direct accrual (baseline)            {best['accrual']:8.0f} /s",
                f"  exchange execute, hosted -> hosted   {best['hosted']:8.0f} /s   "
                f"x{best['hosted'] / best['accrual']:.2f} of accrual",
                f"  exchange execute, hosted -> AVIOS    {best['external']:8.0f} /s   "
                f"x{best['external'] / best['accrual']:.2f} of accrual",
                f"  forwarding, {WORKERS} workers, {confirmed}/{total} confirmed in "
                f"{attempts} attempts, {duplicates} duplicate credits",
                f"    delivered to the sandbox           {figures['forwarded_per_s']:8.0f} /s   "
                f"x{figures['forwarded_per_s'] / figures['direct_posts_per_s']:.2f} of "
                f"direct posts ({figures['direct_posts_per_s']:.0f} /s, no database)",
            ]
        ),
        flush=True,
    )
    return figures


def run(quick: bool) -> dict:
    return run_in_spawned_process(_run, quick)


def main(argv: list[str] | None = None) -> int:
    return quick_cli("python -m bench.exchanges", run, argv)


if __name__ == "__main__":
    sys.exit(main())
