"""Earning-rule evaluation: 1,000 purchases against 200 active purchase rules, beside a baseline.

    uv run python -m bench.rules

No database (Django is set up only because evaluation imports an enum from the models): the
rules, purchases and member snapshots are built in memory as the loaders would build them
(loyalty.rules.inputs), so the figure is the pure evaluation's cost alone. The rules
mix every condition (tags, minimum and maximum, tiers, weekdays, hours, metadata, another fiat
currency) and every reward (points per unit, percentage, fixed bonus, tier multipliers, caps),
and the purchases vary so that some rules fire and others fail for one reason or several.

The baseline, timed in the same run, is a bare loop doing for each purchase as many Decimal
multiplications and dict lookups as there are rules: what evaluation would cost if each rule
were one multiplication and one lookup. The ratio says how much the conditions, the exact
fractions and the reasons add on top.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from loyalty.rules.inputs import MemberSnapshot, PurchaseRequest, PurchaseRuleSpec

RULES = 200
PURCHASES = 1_000
REPETITIONS = 7
SEED = 20_240_601

TIERS = ("bronze", "silver", "gold", "platinum")
TAGS = ("online", "store", "app", "weekend", "promo", "fuel")
STORES = ("paris-1", "paris-2", "lyon-1", "nice-1")
CATEGORIES = ("food", "drinks", "books", "garden", "fuel")
# The purchase's fiat to each rule's fiat, and each rule's fiat to the currency's own (EUR).
RATES = {
    ("USD", "EUR"): Decimal("0.92"),
    ("GBP", "EUR"): Decimal("1.17"),
    ("USD", "GBP"): Decimal("0.79"),
}
NOW = dt.datetime(2026, 6, 15, 12, tzinfo=dt.UTC)


def rule_specs(rng: random.Random, count: int = RULES) -> list[PurchaseRuleSpec]:
    """`count` enabled, currently valid rules; each condition and reward set on a share of them."""
    from loyalty.rules.inputs import PurchaseRuleSpec

    def some(choices, most: int) -> frozenset:
        return frozenset(rng.sample(choices, rng.randint(1, most)))

    def maybe(share: float) -> bool:
        return rng.random() < share

    rules = []
    for number in range(count):
        min_amount = Decimal(rng.choice((5, 10, 20, 50))) if maybe(0.4) else None
        capped_member = maybe(0.2)
        percentage = Decimal(rng.choice(("1", "2.5", "5"))) if maybe(0.3) else None
        matches = set()
        if maybe(0.25):
            matches.add(("store", rng.choice(STORES)))
        if maybe(0.25):
            matches |= {("category", c) for c in rng.sample(CATEGORIES, 2)}
        hour_from, hour_to = (rng.randint(0, 23), rng.randint(0, 23)) if maybe(0.3) else (None,) * 2
        rules.append(
            PurchaseRuleSpec(
                public_id=f"rl_bench{number:04d}",
                name=f"Bench rule {number}",
                fiat_currency=rng.choice(("EUR", "EUR", "EUR", "USD", "GBP")),
                tags=some(TAGS, 2) if maybe(0.5) else frozenset(),
                valid_from=NOW - dt.timedelta(days=30) if maybe(0.5) else None,
                valid_to=NOW + dt.timedelta(days=rng.randint(1, 400)) if maybe(0.5) else None,
                time_zone=rng.choice(("UTC", "Europe/Paris", "America/New_York")),
                min_amount=min_amount,
                max_amount=(min_amount or Decimal(0)) + rng.choice((100, 500))
                if maybe(0.3)
                else None,
                tiers=some(TIERS, 3) if maybe(0.3) else frozenset(),
                weekdays=some(range(7), 6) if maybe(0.3) else frozenset(range(7)),
                hour_from=hour_from,
                hour_to=hour_to,
                metadata_matches=frozenset(matches),
                points_per_unit=Decimal(rng.choice(("0.5", "1", "2", "3.25"))),
                percentage=percentage,
                unit_value=Decimal("0.01") if percentage else None,
                unit_value_currency="EUR" if percentage else None,
                fixed_bonus=rng.choice((0, 0, 0, 10, 50)),
                tier_multipliers=(
                    {tier: Decimal(rng.choice(("1.5", "2", "3"))) for tier in some(TIERS, 3)}
                    if maybe(0.4)
                    else {}
                ),
                max_points_per_purchase=rng.choice((100, 500, 1_000)) if maybe(0.3) else None,
                max_points_per_member=rng.choice((200, 2_000)) if capped_member else None,
                member_cap_period=rng.choice(("day", "month")) if capped_member else None,
                is_bonus=maybe(0.2),
            )
        )
    return rules


@dataclass(frozen=True)
class Purchase:
    request: PurchaseRequest
    member: MemberSnapshot


def purchases(
    rng: random.Random, rules: list[PurchaseRuleSpec], count: int = PURCHASES
) -> list[Purchase]:
    """`count` purchases over a week, in three fiat currencies, by members of every tier, some
    of whom already earned part of a capped rule's allowance."""
    from loyalty.rules.inputs import Awarded, MemberSnapshot, PurchaseRequest

    capped = [rule for rule in rules if rule.max_points_per_member is not None]
    made = []
    for _ in range(count):
        metadata = {}
        if rng.random() < 0.7:
            metadata["store"] = rng.choice(STORES)
        if rng.random() < 0.7:
            metadata["category"] = rng.choice(CATEGORIES)
        request = PurchaseRequest(
            amount=Decimal(rng.randint(100, 80_000)) / 100,
            fiat_currency=rng.choice(("EUR", "EUR", "USD", "GBP")),
            at=NOW + dt.timedelta(minutes=rng.randint(-3 * 24 * 60, 3 * 24 * 60)),
            tags=frozenset(rng.sample(TAGS, rng.randint(0, 2))),
            metadata=metadata,
            rates=RATES,
        )
        awarded = {
            rule.public_id: Awarded(points=rng.randint(0, rule.max_points_per_member), count=1)
            for rule in rng.sample(capped, min(len(capped), 5))
        }
        member = MemberSnapshot(tier=rng.choice((None, *TIERS)), awarded=awarded)
        made.append(Purchase(request, member))
    return made


def evaluation_work(rules: list[PurchaseRuleSpec], made: list[Purchase]) -> Callable[[], int]:
    from loyalty.rules.evaluation import evaluate_purchase

    def work() -> int:
        return sum(
            evaluate_purchase(rules=rules, request=p.request, member=p.member).points for p in made
        )

    return work


def baseline_work(rules: list[PurchaseRuleSpec], made: list[Purchase]) -> Callable[[], Decimal]:
    """Per purchase and rule: one dict lookup and one Decimal multiplication, nothing else."""
    per_unit = {rule.public_id: rule.points_per_unit for rule in rules}
    ids = [rule.public_id for rule in rules]
    amounts = [p.request.amount for p in made]

    def work() -> Decimal:
        total = Decimal(0)
        for amount in amounts:
            for rule_id in ids:
                total += amount * per_unit[rule_id]
        return total

    return work


def medians(works: list[Callable[[], object]], repetitions: int) -> list[float]:
    """The median wall-clock seconds of each of `works` over `repetitions` calls.

    The works take turns within each repetition, so that a change in the machine's load during
    the run weighs on all of them alike and their ratio stays meaningful.
    """
    times: list[list[float]] = [[] for _ in works]
    for _ in range(repetitions):
        for work, taken in zip(works, times, strict=True):
            started = time.perf_counter()
            work()
            taken.append(time.perf_counter() - started)
    return [statistics.median(taken) for taken in times]


@dataclass(frozen=True)
class Figures:
    rules: int
    purchases: int
    repetitions: int
    fired_share: float
    evaluation_us_per_purchase: float
    baseline_us_per_purchase: float

    @property
    def evaluation_us_per_rule(self) -> float:
        return self.evaluation_us_per_purchase / self.rules

    @property
    def baseline_us_per_rule(self) -> float:
        return self.baseline_us_per_purchase / self.rules

    @property
    def ratio(self) -> float:
        return self.evaluation_us_per_purchase / self.baseline_us_per_purchase


def run(*, repetitions: int = REPETITIONS) -> Figures:
    """Build the inputs, time both loops, print the figures and return them (Django set up)."""
    from loyalty.rules.evaluation import evaluate_purchase

    rng = random.Random(SEED)
    rules = rule_specs(rng)
    made = purchases(rng, rules)
    outcomes = [
        evaluate_purchase(rules=rules, request=p.request, member=p.member).outcomes for p in made
    ]
    fired = sum(o.fired for per_purchase in outcomes for o in per_purchase)
    # The pass above doubles as the evaluation's warm-up.
    evaluation, baseline = medians(
        [evaluation_work(rules, made), baseline_work(rules, made)], repetitions
    )
    figures = Figures(
        rules=len(rules),
        purchases=len(made),
        repetitions=repetitions,
        fired_share=fired / (len(rules) * len(made)),
        evaluation_us_per_purchase=evaluation / len(made) * 1e6,
        baseline_us_per_purchase=baseline / len(made) * 1e6,
    )
    print(
        f"Rule evaluation benchmark: {figures.purchases:,} purchases x {figures.rules} active "
        f"purchase rules, median of {repetitions} runs; {figures.fired_share:.0%} of the "
        "rule evaluations fire."
    )
    print(
        f"  {'evaluate_purchase:':<32} {figures.evaluation_us_per_purchase:9,.0f} µs per purchase"
        f"   {figures.evaluation_us_per_rule:7.2f} µs per rule evaluation"
    )
    print(
        f"  {'baseline (Decimal x, dict get):':<32} {figures.baseline_us_per_purchase:9,.0f} µs "
        f"per purchase   {figures.baseline_us_per_rule:7.2f} µs per rule evaluation"
    )
    print(f"  {'ratio evaluation / baseline:':<32} {figures.ratio:9.1f}\n", flush=True)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.rules", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--repetitions",
        type=int,
        default=REPETITIONS,
        help=f"timed runs of each loop; the median is reported (default {REPETITIONS})",
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "loyalty.settings")
    import django

    django.setup()
    run(repetitions=args.repetitions)
    return 0


if __name__ == "__main__":
    sys.exit(main())
