"""Smoke test of `make run` without PostgreSQL or Redis: SQLite file plus filesystem broker.

The real target runs, in its own process group as a terminal starts it, with no DATABASE_URL and
no REDIS_URL, so the settings fall back to the embedded database and broker under VAR_DIR (a
pytest tmp_path) and a free port: it migrates, seeds, serves the admin and runs the worker, which
releases a transaction made due; then one SIGTERM to the group stops every process within
STOP_SECONDS, without a traceback. Other commands run from tmp_path, so anything the broker writes
to a relative path stays there. One `make run` serves every check, since each start costs seconds.
"""

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest

pytestmark = pytest.mark.embedded

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
MANAGE = str(BASE_DIR / "manage.py")
STARTUP_TIMEOUT = 90  # seconds; a cold process compiles Django before it serves anything
RELEASE_TIMEOUT = 60
STOP_SECONDS = 10
# Variables that would point a subprocess at the servers or change how tasks run.
_SERVER_VARIABLES = (
    "DATABASE_URL",
    "REDIS_URL",
    "TEST_DATABASE_NAME",
    "SQLITE_PATH",
    "CELERY_TASK_ALWAYS_EAGER",
)
# Make the pending transaction released last due now, and ask the worker for a sweep.
MAKE_ONE_DUE_AND_SEND_SWEEP = """
import datetime as dt
from django.utils import timezone
from loyalty.models import PendingRelease, Transaction, TransactionStatus
from loyalty.tasks import release_due_transactions
tx = Transaction.objects.filter(status=TransactionStatus.PENDING).order_by("-release_date").first()
due = timezone.now() - dt.timedelta(minutes=1)
Transaction.objects.filter(pk=tx.pk).update(release_date=due)
PendingRelease.objects.filter(pk=tx.pk).update(release_date=due)
release_due_transactions.delay()
print(tx.public_id)
"""


@pytest.fixture
def embedded_env(tmp_path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _SERVER_VARIABLES}
    env.update(
        VAR_DIR=str(tmp_path), PYTHONPATH=str(BASE_DIR), DJANGO_SETTINGS_MODULE="loyalty.settings"
    )
    # The filesystem broker expects its folders to exist (see CELERY_BROKER_TRANSPORT_OPTIONS).
    for folder in ("broker", "broker-processed"):
        (tmp_path / folder).mkdir()
    return env


def run(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        args, env=env, cwd=env["VAR_DIR"], capture_output=True, text=True, timeout=180
    )
    assert result.returncode == 0, f"{args} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


class Background:
    """A long-lived subprocess, its output in `log`: wait for a condition, or fail with the log."""

    def __init__(self, name: str, log: Path, process: subprocess.Popen):
        self.name, self.log, self.process = name, log, process

    def wait_for(self, condition: Callable[[], bool], *, what: str, timeout: float) -> None:
        """Poll `condition` until it holds; fail with this process's log if it does not."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"{what}: {self.name} exited with {self.process.returncode}\n{self}")
            if condition():
                return
            time.sleep(0.5)
        pytest.fail(f"{what}: not within {timeout} s\n{self}")

    def __str__(self) -> str:
        return f"--- {self.log.name} ---\n{self.log.read_text()}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answers_200(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


def transaction_status(database: Path, public_id: str) -> str:
    with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as connection:
        row = connection.execute(
            "SELECT status FROM loyalty_transaction WHERE public_id = ?", (public_id,)
        ).fetchone()
    return row[0]


def group_alive(pgid: int) -> list[str]:
    """The command lines of the processes still in the group (zombies excluded)."""
    alive = []
    for status in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = status.read_text().rsplit(")", 1)[1].split()
            cmdline = (status.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            alive.append(cmdline.replace(b"\0", b" ").decode(errors="replace"))
    return alive


def test_make_run_serves_releases_and_stops_on_one_sigterm(embedded_env, tmp_path):
    database = tmp_path / "loyalty.sqlite3"
    port = free_port()
    log = tmp_path / "make-run.log"
    with log.open("w") as output:
        make = subprocess.Popen(
            ["make", "run", f"PORT={port}"],
            cwd=BASE_DIR,
            env=embedded_env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    background = Background("make run", log, make)
    try:
        background.wait_for(
            lambda: answers_200(f"http://127.0.0.1:{port}/admin/login/"),
            what="GET /admin/login/ answers 200",
            timeout=STARTUP_TIMEOUT,
        )
        background.wait_for(
            lambda: " ready." in log.read_text(), what="the worker starts", timeout=STARTUP_TIMEOUT
        )
        assert database.exists()
        # On the demo make run seeded, --json prints the keys and adds no transaction.
        demo = json.loads(run(embedded_env, PYTHON, MANAGE, "seed_demo", "--json"))
        assert demo["loyalty_currency"] == "EXAMPLE_POINTS"
        assert len(demo["partners"]) == 3
        assert {card["denomination_type"] for card in demo["gift_cards"]} == {"fixed", "open"}
        shell = (MANAGE, "shell", "--no-imports", "-c", MAKE_ONE_DUE_AND_SEND_SWEEP)
        public_id = run(embedded_env, PYTHON, *shell).strip()
        background.wait_for(
            lambda: transaction_status(database, public_id) == "completed",
            what=f"the worker releases {public_id}",
            timeout=RELEASE_TIMEOUT,
        )

        os.killpg(make.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_SECONDS
        while group_alive(make.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert group_alive(make.pid) == [], background
    finally:
        if group_alive(make.pid):
            os.killpg(make.pid, signal.SIGKILL)
        make.wait(timeout=5)
    output = log.read_text()
    assert "Traceback" not in output, output
    assert output.count("Starting development server") == 1, output
