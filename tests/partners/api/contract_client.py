"""A partner's client of the loyalty API, written from the contract alone (no project imports).

What the contract asks of a client:
- every request carries `Authorization: Credential=<public key>, Signature=<hex HMAC-SHA256>`,
  keyed with the secret key, over the body exactly as sent (POST, PUT, PATCH) or over the query
  string without its "?" (GET; the empty string when there is none);
- POST and PATCH carry an `Idempotency-Key`; a request that may not have been answered (a
  connection error, a 5xx) is retried with the same key, and so is a 409 (the first attempt is
  still running): the API then answers the original result instead of acting twice;
- lists come in pages whose `next` is the query string of the following page ("?page=2").
"""

import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import Message
from typing import Any
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import Request, urlopen

BODY_SIGNED_METHODS = frozenset({"POST", "PUT", "PATCH"})
IDEMPOTENT_METHODS = frozenset({"POST", "PATCH"})
RETRY_STATUSES = frozenset({409}) | frozenset(range(500, 600))


@dataclass
class Response:
    status: int
    headers: Message
    data: Any = None
    attempts: int = 1

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


@dataclass
class APIError(Exception):
    """A non-2xx answer; `errors` is the contract's GenericError list."""

    status: int
    errors: list = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.status}: {self.errors}"


class ContractClient:
    def __init__(
        self,
        base_url: str,
        *,
        public_key: str,
        secret_key: str,
        attempts: int = 4,
        backoff: float = 0.1,
        timeout: float = 10.0,
    ):
        """`base_url` ends with the API's base path, e.g. https://host/public/v3.0."""
        self.base_url = base_url.rstrip("/")
        self.public_key, self.secret_key = public_key, secret_key
        self.attempts, self.backoff, self.timeout = attempts, backoff, timeout

    def sign(self, message: bytes) -> str:
        return hmac.new(self.secret_key.encode(), message, hashlib.sha256).hexdigest()

    def get(self, path: str, params: dict | None = None) -> Response:
        query = urlencode(params or {}, doseq=True)
        return self.request("GET", path + (f"?{query}" if query else ""))

    def post(self, path: str, body: Any = None, *, idempotency_key: str | None = None) -> Response:
        return self.request("POST", path, body, idempotency_key=idempotency_key)

    def patch(self, path: str, body: Any = None, *, idempotency_key: str | None = None) -> Response:
        return self.request("PATCH", path, body, idempotency_key=idempotency_key)

    def request(
        self, method: str, target: str, body: Any = None, *, idempotency_key: str | None = None
    ) -> Response:
        """Send `method` to `target` (a path with its query string), retrying what may be retried.

        The body is serialized once and those bytes are both signed and sent, on every attempt.
        POST and PATCH get a fresh Idempotency-Key unless one is given; GETs are safe to repeat.
        """
        method = method.upper()
        data = None
        if method in BODY_SIGNED_METHODS:
            data = b"" if body is None else json.dumps(body).encode()
        _, _, query = target.partition("?")
        signature = self.sign(data if data is not None else query.encode())
        headers = {
            "Authorization": f"Credential={self.public_key}, Signature={signature}",
            "Accept": "application/json",
        }
        if data is not None:
            headers["Content-Type"] = "application/json"
        if method in IDEMPOTENT_METHODS:
            headers["Idempotency-Key"] = idempotency_key or str(uuid.uuid4())
        attempt = 0
        while True:
            attempt += 1
            try:
                response = self._send(method, self.base_url + target, data, headers)
            except OSError:  # URLError, a reset or closed connection, a timeout
                if attempt >= self.attempts:
                    raise
            else:
                if response.status not in RETRY_STATUSES or attempt >= self.attempts:
                    response.attempts = attempt
                    return response
            time.sleep(self.backoff * 2 ** (attempt - 1))

    def _send(self, method: str, url: str, data: bytes | None, headers: dict) -> Response:
        request = Request(url, data=data, headers=headers, method=method)
        try:
            with urlopen(request, timeout=self.timeout) as answer:
                return Response(answer.status, answer.headers, _json(answer.read()))
        except HTTPError as answer:
            with answer:
                return Response(answer.code, answer.headers, _json(answer.read()))

    def pages(
        self, method: str, path: str, params: dict | None = None, body: Any = None
    ) -> Iterator[dict]:
        """Every item of a paginated list, following each page's `next` until there is none.

        POST lists (such as /members/transactions) send the same body with each page's query.
        """
        query = urlencode(params or {}, doseq=True)
        target = path + (f"?{query}" if query else "")
        while True:
            response = self.request(method, target, body)
            if not response.ok:
                raise APIError(response.status, (response.data or {}).get("errors", []))
            yield from response.data["results"]
            next_query = response.data.get("next")
            if not next_query:
                return
            target = path + next_query


def _json(raw: bytes) -> Any:
    """The JSON answer; a proxy's non-JSON error page is kept as text."""
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode(errors="replace")
