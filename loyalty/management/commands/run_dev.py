"""`make run`'s foreground: the development web server, the Celery worker with its scheduler and
the sandbox partner programme (manage.py sandbox_programme), started together and stopped
together.

One Ctrl-C or one SIGTERM stops everything within seconds, without a traceback and without
leaving a process behind: this command is their parent and waits for them. The worker runs
with the solo pool (no child processes of its own to wait for), without heartbeats, mingle or
gossip (nothing to say goodbye to on the embedded broker), and with its scheduler embedded; the
web server runs without the autoreloader, whose second process printed every start-up line
twice and outlived a SIGTERM sent to the first. A child still running SHUTDOWN_SECONDS after
the stop was asked for is killed.
"""

import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

SHUTDOWN_SECONDS = 6
POLL_SECONDS = 0.2
# A Ctrl-C (or a SIGTERM to the process group) reaches the children directly; they are told
# again only if still running after this, so that each says "shutting down" once.
FORWARD_AFTER_SECONDS = 1


class Command(BaseCommand):
    help = (
        "Serve the admin and the API (Django's development server, no autoreload) with the "
        "Celery worker and its scheduler; Ctrl-C or SIGTERM stops both."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")

    def handle(self, *args, port: int, host: str, **options):
        manage = str(Path(settings.BASE_DIR) / "manage.py")
        commands = {
            "worker": [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "loyalty",
                "worker",
                "--beat",
                "--pool=solo",
                "--without-heartbeat",
                "--without-mingle",
                "--without-gossip",
                "--loglevel=INFO",
            ],
            "web": [sys.executable, manage, "runserver", "--noreload", f"{host}:{port}"],
            # The bundled sandbox partner programme the demo's AVIOS connector points at.
            "sandbox": [
                sys.executable,
                manage,
                "sandbox_programme",
                "--port",
                str(settings.SANDBOX_PROGRAMME_PORT),
            ],
        }
        stopping = []

        def stop(signum, frame):
            stopping.append(signum)

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        children = {name: subprocess.Popen(command) for name, command in commands.items()}
        self.stdout.write(
            f"Admin: http://{host}:{port}/admin/   API: http://{host}:{port}/public/v3.0/   "
            f"Sandbox programme: http://127.0.0.1:{settings.SANDBOX_PROGRAMME_PORT}/   "
            "(Ctrl-C stops)"
        )
        exited = None
        while not stopping and exited is None:
            exited = next((n for n, c in children.items() if c.poll() is not None), None)
            time.sleep(POLL_SECONDS)
        _stop_all(children.values())
        if exited is not None and not stopping:
            self.stderr.write(f"The {exited} process stopped ({children[exited].returncode}).")
            sys.exit(1)


def _stop_all(children) -> None:
    """SIGTERM to each child still running after FORWARD_AFTER_SECONDS, then SIGKILL to any
    that outlives SHUTDOWN_SECONDS."""
    children = list(children)
    start = time.monotonic()
    while time.monotonic() - start < FORWARD_AFTER_SECONDS:
        if all(child.poll() is not None for child in children):
            return
        time.sleep(POLL_SECONDS)
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = start + SHUTDOWN_SECONDS
    for child in children:
        try:
            child.wait(timeout=max(deadline - time.monotonic(), 0))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
