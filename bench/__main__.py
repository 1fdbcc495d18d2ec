"""`make bench`: the ledger and gift-card benchmarks, the accrual API benchmark, redemptions,
exchanges and forwarding, rule evaluation, finance, then the admin's front page.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/loyalty uv run python -m bench [--quick]

DATABASE_URL only says which server to use: each benchmark creates loyalty_bench_<pid> there,
migrates it and drops it at the end (the API benchmark runs in a process of its own, see
bench/api.py; it also measures the purchase-rule trigger; bench/redemptions.py likewise, and so
does bench/exchanges.py, with the sandbox programme served in its process). Rule evaluation
needs no database (bench/rules.py). The gift-card benchmark (bench/giftcards.py) runs on the
ledger's database after it. The finance benchmark (bench/finance.py: the liability report over
1,000,000 transactions, the streaming CSV at 100,000 and 1,000,000 rows) has a database of its
own too, and so does the front page's (bench/dashboard.py: the page with the forwarding and
gift-card tiles beside the page without them). `--quick` (or BENCH_QUICK=1) runs a tenth of the
work.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import time

from bench.support import Figure, django_setup, summary_table, throwaway_database


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        default=os.environ.get("BENCH_QUICK", "") not in {"", "0"},
        help="a tenth of the postings and releases, for a smoke run",
    )
    parser.add_argument(
        "--workers", type=int, default=None, help="concurrent worker processes (default 8)"
    )
    args = parser.parse_args(argv)
    base_url = os.environ.get("DATABASE_URL", "")
    if not base_url:
        parser.error("set DATABASE_URL to a PostgreSQL server, e.g. via `make bench`")

    started = time.perf_counter()
    with throwaway_database(base_url) as url:
        django_setup(url)
        from bench import ledger

        scale = ledger.FULL.quick() if args.quick else ledger.FULL
        if args.workers:
            scale = dataclasses.replace(scale, workers=args.workers)
        width = 47
        print(
            f"Ledger benchmark on database {url.rsplit('/', 1)[-1]}: {scale.workers} worker "
            f"processes, {scale.postings:,} operations per posting measure in {ledger.ROUNDS} "
            f"rounds, {scale.releases:,} due releases.",
            flush=True,
        )

        def progress(item: Figure | str) -> None:
            print("  " + (item.line(width) if isinstance(item, Figure) else item), flush=True)

        figures, notes = ledger.run(scale, progress)
        print()
        print(summary_table(figures, notes))

        from bench import giftcards

        giftcards.run(args.quick)
    print(f"\nTotal time (set-up included): {time.perf_counter() - started:.0f} s\n", flush=True)

    from bench import api

    api.run(args.quick)

    from bench import redemptions

    redemptions.run(args.quick)
    from bench import exchanges

    exchanges.run(args.quick)

    from bench import rules

    rules.run(repetitions=3 if args.quick else rules.REPETITIONS)

    from bench import finance

    finance.run_spawned(args.quick)

    from bench import dashboard

    dashboard.run(args.quick)
    return 0


if __name__ == "__main__":
    sys.exit(main())
