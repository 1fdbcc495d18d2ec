"""The ledger benchmark: postings from many origins and from one hot origin, and the release sweep.

Every partner accrual debits the partner's account, so a busy partner's account row is locked by
each of its postings in turn (DESIGN.md, "Hot accounts"). The goals: posting from one origin keeps
at least 0.8 of the rate of posting from many, and one release sweep clears at least 20,000 due
transactions a second. Each rate is printed beside a baseline measured in the same run.

Workers never share a destination account, and in the many-origins run never an origin either, so
the one-origin run differs from it only by the shared partner row.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from django.db import connection
from django.db import transaction as db_transaction
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench.support import Figure, Plan, run_in_workers, split, timed
from loyalty import ledger
from loyalty.ledger_audit import ledger_report
from loyalty.models import (
    Account,
    Member,
    Partner,
    StatusMessageCode,
    Transaction,
    TransactionStatus,
    TransactionSubType,
    TransactionType,
)
from loyalty.selectors import mint_account
from loyalty.services.accounts import loyalty_currency_create

AMOUNT = 10
ONE_ORIGIN_GOAL = 0.8
RELEASE_GOAL = 20_000
ROUNDS = 3


@dataclass(frozen=True)
class Scale:
    """How much work the benchmark does; `--quick` divides the counts by ten.

    `postings` is per measure (baseline, many origins, one origin), over all rounds.
    """

    postings: int
    releases: int
    workers: int
    members: int
    origins_per_worker: int

    def quick(self) -> Scale:
        return Scale(
            postings=self.postings // 10,
            releases=self.releases // 10,
            workers=self.workers,
            members=self.members // 10,
            origins_per_worker=max(1, self.origins_per_worker // 10),
        )


FULL = Scale(postings=12_000, releases=100_000, workers=8, members=4_000, origins_per_worker=25)


Progress = Callable[[Figure | str], None]


class BenchmarkFailed(RuntimeError):
    """The ledger came out wrong: a rate measured on wrong books means nothing."""


@dataclass(frozen=True)
class Cast:
    """The accounts the benchmark moves units between (ids), dealt out per worker."""

    currency_id: int
    owner_id: int
    mint_id: int
    hot_id: int
    origins: list[list[int]]
    members: list[list[int]]


def cast_create(scale: Scale) -> Cast:
    """Create the currency, the partners' and the members' accounts in bulk.

    Partner accounts are created before member accounts, as in production where partners join
    first, so the partner's row has the lower id and the ledger updates it first.
    """
    owner = Partner.objects.create(company_name="Bench Owner", api_identifier="bench-owner")
    currency = loyalty_currency_create(
        code="BENCH_POINTS", name="Bench Points", owner=owner, fiat_currency="EUR"
    )
    credit_limit = 10 * scale.postings * AMOUNT
    partners = Partner.objects.bulk_create(
        Partner(company_name=f"Bench Partner {i}", api_identifier=f"bench-partner-{i}")
        for i in range(scale.workers * scale.origins_per_worker + 1)
    )
    partner_accounts = Account.objects.bulk_create(
        Account(partner=p, loyalty_currency=currency, is_default=True, credit_limit=credit_limit)
        for p in partners
    )
    members = Member.objects.bulk_create(
        Member(
            loyalty_currency=currency,
            membership_id=f"B{i:07d}",
            loyalty_program_identifiers={"id": f"B{i:07d}"},
            first_name="Bench",
            last_name=f"Member {i}",
        )
        for i in range(scale.members)
    )
    member_accounts = Account.objects.bulk_create(
        Account(member=m, loyalty_currency=currency, credit_limit=0) for m in members
    )
    hot, *origins = (a.pk for a in partner_accounts)
    return Cast(
        currency_id=currency.pk,
        owner_id=owner.pk,
        mint_id=mint_account(loyalty_currency=currency).pk,
        hot_id=hot,
        origins=split(origins, scale.workers),
        members=split([a.pk for a in member_accounts], scale.workers),
    )


def _pairs(origins: list[int], members: list[int], count: int) -> list[tuple[int, int]]:
    return [(origins[i % len(origins)], members[i % len(members)]) for i in range(count)]


def _share(total: int, parts: int, index: int) -> int:
    return total // parts + (index < total % parts)


def many_origin_pairs(cast: Cast, scale: Scale, count: int) -> list[list[tuple[int, int]]]:
    """`count` postings dealt to the workers, each from its own partners to its own members."""
    return [
        _pairs(cast.origins[w], cast.members[w], _share(count, scale.workers, w))
        for w in range(scale.workers)
    ]


def one_origin_pairs(cast: Cast, scale: Scale, count: int) -> list[list[tuple[int, int]]]:
    """`count` postings dealt to the workers, each from the one hot partner to its own members."""
    return [
        _pairs([cast.hot_id], cast.members[w], _share(count, scale.workers, w))
        for w in range(scale.workers)
    ]


def _load(pairs: list[tuple[int, int]]) -> list[tuple[Account, Account]]:
    """The accounts with their owners, as the API has them in hand when it posts."""
    ids = {pk for pair in pairs for pk in pair}
    accounts = Account.objects.select_related("member", "partner").in_bulk(ids)
    return [(accounts[o], accounts[d]) for o, d in pairs]


def _post_all(pairs: list[tuple[Account, Account]]) -> None:
    for origin, destination in pairs:
        ledger.post(
            origin=origin,
            destination=destination,
            amount=AMOUNT,
            type=TransactionType.ACCRUAL,
            sub_type=TransactionSubType.STANDARD,
            created_by_partner=origin.partner,
        )


def _insert_and_update_all(pairs: list[tuple[Account, Account]]) -> None:
    """The baseline: the same transaction row, inserted by hand, and one balance UPDATE."""
    for origin, destination in pairs:
        with db_transaction.atomic():
            Transaction.objects.create(
                loyalty_currency_id=origin.loyalty_currency_id,
                origin_account=origin,
                destination_account=destination,
                amount=AMOUNT,
                type=TransactionType.ACCRUAL,
                sub_type=TransactionSubType.STANDARD,
                status=TransactionStatus.COMPLETED,
                completed_at=timezone.now(),
                created_by_partner=origin.partner,
            )
            Account.objects.filter(pk=destination.pk).update(balance=F("balance") + AMOUNT)


def _plan(work, pairs: list[tuple[int, int]]) -> Plan:
    return lambda: partial(work, _load(pairs))


def settle_baseline(pairs: list[list[tuple[int, int]]]) -> None:
    """Debit the origins the baseline left out, so that the books balance again (not timed)."""
    owed = Counter(origin for worker in pairs for origin, _ in worker)
    for origin_id, count in owed.items():
        Account.objects.filter(pk=origin_id).update(balance=F("balance") - count * AMOUNT)


def post_queries(cast: Cast) -> list[str]:
    """The SQL statements of one ledger.post from the hot partner, as the workers call it."""
    [(origin, destination)] = _load([(cast.hot_id, cast.members[0][0])])
    with CaptureQueriesContext(connection) as captured:
        _post_all([(origin, destination)])
    return [query["sql"] for query in captured.captured_queries]


def _describe(statements: list[str]) -> str:
    """'5 (BEGIN, INSERT INTO loyalty_transaction, ...)': the count and each statement's start."""
    heads = (" ".join(s.replace('"', "").split()[:3]) for s in statements)
    return f"{len(statements)} ({', '.join(h.removesuffix(' SET') for h in heads)})"


PENDING_INSERT = """
    INSERT INTO loyalty_transaction (
        public_id, loyalty_currency_id, type, sub_type, status, status_message,
        status_message_code, amount, origin_account_id, destination_account_id, bonus,
        external_reference, loyalty_system_id, loyalty_system_data, metadata, reason, reason_code,
        release_date, created_at, created_by_partner_id
    )
    SELECT
        'tx_' || left(replace(gen_random_uuid()::text, '-', ''), 20), %(currency)s, %(type)s,
        %(sub_type)s, %(status)s, %(message)s, %(message_code)s, %(amount)s, %(origin)s,
        (%(destinations)s::bigint[])[1 + g %% cardinality(%(destinations)s::bigint[])], false,
        '', '', '{}', '{}', '', '',
        %(minute)s - make_interval(mins => 1 + g %% 120), %(now)s - interval '1 day', %(partner)s
    FROM generate_series(0, %(count)s - 1) AS g
    RETURNING id
"""

PENDING_SCHEDULE = """
    INSERT INTO loyalty_pendingrelease (transaction_id, release_date, amount)
    SELECT id, release_date, amount FROM loyalty_transaction WHERE id = ANY(%(ids)s)
"""

PENDING_BOOK = """
    UPDATE loyalty_account AS account
    SET pending_balance = account.pending_balance + due.total
    FROM (
        SELECT destination_account_id AS id, SUM(amount) AS total
        FROM loyalty_transaction WHERE id = ANY(%(ids)s) GROUP BY destination_account_id
    ) AS due
    WHERE account.id = due.id
"""


def pending_create(cast: Cast, count: int, now: dt.datetime) -> tuple[int, int]:
    """Insert `count` due pending accruals from the mint in one statement, booked and scheduled
    as `hold` would.

    Release dates fall in the two hours before `now`; consecutive rows go to different members.
    SQL rather than bulk_create, which takes minutes for this many rows on a small machine.
    Returns the first and last transaction id.
    """
    destinations = [pk for worker in cast.members for pk in worker]
    with connection.cursor() as cursor:
        cursor.execute(
            PENDING_INSERT,
            {
                "currency": cast.currency_id,
                "type": TransactionType.ACCRUAL,
                "sub_type": TransactionSubType.STANDARD,
                "status": TransactionStatus.PENDING,
                "message": "The release date has not been reached yet.",
                "message_code": StatusMessageCode.RELEASE_DATE_NOT_REACHED,
                "amount": AMOUNT,
                "origin": cast.mint_id,
                "destinations": destinations,
                "minute": ledger.truncate_to_minute(now),
                "now": now,
                "partner": cast.owner_id,
                "count": count,
            },
        )
        ids = [row[0] for row in cursor.fetchall()]
        cursor.execute(PENDING_SCHEDULE, {"ids": ids})
        cursor.execute(PENDING_BOOK, {"ids": ids})
        # The statistics autovacuum would have gathered by the time these fall due.
        cursor.execute("ANALYZE loyalty_transaction, loyalty_account, loyalty_pendingrelease")
    Account.objects.filter(pk=cast.mint_id).update(balance=F("balance") - count * AMOUNT)
    return min(ids), max(ids)


def check_books(when: str) -> None:
    report = ledger_report()
    if not report.ok:
        raise BenchmarkFailed(f"The ledger does not balance {when}:\n{report.render()}")


def check_released(first_id: int, last_id: int, count: int, released: int) -> None:
    completed = Transaction.objects.filter(
        id__range=(first_id, last_id), status=TransactionStatus.COMPLETED
    ).count()
    still_pending = Transaction.objects.filter(status=TransactionStatus.PENDING).count()
    if released != count or completed != count or still_pending:
        raise BenchmarkFailed(
            f"release_due released {released:,} of {count:,}: {completed:,} completed, "
            f"{still_pending:,} still pending."
        )
    check_books("after the release sweep")


def measure_postings(cast: Cast, scale: Scale, progress: Progress) -> list[Figure]:
    """Time the baseline, many origins and one origin in turn, `ROUNDS` times over.

    Interleaving the three runs spreads a passing load on the machine over all of them, and
    each round starts with the next one, so that none always runs first; the ratios then hold
    even when the absolute rates do not.
    """
    per_round = max(scale.workers, scale.postings // ROUNDS)
    many = many_origin_pairs(cast, scale, per_round)
    one = one_origin_pairs(cast, scale, per_round)
    runs = [
        ("baseline", _insert_and_update_all, many),
        ("many origins", _post_all, many),
        ("one origin", _post_all, one),
    ]
    seconds: Counter[str] = Counter()
    for round_number in range(ROUNDS):
        took = {}
        for name, work, pairs in runs[round_number:] + runs[:round_number]:
            took[name] = run_in_workers([_plan(work, worker) for worker in pairs])
        settle_baseline(many)
        seconds.update(took)
        rates = ", ".join(f"{name} {per_round / s:,.0f}/s" for name, s in took.items())
        progress(f"round {round_number + 1}/{ROUNDS}: {rates}")

    ops = per_round * ROUNDS
    baseline = Figure(
        f"baseline (bare ORM INSERT + UPDATE, {scale.workers} workers)",
        ops / seconds["baseline"],
        "ops/s",
    )
    rate = ops / seconds["many origins"]
    many_origins = Figure(
        "postings, many origins", rate, "postings/s", "baseline", rate / baseline.rate
    )
    rate = ops / seconds["one origin"]
    ratio = rate / many_origins.rate
    one_origin = Figure(
        "postings, one partner origin",
        rate,
        "postings/s",
        "many origins",
        ratio,
        f">= {ONE_ORIGIN_GOAL}",
        ratio >= ONE_ORIGIN_GOAL,
    )
    return [baseline, many_origins, one_origin]


def measure_releases(cast: Cast, scale: Scale) -> tuple[Figure, str]:
    """Time one release_due() sweep over `scale.releases` due pending transactions."""
    first_id, last_id = pending_create(cast, scale.releases, timezone.now())
    check_books("before the release sweep")
    released, seconds = timed(ledger.release_due)
    rate = scale.releases / seconds
    check_released(first_id, last_id, scale.releases, released)
    figure = Figure(
        f"releases, {scale.releases:,} due",
        rate,
        "releases/s",
        goal=f">= {RELEASE_GOAL:,}/s",
        met=rate >= RELEASE_GOAL,
    )
    return figure, f"{released:,} released in {seconds:.1f} s, all completed, books balance"


def run(scale: Scale, progress: Progress) -> tuple[list[Figure], list[tuple[str, str]]]:
    """Run every measurement; `progress` hears of each round and figure as it ends."""
    cast = cast_create(scale)
    figures = measure_postings(cast, scale, progress)
    queries = _describe(post_queries(cast))
    check_books("after the postings")
    for figure in figures:
        progress(figure)
    releases, sweep = measure_releases(cast, scale)
    progress(releases)
    notes = [("SQL statements in one ledger.post", queries), ("release sweep", sweep)]
    return [*figures, releases], notes
