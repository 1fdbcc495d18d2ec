"""The HTTP side of the API benchmark: a gunicorn to measure, a load generator, CPU accounting.

The load generator sends pre-signed requests from threads, each with its own keep-alive
connection: closed loop (saturation: the next request as soon as the last is answered) or open
loop (a fixed rate: request i is due i / rate seconds after the start, and its latency runs from
then). CPU is read from /proc for the gunicorn workers and for the PostgreSQL backends serving
the benchmark's database, before and after each measurement, so every rate is printed with the
milliseconds of CPU one request cost on each side.
"""

from __future__ import annotations

import http.client
import itertools
import math
import os
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Call:
    """One request, ready to send: signing happens before the clock starts."""

    method: str
    path: str
    body: bytes
    headers: dict[str, str]
    expected: int = 201


@dataclass
class Outcome:
    """What one measurement saw: latencies of the expected answers (seconds), failures, and the
    CPU seconds the web workers and the database spent meanwhile."""

    planned: int
    connections: int
    latencies: list[float] = field(default_factory=list)
    failures: Counter = field(default_factory=Counter)
    failure_sample: str = ""
    elapsed: float = 0.0
    web_cpu: float = 0.0
    db_cpu: float = 0.0

    @property
    def failed(self) -> int:
        return sum(self.failures.values())

    @property
    def answered(self) -> int:
        return len(self.latencies) + self.failed

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0

    def cpu_ms(self, seconds: float) -> float:
        return 1000 * seconds / len(self.latencies) if self.latencies else math.nan

    def percentile_ms(self, fraction: float) -> float:
        """Nearest-rank percentile of the latencies, in milliseconds."""
        ordered = sorted(self.latencies)
        if not ordered:
            return math.nan
        return 1000 * ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]

    def merge(self, other: Outcome) -> Outcome:
        merged = Outcome(self.planned + other.planned, self.connections)
        merged.latencies = self.latencies + other.latencies
        merged.failures = self.failures + other.failures
        merged.failure_sample = self.failure_sample or other.failure_sample
        merged.elapsed = self.elapsed + other.elapsed
        merged.web_cpu = self.web_cpu + other.web_cpu
        merged.db_cpu = self.db_cpu + other.db_cpu
        return merged

    def summary(self) -> dict[str, Any]:
        return {
            "planned": self.planned,
            "connections": self.connections,
            "answered": self.answered,
            "expected_answers": len(self.latencies),
            "failures": dict(self.failures),
            "failure_sample": self.failure_sample,
            "seconds": round(self.elapsed, 3),
            "requests_per_second": round(self.throughput, 1),
            "p50_ms": round(self.percentile_ms(0.50), 2),
            "p99_ms": round(self.percentile_ms(0.99), 2),
            "web_cpu_ms_per_request": round(self.cpu_ms(self.web_cpu), 2),
            "db_cpu_ms_per_request": round(self.cpu_ms(self.db_cpu), 2),
        }


# CPU accounting -----------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """User plus system CPU of a process so far (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    parent = int(stat.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            if parent == pid:
                found.append(int(entry))
    return found


class CpuMeter:
    """CPU seconds of the gunicorn workers and of the PostgreSQL backends of one database."""

    def __init__(self, master_pid: int, database: str):
        self.master_pid = master_pid
        self.database = database

    def _backends(self) -> list[int]:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                [self.database],
            )
            return [row[0] for row in cursor.fetchall()]

    def read(self) -> tuple[float, float]:
        web = sum(cpu_seconds(pid) for pid in _children(self.master_pid))
        db = sum(cpu_seconds(pid) for pid in self._backends())
        return web, db


# The server ---------------------------------------------------------------------------------


@dataclass
class Server:
    port: int
    meter: CpuMeter


@contextmanager
def gunicorn(url: str, *, workers: int, threads: int) -> Iterator[Server]:
    """Serve the project from `url` with gunicorn on a free loopback port.

    The production configuration (loyalty/gunicorn.py) with the worker and thread counts given.
    The listening socket is opened here and handed over (fd://), so no other process can take
    the port between choosing and binding it.
    """
    listener = socket.create_server(("127.0.0.1", 0), backlog=1024)
    port = listener.getsockname()[1]
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "-c",
        "python:loyalty.gunicorn",
        "loyalty.wsgi",
        f"--bind=fd://{listener.fileno()}",
        f"--workers={workers}",
        f"--threads={threads}",
        "--log-level=warning",
        "--access-logfile=/dev/null",
        "--max-requests=0",
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
        yield Server(port, CpuMeter(process.pid, url.rsplit("/", 1)[-1]))
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
            connection.request("GET", "/health/")
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
        finally:
            connection.close()
    raise RuntimeError(f"gunicorn did not answer on port {port} within {timeout:.0f} s.")


# The load generator -------------------------------------------------------------------------


def drive(
    server: Server,
    calls: Sequence[Call],
    *,
    connections: int,
    cap: float,
    rate: float | None = None,
) -> Outcome:
    """Send `calls` over `connections` threads, each with its own keep-alive connection.

    Without `rate`, closed loop; with it, open loop (see the module docstring). No request is
    sent once `cap` seconds have passed: a saturation run simply ends there, while in an
    open-loop run the requests left unsent count as failures. Throughput counts the expected
    answers up to the last answer.
    """
    outcome = Outcome(planned=len(calls), connections=connections)
    next_call = itertools.count()
    lock = threading.Lock()
    web_before, db_before = server.meter.read()
    start = time.perf_counter() + 0.1  # every thread is up before the first request is due
    last_answer = start

    def sender() -> None:
        nonlocal last_answer
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
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
    web_after, db_after = server.meter.read()
    outcome.web_cpu, outcome.db_cpu = web_after - web_before, db_after - db_before
    unsent = len(calls) - outcome.answered
    if rate and unsent:
        outcome.failures["not sent within the time cap"] = unsent
        outcome.failure_sample = outcome.failure_sample or f"{unsent} not sent after {cap:.0f} s"
    return outcome


def _send(connection: http.client.HTTPConnection, call: Call) -> tuple[int | str, str]:
    """Send one call; (status, body) or (the error's name, its message) when the socket fails.

    http.client reopens the connection by itself when the server closed it after an answer.
    """
    try:
        connection.request(call.method, call.path, body=call.body or None, headers=call.headers)
        response = connection.getresponse()
        body = response.read()
    except (OSError, http.client.HTTPException) as exc:
        connection.close()
        return type(exc).__name__, str(exc)
    return response.status, body[:300].decode(errors="replace")
