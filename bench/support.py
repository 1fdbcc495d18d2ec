"""Plumbing shared by the benchmarks: a throwaway database, timed worker processes, the report.

The benchmarks write hundreds of thousands of rows and bend the books on purpose (the baseline
writes balances outside the ledger), so they never touch the database DATABASE_URL names: they
create a database of their own next to it and drop it at the end, whatever happens.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

# A plan runs in a worker process before the clock starts (loading what it needs) and returns the
# work to time.
Plan = Callable[[], Callable[[], None]]


def database_url(base_url: str, name: str) -> str:
    """`base_url` with its database name replaced by `name`."""
    parts = urlsplit(base_url)
    return urlunsplit(parts._replace(path=f"/{name}"))


@contextmanager
def throwaway_database(base_url: str) -> Iterator[str]:
    """Create `loyalty_bench_<pid>` on the server of `base_url`, yield its URL, drop it after.

    The maintenance connection goes to the server's `postgres` database, so the database
    `base_url` names need not exist.
    """
    if urlsplit(base_url).scheme not in {"postgres", "postgresql", "pgsql"}:
        raise SystemExit(f"The benchmarks need PostgreSQL; DATABASE_URL is {base_url!r}.")
    name = f"loyalty_bench_{os.getpid()}"
    admin_url = database_url(base_url, "postgres")
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield database_url(base_url, name)
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def production_keys() -> None:
    """Give this process (and the servers it starts, which inherit its environment) the keys
    production settings require with DEBUG off, unless the shell set them: random per run."""
    import secrets

    from cryptography.fernet import Fernet

    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault("CREDENTIALS_ENCRYPTION_KEY", Fernet.generate_key().decode())


def django_setup(url: str) -> None:
    """Point Django at `url` with production settings and migrate the database.

    DEBUG is forced off: with it on, Django keeps every query in memory and times it, which the
    production code path does not pay for.
    """
    os.environ["DATABASE_URL"] = url
    os.environ["DEBUG"] = "false"
    production_keys()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "loyalty.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)


class WorkerFailed(RuntimeError):
    pass


def run_in_workers(plans: Sequence[Plan], *, timeout: float = 900.0) -> float:
    """Run each plan in its own process at the same moment; return the wall-clock seconds.

    Processes rather than threads, like the web and Celery workers that post in production: a
    thread that holds a row lock would otherwise also wait for the GIL before it can commit,
    which lengthens lock hold times beyond what the ledger itself causes. The clock runs from
    the moment every worker has prepared its work until the last one has finished it.
    """
    from django.db import connections

    context = multiprocessing.get_context("fork")
    ready = context.Barrier(len(plans) + 1, timeout=timeout)
    done = context.Barrier(len(plans) + 1, timeout=timeout)
    # A forked child must not share the parent's database sockets.
    connections.close_all()
    workers = [
        context.Process(target=_worker, args=(plan, ready, done), name=f"bench-worker-{i}")
        for i, plan in enumerate(plans)
    ]
    for worker in workers:
        worker.start()
    elapsed = None
    try:
        ready.wait()
        started = time.perf_counter()
        done.wait()
        elapsed = time.perf_counter() - started
    except threading.BrokenBarrierError:
        pass
    finally:
        for worker in workers:
            worker.join()
    failed = [worker.name for worker in workers if worker.exitcode != 0]
    if failed or elapsed is None:
        raise WorkerFailed(f"{', '.join(failed) or 'a worker'} failed; see the traceback above.")
    return elapsed


def _worker(plan: Plan, ready: threading.Barrier, done: threading.Barrier) -> None:
    from django.db import connections

    try:
        work = plan()
        ready.wait()
        work()
        done.wait()
    except threading.BrokenBarrierError:
        raise SystemExit(1) from None
    except BaseException:
        ready.abort()
        done.abort()
        raise
    finally:
        connections.close_all()


def timed(work: Callable[[], object]) -> tuple[object, float]:
    """Call `work` in this process; return its result and the wall-clock seconds it took."""
    started = time.perf_counter()
    result = work()
    return result, time.perf_counter() - started


def split(items: Sequence, parts: int) -> list[list]:
    """Deal `items` into `parts` lists of nearly equal length, keeping their order."""
    return [list(items[i::parts]) for i in range(parts)]


@dataclass(frozen=True)
class Figure:
    """One measured rate, with what it is compared against and the goal it must meet."""

    label: str
    rate: float
    unit: str
    compared_with: str = ""
    ratio: float | None = None
    goal: str = ""
    met: bool | None = None

    def line(self, width: int) -> str:
        text = f"{self.label + ':':<{width}} {self.rate:>9,.0f} {self.unit}"
        notes = []
        if self.ratio is not None:
            notes.append(f"{self.ratio:.2f} of {self.compared_with}")
        if self.goal:
            notes.append(f"goal {self.goal}: {'met' if self.met else 'MISSED'}")
        return f"{text}  ({'; '.join(notes)})" if notes else text


def summary_table(figures: Sequence[Figure], notes: Sequence[tuple[str, str]]) -> str:
    """The closing table: one row per figure, then free-form rows such as query counts."""
    header = ("measure", "rate", "compared with", "ratio", "goal", "verdict")
    rows = [
        (
            f.label,
            f"{f.rate:,.0f} {f.unit}",
            f.compared_with or "-",
            f"{f.ratio:.2f}" if f.ratio is not None else "-",
            f.goal or "-",
            "-" if f.met is None else ("met" if f.met else "MISSED"),
        )
        for f in figures
    ]
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]

    def render(row: Sequence[str]) -> str:
        return "  ".join(
            cell.rjust(w) if i in (1, 3) else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    lines = [render(header), rule, *(render(row) for row in rows), rule]
    lines += [f"{label}: {value}" for label, value in notes]
    return "\n".join(lines)


DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/loyalty"


def run_in_spawned_process(target: Callable[..., dict], quick: bool) -> dict:
    """target(quick=, base_url=) in a fresh interpreter (spawned: it configures Django for its
    own throwaway database, whatever the caller has configured); its figures."""
    arguments = {"quick": quick, "base_url": os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL}
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(target, **arguments).result()


def quick_cli(prog: str, run: Callable[[bool], object], argv: list[str] | None) -> int:
    """`python -m bench.<name> [--quick]` for a benchmark whose run takes only `quick`."""
    parser = argparse.ArgumentParser(prog=prog)
    parser.add_argument(
        "--quick", action="store_true", default=os.environ.get("BENCH_QUICK", "") not in {"", "0"}
    )
    run(parser.parse_args(argv).quick)
    return 0
