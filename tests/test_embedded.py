"""Smoke test of `make run` without PostgreSQL or Redis: SQLite file plus filesystem broker.

Every step runs in a subprocess whose environment has no DATABASE_URL and no REDIS_URL, so the
settings fall back to the embedded database and broker under VAR_DIR (a pytest tmp_path). The
subprocesses run from tmp_path too, so anything the broker writes to a relative path stays there.
The web server and the worker start together because each process start costs seconds.
"""

import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest

pytestmark = pytest.mark.embedded

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
MANAGE = str(BASE_DIR / "manage.py")
STARTUP_TIMEOUT = 90  # seconds; a cold process compiles Django before it serves anything
RELEASE_TIMEOUT = 60
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
from loyalty.models import Transaction, TransactionStatus
from loyalty.tasks import release_due_transactions
tx = Transaction.objects.filter(status=TransactionStatus.PENDING).order_by("-release_date").first()
Transaction.objects.filter(pk=tx.pk).update(release_date=timezone.now() - dt.timedelta(minutes=1))
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
    """A long-lived subprocess whose output goes to <VAR_DIR>/<name>.log."""

    def __init__(self, env: dict[str, str], name: str, *args: str):
        self.name = name
        self.log = Path(env["VAR_DIR"]) / f"{name}.log"
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                args, env=env, cwd=env["VAR_DIR"], stdout=log, stderr=subprocess.STDOUT
            )

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

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


@contextmanager
def running(env: dict[str, str], **commands: tuple[str, ...]) -> Iterator[dict[str, Background]]:
    """Start every command at once; terminate them all when the block ends, however it ends."""
    started: dict[str, Background] = {}
    try:
        for name, args in commands.items():
            started[name] = Background(env, name, *args)
        yield started
    finally:
        for process in started.values():
            process.stop()


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


def test_migrate_seed_serve_and_release_without_servers(embedded_env, tmp_path):
    database = tmp_path / "loyalty.sqlite3"
    run(embedded_env, PYTHON, MANAGE, "migrate", "--noinput")
    demo = json.loads(run(embedded_env, PYTHON, MANAGE, "seed_demo", "--json"))
    assert demo["loyalty_currency"] == "EXAMPLE_POINTS"
    assert len(demo["partners"]) == 2
    assert database.exists()

    port = free_port()
    with running(
        embedded_env,
        web=(PYTHON, MANAGE, "runserver", "--noreload", f"127.0.0.1:{port}"),
        worker=(PYTHON, "-m", "celery", "-A", "loyalty", "worker", "--pool=solo", "-l", "INFO"),
    ) as processes:
        shell = (MANAGE, "shell", "--no-imports", "-c", MAKE_ONE_DUE_AND_SEND_SWEEP)
        public_id = run(embedded_env, PYTHON, *shell).strip()

        processes["web"].wait_for(
            lambda: answers_200(f"http://127.0.0.1:{port}/admin/login/"),
            what="GET /admin/login/ answers 200",
            timeout=STARTUP_TIMEOUT,
        )
        worker = processes["worker"]
        worker.wait_for(
            lambda: " ready." in worker.log.read_text(),
            what="the worker starts",
            timeout=STARTUP_TIMEOUT,
        )
        worker.wait_for(
            lambda: transaction_status(database, public_id) == "completed",
            what=f"the worker releases {public_id}",
            timeout=RELEASE_TIMEOUT,
        )
