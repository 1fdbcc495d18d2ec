"""Serve the bundled sandbox Avios-style programme (partners.sandbox.programme) on a port.

    manage.py sandbox_programme [--port 8100] [--host 127.0.0.1]

`make run` starts it beside the web server and the worker; its page (/) lists its members and
the credits it received, and flips its switches (reject everything, answer 503, add latency, go
silent). Its members are its own, plus the accounts the demo links to demo members.
"""

import signal

from django.conf import settings
from django.core.management.base import BaseCommand

from partners.demo import programme as demo_programme
from partners.demo.exchanges import sandbox_members
from partners.sandbox.programme import RunningSandbox, SandboxProgramme


class Command(BaseCommand):
    help = "Serve the sandbox Avios-style partner programme (its page shows its switches)."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=settings.SANDBOX_PROGRAMME_PORT)
        parser.add_argument("--host", default="127.0.0.1")

    def handle(self, *args, port: int, host: str, **options):
        sandbox = SandboxProgramme()
        sandbox.members.update(sandbox_members(demo_programme.member_profiles()))
        running = RunningSandbox(sandbox, host=host, port=port)
        signal.signal(signal.SIGTERM, _stop)
        self.stdout.write(f"Sandbox programme: {running.url}/ (switches and credits)")
        try:
            running.server.serve_forever(poll_interval=0.2)
        except KeyboardInterrupt:
            pass
        finally:
            running.server.server_close()


def _stop(signum, frame):
    """SIGTERM stops the server as Ctrl-C does."""
    raise KeyboardInterrupt
