"""`make run` stops completely on one SIGTERM: the make process, the web server, the worker and
its scheduler are all gone within STOP_SECONDS, and nothing printed a traceback.

It runs the real target on the embedded database and broker (no DATABASE_URL or REDIS_URL, a tmp
VAR_DIR, a free port), in its own process group as a terminal would start it.
"""

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.test_embedded import STARTUP_TIMEOUT, answers_200, free_port

pytestmark = pytest.mark.embedded

BASE_DIR = Path(__file__).resolve().parent.parent
STOP_SECONDS = 10
_SERVER_VARIABLES = ("DATABASE_URL", "REDIS_URL", "TEST_DATABASE_NAME", "SQLITE_PATH")


def group_alive(pgid: int) -> list[str]:
    """The command lines of the processes still in the group (zombies excluded)."""
    alive = []
    for status in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = status.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        state, group = fields[0], int(fields[2])
        if group == pgid and state != "Z":
            cmdline = (status.parent / "cmdline").read_bytes().replace(b"\0", b" ")
            alive.append(cmdline.decode(errors="replace"))
    return alive


def test_one_sigterm_stops_the_whole_of_make_run(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in _SERVER_VARIABLES}
    env.update(VAR_DIR=str(tmp_path), DEMO_ADMIN_PASSWORD="admin")
    port = free_port()
    log = tmp_path / "make-run.log"
    with log.open("w") as output:
        make = subprocess.Popen(
            ["make", "run", f"PORT={port}"],
            cwd=BASE_DIR,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not answers_200(f"http://127.0.0.1:{port}/admin/login/"):
            assert make.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.5)
        # The worker is up too (its scheduler starts with it).
        while " ready." not in log.read_text():
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.5)

        os.killpg(make.pid, signal.SIGTERM)
        stopped_by = time.monotonic() + STOP_SECONDS
        while group_alive(make.pid) and time.monotonic() < stopped_by:
            time.sleep(0.1)
        assert group_alive(make.pid) == [], log.read_text()
    finally:
        if group_alive(make.pid):
            os.killpg(make.pid, signal.SIGKILL)
        make.wait(timeout=5)
    output = log.read_text()
    assert "Traceback" not in output, output
    assert output.count("Starting development server") == 1, output
