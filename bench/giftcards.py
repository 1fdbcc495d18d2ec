"""Gift cards: code allocation under 16 concurrent issuers, and the import of a big code file.

Runs inside `python -m bench` on its throwaway database (or alone:
`DATABASE_URL=postgres://... [REDIS_URL=redis://...] uv run python -m bench.giftcards [--quick]`;
alone it uses the Redis of the API benchmarks, bench.api.DEFAULT_REDIS_URL, unless REDIS_URL
names one: the partner API's reference-data cache, which the issues run under as a request
does, holds only under a Redis epoch token, and without one every issue would reload the card,
its prices and the retailer's account as no API request in production does).

- allocations: ISSUERS worker processes issue codes of one denomination of one card for points
  (giftcards.services.issuance.gift_card_issue: the member's debit through the ledger and one
  code taken with FOR UPDATE SKIP LOCKED, in one transaction), each for members of its own,
  each call wrapped as the API wraps a request (epoch scope, unit of work); beside a baseline of
  the same processes posting the same debits through the ledger with no code, wrapped alike.
  Goal: at least ALLOCATION_GOAL allocations per second, and no code issued twice
  (checked after the run: one code per exchange, every code distinct).
- import: a CSV of IMPORT_CODES codes through codes_import (the whole file validated, each code
  and PIN encrypted and hashed, inserted in batches), beside a baseline that inserts the same
  number of rows with bulk_create and no validation, hashing or encryption.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from contextlib import contextmanager
from decimal import Decimal

from bench.support import (
    Figure,
    django_setup,
    run_in_workers,
    summary_table,
    throwaway_database,
)

ISSUERS = 16
ALLOCATIONS = 3_200  # per measure; a tenth with --quick
IMPORT_CODES = 100_000
ALLOCATION_GOAL = 200.0
PRICE = 1_000  # points for a 10.00 card at 0.01 a point


def _setup(allocations: int):
    from giftcards.models import GiftCardPriceType
    from giftcards.services.catalogue import gift_card_create
    from giftcards.services.imports import codes_import
    from loyalty import ledger
    from loyalty.models import Member, Partner, TransactionType
    from loyalty.selectors import member_account, mint_account
    from loyalty.services.accounts import loyalty_currency_create
    from loyalty.services.members import member_create

    owner = Partner.objects.create(company_name="Bench Owner", api_identifier="bench-gc-owner")
    retailer = Partner.objects.create(company_name="Bench Shop", api_identifier="bench-gc-shop")
    currency = loyalty_currency_create(
        code="BENCH_GC", name="Bench", owner=owner, fiat_currency="EUR"
    )
    card = gift_card_create(
        partner=retailer,
        name="Bench card",
        fiat_currency="EUR",
        denominations=[Decimal("10.00")],
        prices=[(currency, GiftCardPriceType.CUSTOMERS_PERCEIVED_VALUE)],
    )
    rows = "\n".join(f"BENCH-{n:08d},{n % 10000:04d},10.00" for n in range(allocations))
    report = codes_import(gift_card=card, data=f"code,pin,denomination\n{rows}".encode())
    assert report.ok, report.errors[:3]
    mint = mint_account(loyalty_currency=currency)
    members: list[list[str]] = [[] for _ in range(ISSUERS)]
    per_member = 4  # issues per member per measure
    for n in range(allocations * 2 // per_member):  # members for the baseline and the measure
        member = member_create(
            loyalty_currency=currency, loyalty_program_identifiers={"id": f"B{n:07d}"}
        )
        ledger.post(
            origin=mint,
            destination=member_account(member=member),
            amount=PRICE * per_member,
            type=TransactionType.ACCRUAL,
        )
        members[n % ISSUERS].append(member.membership_id)
    assert Member.objects.count() >= allocations // 2
    return owner, retailer, currency, card, members, per_member


@contextmanager
def _as_a_request():
    """What the partner API wraps a POST in: the reference-data cache's epoch scope and a unit
    of work (one transaction, the partners' accounts written last)."""
    from loyalty import caching, ledger
    from loyalty.unit_of_work import unit_of_work

    with caching.epoch_scope(caching.current_token()), unit_of_work(ledger.apply_deferred):
        yield


def _issue_plan(owner_id: int, card_id: str, membership_ids: list[str], per_member: int):
    def plan():
        from giftcards.services.issuance import gift_card_issue
        from loyalty.models import Partner

        owner = Partner.objects.get(pk=owner_id)

        def work():
            for membership_id in membership_ids:
                for _ in range(per_member):
                    with _as_a_request():
                        gift_card_issue(
                            partner=owner,
                            gift_card_id=card_id,
                            member={"id": membership_id},
                            fiat_amount=Decimal("10.00"),
                        )

        return work

    return plan


def _debit_plan(currency_id: int, retailer_id: int, membership_ids: list[str], per_member: int):
    def plan():
        from loyalty import ledger
        from loyalty.models import LoyaltyCurrency, TransactionType
        from loyalty.selectors import issuing_account, member_account_get

        currency = LoyaltyCurrency.objects.get(pk=currency_id)
        destination = issuing_account(partner=retailer_id, loyalty_currency=currency)

        def work():
            for membership_id in membership_ids:
                for _ in range(per_member):
                    with _as_a_request():
                        origin = member_account_get(
                            loyalty_currency=currency, identifiers={"id": membership_id}
                        )
                        ledger.post(
                            origin=origin,
                            destination=destination,
                            amount=PRICE,
                            type=TransactionType.GIFT_CARD_EXCHANGE,
                        )

        return work

    return plan


def measure_allocations(quick: bool) -> list[Figure]:
    from django.db.models import Count

    from giftcards.models import CodeStatus, GiftCardCode
    from loyalty.ledger_audit import ledger_report
    from loyalty.models import Transaction, TransactionType

    allocations = ALLOCATIONS // 10 if quick else ALLOCATIONS
    owner, retailer, currency, card, members, per_member = _setup(allocations)
    half = [ids[: len(ids) // 2] for ids in members]
    other = [ids[len(ids) // 2 :] for ids in members]
    baseline_s = run_in_workers(
        [_debit_plan(currency.pk, retailer.pk, ids, per_member) for ids in half]
    )
    issue_s = run_in_workers(
        [_issue_plan(owner.pk, card.public_id, ids, per_member) for ids in other]
    )
    issued = sum(len(ids) for ids in other) * per_member
    baseline_ops = sum(len(ids) for ids in half) * per_member
    codes = GiftCardCode.objects.filter(gift_card=card, status=CodeStatus.ISSUED)
    exchanges = Transaction.objects.filter(
        type=TransactionType.GIFT_CARD_EXCHANGE, related_data__has_key="id"
    )
    distinct = codes.values("pk").distinct().count()
    referenced = exchanges.values("related_data__id").annotate(n=Count("pk"))
    duplicates = sum(1 for row in referenced if row["n"] > 1)
    assert codes.count() == issued == exchanges.count() == distinct, (codes.count(), issued)
    report = ledger_report()
    assert report.ok, report.render()
    baseline = Figure(
        f"baseline: ledger debits alone, {ISSUERS} workers", baseline_ops / baseline_s, "ops/s"
    )
    rate = issued / issue_s
    return [
        baseline,
        Figure(
            f"code allocations, {ISSUERS} issuers, one denomination ({duplicates} duplicates)",
            rate,
            "codes/s",
            "baseline",
            rate / baseline.rate,
            f">= {ALLOCATION_GOAL:.0f}/s, 0 duplicates",
            rate >= ALLOCATION_GOAL and duplicates == 0,
        ),
    ]


def measure_import(quick: bool) -> list[Figure]:
    from django.db import connection

    from giftcards.models import GiftCard, GiftCardCode
    from giftcards.services.imports import codes_import
    from loyalty.models import Partner

    count = IMPORT_CODES // 10 if quick else IMPORT_CODES
    retailer = Partner.objects.get(api_identifier="bench-gc-shop")
    card = GiftCard.objects.create(partner=retailer, name="Bench import", fiat_currency="EUR")
    card.denominations.create(value=Decimal("25.00"))
    data = "code,pin,denomination\n" + "\n".join(
        f"IMPORT-{n:09d},{n % 10000:04d},25.00" for n in range(count)
    )
    started = time.perf_counter()
    GiftCardCode.objects.bulk_create(
        [
            GiftCardCode(
                gift_card=card,
                code_hash=f"baseline-{n}",
                code_encrypted="x",
                denomination=Decimal("25.00"),
            )
            for n in range(count)
        ],
        batch_size=2_000,
    )
    baseline_s = time.perf_counter() - started
    with connection.cursor() as cursor:  # one statement, not the ORM's collector over 100,000 ids
        cursor.execute(
            f"DELETE FROM {GiftCardCode._meta.db_table} WHERE gift_card_id = %s", [card.pk]
        )
    started = time.perf_counter()
    report = codes_import(gift_card=card, data=data.encode())
    import_s = time.perf_counter() - started
    assert report.ok and report.created == count
    baseline = Figure(f"baseline: bulk_create of {count:,} bare rows", count / baseline_s, "rows/s")
    rate = count / import_s
    return [
        baseline,
        Figure(
            f"code import, {count:,}-code CSV ({import_s:.1f} s)",
            rate,
            "codes/s",
            "baseline",
            rate / baseline.rate,
        ),
    ]


def run(quick: bool = False) -> list[Figure]:
    """The two measures on the database Django is set up on; prints and returns the figures."""
    from loyalty import caching

    width = 70
    cache = "on" if caching.current_token() else "off (no Redis: every issue reloads the card)"
    print(f"Gift-card benchmark (reference-data cache {cache}):", flush=True)
    figures = measure_allocations(quick)
    for figure in figures:
        print("  " + figure.line(width), flush=True)
    more = measure_import(quick)
    for figure in more:
        print("  " + figure.line(width), flush=True)
    figures += more
    print()
    print(summary_table(figures, []))
    print(flush=True)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.giftcards")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    base_url = os.environ.get("DATABASE_URL", "")
    if not base_url:
        parser.error("set DATABASE_URL to a PostgreSQL server")
    from bench.api import DEFAULT_REDIS_URL

    os.environ["REDIS_URL"] = os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL
    with throwaway_database(base_url) as url:
        django_setup(url)
        run(args.quick)
    return 0


if __name__ == "__main__":
    sys.exit(main())
