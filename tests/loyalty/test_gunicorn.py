"""The production server (loyalty/gunicorn.py), started as `make serve` starts it:
`gunicorn -c python:loyalty.gunicorn loyalty.wsgi`, with DEBUG off and real keys.

One server for every check, since a start costs seconds: the health check, Django's own refusals
in the API's error shape, gunicorn's request line limit, whitenoise's static files, and output
that never holds a header, a secret or a body. Transactional (`test_database_env`): the server
is another process and sees only committed rows.
"""

import http.client
import json
import secrets
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from partners.api.authentication import sign
from partners.services.credentials import credential_create
from tests.factories import MemberFactory

BASE_DIR = Path(__file__).resolve().parent.parent.parent
STARTUP_TIMEOUT = 60  # seconds
API = "/public/v3.0"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn in a subprocess; its stdout (the access log) and stderr in files."""

    def __init__(self, env: dict[str, str], var_dir: Path):
        self.port = int(env["WEB_BIND"].rsplit(":", 1)[1])
        self.stdout, self.stderr = var_dir / "gunicorn.out", var_dir / "gunicorn.err"
        with self.stdout.open("w") as out, self.stderr.open("w") as err:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", "python:loyalty.gunicorn", "loyalty.wsgi"],
                env=env,
                cwd=BASE_DIR,
                stdout=out,
                stderr=err,
            )

    def request(self, method: str, path: str, body: bytes | None = None, **headers):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            connection.close()

    def raw(self, data: bytes) -> bytes:
        with socket.create_connection(("127.0.0.1", self.port), timeout=10) as sock:
            sock.sendall(data)
            chunks = []
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks)

    def wait_until_healthy(self) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"gunicorn exited with {self.process.returncode}\n{self.output()}")
            try:
                if self.request("GET", "/health/")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        pytest.fail(f"gunicorn did not answer /health/ within {STARTUP_TIMEOUT} s\n{self.output()}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def output(self) -> str:
        return self.stdout.read_text() + self.stderr.read_text()


@pytest.fixture
def production_env(test_database_env, tmp_path, settings) -> dict[str, str]:
    """The test database with production settings; this process encrypts with the same key."""
    key = Fernet.generate_key().decode()
    settings.CREDENTIALS_ENCRYPTION_KEYS = [key]
    env = {
        **test_database_env,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "CREDENTIALS_ENCRYPTION_KEY": key,
        "ALLOWED_HOSTS": "127.0.0.1",
        "WEB_BIND": f"127.0.0.1:{free_port()}",
        "WEB_CONCURRENCY": "1",
        "VAR_DIR": str(tmp_path),
        "LOG_LEVEL": "DEBUG",
        "PYTHONPATH": str(BASE_DIR),
        # gunicorn's control socket defaults to one path per user ($HOME/.gunicorn/gunicorn.ctl),
        # which a server started by another test run at the same time would take over.
        "XDG_RUNTIME_DIR": str(tmp_path),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    collected = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        env=env,
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert collected.returncode == 0, collected.stderr
    return env


@pytest.fixture
def server(production_env, tmp_path) -> Iterator[Server]:
    started = Server(production_env, tmp_path)
    try:
        started.wait_until_healthy()
        yield started
    finally:
        started.stop()


def status_of(raw: bytes) -> int:
    return int(raw.split(b" ", 2)[1])


def test_the_production_server(currency, server):
    owner = currency.owner
    member = MemberFactory(loyalty_currency=currency)
    issued = credential_create(partner=owner)
    marker = f"body-marker-{uuid.uuid4().hex}"
    body = json.dumps(
        {
            "amount": 10,
            "loyalty_currency": currency.code,
            "member": member.loyalty_program_identifiers,
            "origin": owner.public_id,
            "external_reference": marker,
        }
    ).encode()
    good = f"Credential={issued.public_key}, Signature={sign(issued.secret_key, body)}"
    bad = f"Credential={issued.public_key}, Signature={sign('sec_wrong', body)}"
    json_headers = {"Content-Type": "application/json"}

    # The health check, without credentials.
    assert server.request("GET", "/health/")[0] == 200

    # A Host header outside ALLOWED_HOSTS: Django's handler400, in the API's error shape.
    status, headers, content = server.request("GET", f"{API}/transactions", Host="evil.example")
    assert status == 400
    assert headers["Content-Type"] == "application/json"
    assert json.loads(content) == {
        "errors": [
            {
                "message": "The request could not be understood.",
                "field": None,
                "code": "bad_request",
            }
        ]
    }

    # The request line limit is gunicorn's own: 4,094 bytes; a line within it reaches Django.
    def request_line(length: int) -> bytes:
        head, tail = f"GET {API}/".encode(), b" HTTP/1.1"
        return head + b"a" * (length - len(head) - len(tail)) + tail

    within = server.raw(request_line(4094) + b"\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
    assert status_of(within) == 404
    assert b'"code": "not_found"' in within
    over = server.raw(request_line(4095) + b"\r\nHost: 127.0.0.1\r\n\r\n")
    assert status_of(over) == 414

    # Whitenoise serves the admin's collected static files.
    status, headers, content = server.request("GET", "/static/admin/css/base.css")
    assert status == 200
    assert headers["Content-Type"].startswith("text/css")
    assert content

    # A bad signature and a good one.
    status, _, content = server.request(
        "POST", f"{API}/accruals/standard", body, Authorization=bad, **json_headers
    )
    assert status == 401, content
    status, _, content = server.request(
        "POST", f"{API}/accruals/standard", body, Authorization=good, **json_headers
    )
    assert status == 201, content
    assert json.loads(content)["external_reference"] == marker

    server.stop()
    access_log, errors = server.stdout.read_text(), server.stderr.read_text()
    assert f'"POST {API}/accruals/standard" 401' in access_log
    assert f'"POST {API}/accruals/standard" 201' in access_log
    for what, value in {
        "the Authorization header": good,
        "the bad Authorization header": bad,
        "the signature": sign(issued.secret_key, body),
        "the bad signature": sign("sec_wrong", body),
        "the secret key": issued.secret_key,
        "the body": marker,
    }.items():
        assert value not in access_log, f"{what} in the access log"
        assert value not in errors, f"{what} in gunicorn's stderr"
