"""The sandbox programme: a small standalone WSGI app that speaks the Avios Credit Currency
contract (partners.avios.contract) with its own members, so that `make run` and the tests
exercise real HTTP without the internet.

State lives in memory (members, API keys, credits, switches), behind one lock. Besides the
credit endpoint it serves:

- GET  /           a page listing its members, the credits received and the switches, with
                   buttons to flip them;
- POST /_switches  form or JSON: reject (an error code to answer every credit with, or empty),
                   unavailable (answer 503), latency_ms (added before answering), silent
                   (accept the request, answer nothing until the client gives up);
- GET  /_state     the same as JSON (members, credits, switches), for scripts and tests.

A credit is idempotent the programme's way: one with the same amount, description and date as
an earlier one answers DUPLICATE_TRANSACTION and credits nothing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import html
import json
import secrets
import threading
import time
from dataclasses import asdict, dataclass, field
from socketserver import ThreadingMixIn
from typing import Any
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from partners.avios import contract

ACTIVE, CANCELLED, DECEASED, FRAUD = "ACTIVE", "CANCELLED", "DECEASED", "FRAUD"
PROGRAMME = "ATRP"
DEMO_API_KEY = "sandboxkey00000000000001"  # 24 characters, as the seed's keys are
DEMO_SOURCE = "LOYB01"

# The sandbox's own members: 16-digit account numbers, family names and statuses.
DEMO_MEMBERS = {
    "3081470000000001": {"family_name": "Andersen", "first_name": "Ada", "status": ACTIVE},
    "3081470000000002": {"family_name": "Okafor", "first_name": "Chidi", "status": ACTIVE},
    "3081470000000003": {"family_name": "Silva", "first_name": "Joana", "status": ACTIVE},
    "3081470000000004": {"family_name": "Novak", "first_name": "Petra", "status": ACTIVE},
    "3081470000000009": {"family_name": "Blocked", "first_name": "Bo", "status": FRAUD},
}


@dataclass
class Switches:
    reject: str = ""  # an error code answered to every credit, e.g. ACCOUNT_NOT_AUTHORISED
    unavailable: bool = False  # answer 503
    latency_ms: int = 0
    silent: bool = False  # answer nothing (until the client times out)


@dataclass
class Credit:
    identifier: str
    account: str
    amount: int
    description: str
    date: str
    external_transaction_identifier: str
    external_source: str
    received_at: str


@dataclass
class SandboxProgramme:
    members: dict[str, dict] = field(default_factory=lambda: json.loads(json.dumps(DEMO_MEMBERS)))
    api_keys: dict[str, dict] = field(
        default_factory=lambda: {
            DEMO_API_KEY: {
                "programmes": [PROGRAMME],
                "sources": [DEMO_SOURCE],
                "max_amount": contract.MAX_AMOUNT,
            }
        }
    )
    switches: Switches = field(default_factory=Switches)
    credits: list[Credit] = field(default_factory=list)
    requests_seen: int = 0
    silence_seconds: float = 30.0

    def __post_init__(self):
        self._lock = threading.Lock()

    # The credit endpoint ----------------------------------------------------------------

    def credit(self, *, version: str, programme: str, account: str, api_key: str, body: Any):
        """(status, JSON body) for one credit request."""
        now = dt.datetime.now(dt.UTC)
        key = self.api_keys.get(api_key or "")
        try:
            contract.check_path(version=version, account=account)
            if key is None or len(api_key) != 24:
                raise contract.error(contract.PROGRAMME_NOT_SUPPORTED, "Unknown API key.")
            if programme != PROGRAMME:
                raise contract.error(contract.PROGRAMME_INVALID, f"No programme {programme}.")
            if programme not in key["programmes"]:
                raise contract.error(contract.PROGRAMME_NOT_SUPPORTED)
            request = contract.parse_credit(body, now=now, max_amount=key["max_amount"])
            if request.external_source not in key["sources"]:
                raise contract.error(contract.INVALID_PROMOTER_CODE, path="externalSource")
            if self.switches.reject:
                raise contract.error(self.switches.reject, "The sandbox rejects every credit.")
            with self._lock:
                member = self.members.get(account)
                if member is None:
                    raise contract.error(contract.ACCOUNT_INVALID)
                if member["status"] != ACTIVE:
                    raise contract.error(contract.ACCOUNT_NOT_AUTHORISED)
                if not contract.names_match(
                    stored_family=member["family_name"], sent_family=request.family_name
                ):
                    raise contract.error(contract.MEMBERSHIP_NUMBER_SURNAME_MISMATCH)
                if (
                    request.first_name
                    and request.first_name.strip().upper()
                    != member.get("first_name", "").strip().upper()
                ):
                    raise contract.error(contract.MEMBERSHIP_NUMBER_NAME_MISMATCH)
                if any(
                    (c.amount, c.description, c.date) == request.duplicate_key for c in self.credits
                ):
                    raise contract.error(contract.DUPLICATE_TRANSACTION)
                credit = Credit(
                    identifier=secrets.token_hex(6).upper(),
                    account=account,
                    amount=request.amount,
                    description=request.description,
                    date=request.external_transaction_date_text,
                    external_transaction_identifier=request.external_transaction_identifier,
                    external_source=request.external_source,
                    received_at=contract.iso_utc(now),
                )
                self.credits.append(credit)
        except contract.ContractError as refused:
            return refused.status, refused.body()
        return 201, contract.success_body(
            identifier=credit.identifier, date_made=now, request=request
        )

    def credits_for(self, reference: str) -> list[Credit]:
        return [c for c in self.credits if c.external_transaction_identifier == reference]

    def state(self) -> dict:
        return {
            "programme": PROGRAMME,
            "members": self.members,
            "switches": asdict(self.switches),
            "credits": [asdict(c) for c in self.credits],
            "requests_seen": self.requests_seen,
        }

    def set_switches(self, values: dict) -> None:
        if "reject" in values:
            code = str(values["reject"] or "").strip().upper()
            self.switches.reject = code if code in contract.MESSAGES else ""
        for name in ("unavailable", "silent"):
            if name in values:
                setattr(self.switches, name, str(values[name]).lower() in ("1", "true", "on"))
        if "latency_ms" in values:
            with contextlib.suppress(TypeError, ValueError):
                self.switches.latency_ms = max(0, min(int(values["latency_ms"]), 60_000))

    # WSGI -------------------------------------------------------------------------------

    def __call__(self, environ, start_response):
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "/")
        parts = path.strip("/").split("/")
        if (
            method == "POST"
            and len(parts) == 6
            and parts[1] == "programmes"
            and parts[3] == ("accounts")
            and parts[5] == "credit-transaction-requests"
        ):
            return self._credit(environ, start_response, parts)
        if path == "/_state":
            return _json(start_response, 200, self.state())
        if path == "/_switches" and method == "POST":
            raw = _read(environ)
            kind = environ.get("CONTENT_TYPE", "")
            if kind.startswith("application/json"):
                values = json.loads(raw or b"{}")
            else:
                form = parse_qs(raw.decode())
                values = {k: v[-1] for k, v in form.items()}
                values.setdefault("unavailable", "")
                values.setdefault("silent", "")
            self.set_switches(values)
            if kind.startswith("application/json"):
                return _json(start_response, 200, asdict(self.switches))
            start_response("303 See Other", [("Location", environ.get("SCRIPT_NAME", "") + "/")])
            return [b""]
        if path in ("/", "") and method == "GET":
            page = self._page().encode()
            start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
            return [page]
        return _json(start_response, 404, {"code": "NOT_FOUND"})

    def _credit(self, environ, start_response, parts):
        # The request is read whole first: with added latency the programme then credits what
        # it was sent even if the client gave up (or died) meanwhile, as a real one would.
        query = parse_qs(environ.get("QUERY_STRING", ""))
        try:
            body = json.loads(_read(environ) or b"null")
        except ValueError:
            body = None
        self.requests_seen += 1
        switches = self.switches
        if switches.latency_ms:
            time.sleep(switches.latency_ms / 1000)
        if switches.silent:
            time.sleep(self.silence_seconds)
            return _json(start_response, 504, {"code": "GATEWAY_TIMEOUT"})
        if switches.unavailable:
            return _json(start_response, 503, {"code": "SERVICE_UNAVAILABLE"})
        status, answer = self.credit(
            version=parts[0],
            programme=parts[2],
            account=parts[4],
            api_key=(query.get("api_key") or [""])[-1],
            body=body,
        )
        return _json(start_response, status, answer)

    def _page(self) -> str:
        s = self.switches
        rows = "".join(
            f"<tr><td>{html.escape(n)}</td><td>{html.escape(m['family_name'])}</td>"
            f"<td>{html.escape(m.get('first_name', ''))}</td><td>{m['status']}</td></tr>"
            for n, m in self.members.items()
        )
        credits = "".join(
            f"<tr><td>{c.identifier}</td><td>{c.account}</td><td>{c.amount}</td>"
            f"<td>{html.escape(c.description)}</td><td>{c.received_at}</td></tr>"
            for c in reversed(self.credits[-50:])
        )
        codes = "".join(
            f"<option value='{c}' {'selected' if s.reject == c else ''}>{c}</option>"
            for c in sorted(contract.BUSINESS_REJECTIONS)
        )
        return f"""<!doctype html><html><head><meta charset="utf-8">
<title>Sandbox programme</title><style>body{{font-family:sans-serif;margin:2em}}
td,th{{border:1px solid #ccc;padding:4px 8px}}table{{border-collapse:collapse}}</style></head>
<body><h1>Sandbox Avios-style programme ({PROGRAMME})</h1>
<p>API key <code>{DEMO_API_KEY}</code>, external source <code>{DEMO_SOURCE}</code>.</p>
<h2>Switches</h2><form method="post" action="_switches">
<label>Reject every credit with <select name="reject"><option value="">(accept)</option>
{codes}</select></label><br>
<label><input type="checkbox" name="unavailable" value="1" {"checked" if s.unavailable else ""}>
Answer 503 (down)</label><br>
<label><input type="checkbox" name="silent" value="1" {"checked" if s.silent else ""}>
Go silent (no answer)</label><br>
<label>Added latency (ms) <input name="latency_ms" value="{s.latency_ms}" size="6"></label><br>
<button type="submit">Apply</button></form>
<h2>Members</h2><table><tr><th>Account</th><th>Family name</th><th>First name</th>
<th>Status</th></tr>{rows}</table>
<h2>Credits received ({len(self.credits)})</h2><table><tr><th>Identifier</th><th>Account</th>
<th>Amount</th><th>Description</th><th>Received</th></tr>{credits}</table></body></html>"""


def _read(environ) -> bytes:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    return environ["wsgi.input"].read(length) if length else b""


def _json(start_response, status: int, body: Any):
    reasons = {200: "OK", 201: "Created", 400: "Bad Request", 404: "Not Found"}
    reasons.update({503: "Service Unavailable", 504: "Gateway Timeout"})
    data = json.dumps(body).encode()
    start_response(
        f"{status} {reasons.get(status, 'Status')}",
        [("Content-Type", "application/json"), ("Content-Length", str(len(data)))],
    )
    return [data]


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        pass


class RunningSandbox:
    """A sandbox served on a local port in a background thread (tests, benchmarks, make run)."""

    def __init__(self, programme: SandboxProgramme | None = None, *, host="127.0.0.1", port=0):
        self.programme = programme or SandboxProgramme()
        self.server = make_server(
            host, port, self.programme, server_class=_ThreadingServer, handler_class=_QuietHandler
        )
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> RunningSandbox:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
