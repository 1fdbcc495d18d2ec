"""The admin's front page with its tiles of the forwarding queue and of gift-card stock.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/loyalty \
        uv run python -m bench.dashboard [--quick]

On a throwaway database (bench.support): PROGRAMMES partner programmes (external currencies)
with RECORDS forwarding records exchanged out to them through exchange_execute, then (a
bench-only shortcut, rows straight into the tables) three answered attempts each and a mix of
statuses (queued, retrying, dead, confirmed), and CARDS gift cards of three denominations with a
few codes each, most below their low-stock threshold. It then measures the front page as a
superuser gets it (Django's test client, the whole middleware), beside a baseline: the same page
without the two tiles (so the ratio is what they cost), and the query count of each; and
forwarding_health alone. `--quick` (or BENCH_QUICK=1) uses a tenth of the records.
"""

from __future__ import annotations

import random
import sys
import time
from decimal import Decimal

from bench.support import quick_cli, run_in_spawned_process

PROGRAMMES = 10
RECORDS = 2_000
CARDS = 30
PAGES = 20  # front pages per measure, best of the rounds
ROUNDS = 3
GOAL_SECONDS = 0.5  # the front page, tiles included, at worst


def _setup(records: int) -> None:
    from django.db.models import F

    from giftcards.models import DenominationType, GiftCardType
    from giftcards.services.catalogue import gift_card_create
    from giftcards.services.imports import codes_import
    from loyalty import ledger
    from loyalty.models import (
        AttemptOutcome,
        ExchangeDirection,
        ExchangePartnership,
        ForwardingAttempt,
        ForwardingRecord,
        ForwardingStatus,
        Partner,
        TransactionType,
    )
    from loyalty.selectors import member_account, mint_account
    from loyalty.services.accounts import loyalty_currency_create
    from loyalty.services.exchanges import exchange_execute
    from loyalty.services.members import member_create

    owner = Partner.objects.create(company_name="Bench Rewards", api_identifier="bench-rewards")
    points = loyalty_currency_create(
        code="BENCH_POINTS", name="Bench Points", owner=owner, fiat_currency="EUR"
    )
    codes = []
    for n in range(PROGRAMMES):
        programme = Partner.objects.create(
            company_name=f"Bench Programme {n}", api_identifier=f"bench-programme-{n}"
        )
        currency = loyalty_currency_create(
            code=f"BENCH_EXT_{n}",
            name=f"Programme {n}",
            owner=programme,
            fiat_currency="EUR",
            is_hosted=False,
        )
        ExchangePartnership.objects.create(
            partner=programme,
            loyalty_currency=points,
            partner_currency=currency,
            direction=ExchangeDirection.EXCHANGE_OUT,
            conversion_ratio_per_unit=Decimal("1"),
        )
        codes.append(currency.code)
    members = []
    for n in range(20):
        member = member_create(
            loyalty_currency=points, loyalty_program_identifiers={"id": f"B{n:06d}"}
        )
        ledger.post(
            origin=mint_account(loyalty_currency=points),
            destination=member_account(member=member),
            amount=10**9,
            type=TransactionType.ACCRUAL,
        )
        members.append(member)
    for n in range(records):
        exchange_execute(
            partner=owner,
            amount=10,
            origin_loyalty_currency="BENCH_POINTS",
            destination_loyalty_currency=codes[n % PROGRAMMES],
            origin_member={"id": members[n % len(members)].membership_id},
            destination_member={"id": f"{n:08d}"},
        )
    rng = random.Random(7)
    outcomes = [AttemptOutcome.TRANSIENT, AttemptOutcome.CONFIRMED, AttemptOutcome.REJECTED]
    ids = list(ForwardingRecord.objects.values_list("pk", flat=True))
    ForwardingAttempt.objects.bulk_create(
        [
            ForwardingAttempt(
                record_id=pk,
                number=number,
                outcome=rng.choice(outcomes),
                latency_ms=rng.randint(50, 2_000),
            )
            for pk in ids
            for number in (1, 2, 3)
        ],
        batch_size=5_000,
    )
    for status, share in [
        (ForwardingStatus.CONFIRMED, slice(0, None, 2)),
        (ForwardingStatus.RETRYING, slice(1, None, 4)),
        (ForwardingStatus.DEAD, slice(3, None, 20)),
    ]:
        done = status != ForwardingStatus.RETRYING
        ForwardingRecord.objects.filter(pk__in=ids[share]).update(
            status=status, attempts=3, finished_at=F("created_at") if done else None
        )
    retailer = Partner.objects.create(company_name="Bench Shop", api_identifier="bench-shop")
    for n in range(CARDS):
        card = gift_card_create(
            partner=retailer,
            name=f"Bench card {n}",
            type=GiftCardType.FIXED_VALUE,
            denomination_type=DenominationType.FIXED,
            fiat_currency="EUR",
            countries=["ESP"],
            denominations=[Decimal("5.00"), Decimal("10.00"), Decimal("25.00")],
            low_stock_threshold=5,
        )
        rows = "\n".join(f"B{n}-{i:04d},,{'5.00' if i % 2 else '10.00'}" for i in range(6))
        codes_import(gift_card=card, data=f"code,pin,denomination\n{rows}".encode())


def _run(*, quick: bool, base_url: str) -> dict:
    from bench.support import Figure, django_setup, summary_table, throwaway_database

    records = RECORDS // 10 if quick else RECORDS
    with throwaway_database(base_url) as url:
        django_setup(url)
        from django.contrib.auth.models import User
        from django.db import connection
        from django.test import Client
        from django.test.utils import override_settings

        from loyalty.admin import dashboard
        from loyalty.selectors import forwarding_health

        print(
            f"Front-page benchmark: {PROGRAMMES} programmes, {records:,} forwarding records, "
            f"{CARDS} gift cards; {ROUNDS} rounds of {PAGES} pages.",
            flush=True,
        )
        _setup(records)
        client = Client()
        client.force_login(User.objects.create_superuser("bench", "bench@example.com", "x"))
        with_tiles = list(dashboard.TILES)
        without = [tile for tile in with_tiles if tile is not dashboard.forwarding_tile]

        def page() -> None:
            response = client.get("/admin/")
            assert response.status_code == 200, response.status_code

        def seconds(tiles, paths) -> tuple[float, int]:
            dashboard.TILES[:] = tiles
            with override_settings(DASHBOARD_TILES=paths, ALLOWED_HOSTS=["testserver"]):
                page()  # warm
                executed = []

                def count(execute, sql, params, many, context):
                    executed.append(sql)
                    return execute(sql, params, many, context)

                with connection.execute_wrapper(count):
                    page()
                times = []
                for _ in range(ROUNDS):
                    started = time.perf_counter()
                    for _ in range(PAGES):
                        page()
                    times.append((time.perf_counter() - started) / PAGES)
            dashboard.TILES[:] = with_tiles
            return min(times), len(executed)

        base, base_queries = [], 0
        tiled, tiled_queries = [], 0
        for _ in range(2):  # interleaved, so neither side gets the warmer cache only
            s, base_queries = seconds(without, [])
            base.append(s)
            s, tiled_queries = seconds(with_tiles, ["giftcards.dashboard.low_stock_tile"])
            tiled.append(s)
        page_s, base_s = min(tiled), min(base)
        started = time.perf_counter()
        health = [forwarding_health() for _ in range(PAGES)]
        health_s = (time.perf_counter() - started) / PAGES
        assert len(health[0]) == PROGRAMMES
        figures = [
            Figure(
                "front page with the forwarding and gift-card tiles",
                1 / page_s,
                "pages/s",
                compared_with="the page without them",
                ratio=base_s / page_s,
                goal=f"under {GOAL_SECONDS * 1000:.0f} ms",
                met=page_s < GOAL_SECONDS,
            ),
            Figure("front page without them (baseline)", 1 / base_s, "pages/s"),
            Figure(
                f"forwarding_health, {PROGRAMMES} programmes",
                1 / health_s,
                "calls/s",
                compared_with="the whole front page",
                ratio=page_s / health_s,
            ),
        ]
        notes = [
            (
                "front page, in ms",
                f"{page_s * 1000:.1f} with the tiles, {base_s * 1000:.1f} without",
            ),
            ("queries per front page", f"{tiled_queries} with the tiles, {base_queries} without"),
            ("forwarding_health, in ms", f"{health_s * 1000:.1f}"),
        ]
        for figure in figures:
            print("  " + figure.line(60), flush=True)
        print()
        print(summary_table(figures, notes))
        print(flush=True)
        return {"page_ms": page_s * 1000, "base_ms": base_s * 1000, "queries": tiled_queries}


def run(quick: bool) -> dict:
    return run_in_spawned_process(_run, quick)


def main(argv: list[str] | None = None) -> int:
    return quick_cli("python -m bench.dashboard", run, argv)


if __name__ == "__main__":
    sys.exit(main())
