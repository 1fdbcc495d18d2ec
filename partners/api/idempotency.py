"""`Idempotency-Key` on POST and PATCH, scoped to the partner and kept IDEMPOTENCY_KEY_TTL_HOURS.

The view runs as one unit of work (one database transaction, see PartnerAPIView.dispatch):

1. `claim` inserts the key's record, holding no answer yet, in one statement that also takes a
   transaction-scoped advisory lock on (partner, key): `INSERT ... SELECT ... WHERE
   pg_try_advisory_xact_lock(...) ON CONFLICT DO NOTHING`. A row back means the key is this
   request's. No row means either another request holds the lock (still running: 409) or a
   record is committed: its stored status and body are answered with `Idempotency-Repeated:
   true` (a 400 when the key was used for another method, path or body; an expired one is
   deleted and the key claimed afresh). Holding the lock, a claim never waits on another
   request's uncommitted row.
2. The view runs; `complete` writes its answer into the claimed record, in the same transaction
   (with the unit's final statement), so the record holds an answer exactly when the change it
   guards is committed.
3. A refusal (a 4xx raised by the view) rolls the unit back, changes and claim alike; `record`
   then stores that answer in a transaction of its own, so a repeat replays it. A 5xx is never
   stored: the request may be retried with the same key.

On SQLite (the embedded development database) there are no advisory locks; writers queue anyway,
so a concurrent repeat waits for the first and then replays it.
"""

import datetime as dt
import hashlib
import struct
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.http import HttpResponse
from django.utils import timezone
from rest_framework import exceptions

from loyalty import crypto, sql
from loyalty.unit_of_work import UnitOfWork
from partners.api.exceptions import IdempotencyInFlight, IdempotencyKeyReused
from partners.api.fields import unstorable
from partners.models import IdempotencyRecord

HEADER = "HTTP_IDEMPOTENCY_KEY"
REPEATED_HEADER = "Idempotency-Repeated"
MAX_KEY_LENGTH = 255
GUARDED_METHODS = frozenset({"POST", "PATCH"})


class Replay(Exception):
    """Raised from the view's `initial` to answer with a stored response."""

    def __init__(self, record: IdempotencyRecord):
        self.record = record


def request_key(request) -> str | None:
    """The request's Idempotency-Key, or None; a malformed key is a 400."""
    if request.method not in GUARDED_METHODS or HEADER not in request.META:
        return None
    key = request.META[HEADER]
    if not 1 <= len(key) <= MAX_KEY_LENGTH or unstorable(key):
        raise exceptions.ValidationError(
            {"Idempotency-Key": [f"Must be 1 to {MAX_KEY_LENGTH} printable characters long."]},
            code="invalid_idempotency_key",
        )
    return key


def fingerprint(request) -> str:
    digest = hashlib.sha256()
    for part in (request.method.encode(), request.path.encode(), request.body):
        digest.update(struct.pack(">Q", len(part)))
        digest.update(part)
    return digest.hexdigest()


@dataclass(frozen=True)
class Claim:
    """The key's record this request inserted (its answer still to come) and what it guards."""

    record_id: int
    partner_id: int
    key: str
    fingerprint: str


def _lock_id(partner_id: int, key: str) -> int:
    digest = hashlib.blake2b(f"{partner_id}:{key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _insert_sql() -> str:
    table = connection.ops.quote_name(IdempotencyRecord._meta.db_table)
    guard = "pg_try_advisory_xact_lock(%s)" if connection.vendor == "postgresql" else "1 = 1"
    return (
        f"INSERT INTO {table} (partner_id, key, request_fingerprint, method, path, "
        "response_status, response_body, response_content_type, created_at, expires_at) "
        f"SELECT %s, %s, %s, %s, %s, %s, %s, %s, %s, %s WHERE {guard} "
        "ON CONFLICT (partner_id, key) DO NOTHING RETURNING id"
    )


def _insert(
    *,
    partner_id: int,
    key: str,
    request_fingerprint: str,
    request,
    status: int,
    body: bytes,
    content_type: str,
) -> int | None:
    """INSERT the record unless the key is taken (or, on PostgreSQL, locked by another
    request); its id, or None."""
    now = timezone.now()
    params = [
        partner_id,
        key,
        request_fingerprint,
        request.method,
        request.path[:500],
        status,
        body,
        content_type,
        now,
        now + dt.timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS),
    ]
    if connection.vendor == "postgresql":
        params.append(_lock_id(partner_id, key))
    with connection.cursor() as cursor:
        cursor.execute(sql.written("idempotency-claim", _insert_sql), params)
        row = cursor.fetchone()
    return row[0] if row else None


def claim(*, partner_id: int, key: str, request) -> Claim:
    """Claim the key for this request, in its unit of work, or raise Replay, IdempotencyInFlight
    or IdempotencyKeyReused (see the module docstring)."""
    request_fingerprint = fingerprint(request)
    for _ in range(2):
        record_id = _insert(
            partner_id=partner_id,
            key=key,
            request_fingerprint=request_fingerprint,
            request=request,
            status=0,
            body=b"",
            content_type="",
        )
        if record_id is not None:
            return Claim(record_id, partner_id, key, request_fingerprint)
        record = IdempotencyRecord.objects.filter(partner_id=partner_id, key=key).first()
        if record is None:
            raise IdempotencyInFlight()
        if record.expires_at > timezone.now():
            if record.request_fingerprint != request_fingerprint:
                raise IdempotencyKeyReused()
            raise Replay(record)
        record.delete()  # expired but not yet purged: the key is free again
    raise IdempotencyInFlight()


# A stored answer that carries bearer value (a gift-card code and PIN: the view sets
# `response.bearer_value`) is kept encrypted (loyalty.crypto) behind this prefix, which no JSON
# body can start with; a replay decrypts it.
SEALED_PREFIX = b"sealed:"


def _stored_body(response) -> bytes:
    body = bytes(response.content)
    if getattr(response, "bearer_value", False):
        return SEALED_PREFIX + crypto.encrypt(body.decode()).encode()
    return body


def complete(claim: Claim, response, *, unit: UnitOfWork) -> None:
    """Write the rendered answer into the claimed record, in the request's unit of work: as
    one of its last writes, which go with its final statement (loyalty.unit_of_work)."""
    response.render()
    unit.write_last(
        sql.written("idempotency-complete", _complete_sql),
        [
            response.status_code,
            _stored_body(response),
            response.get("Content-Type", "application/json"),
            claim.record_id,
        ],
    )


def _complete_sql() -> str:
    table = connection.ops.quote_name(IdempotencyRecord._meta.db_table)
    return (
        f"UPDATE {table} SET response_status = %s, response_body = %s, "
        "response_content_type = %s WHERE id = %s"
    )


@transaction.atomic
def record(claim: Claim, request, response) -> None:
    """Store a refusal's answer under the key, in a transaction of its own (the request's was
    rolled back). Should a repeat have stored an answer meanwhile, that one stays."""
    response.render()
    _insert(
        partner_id=claim.partner_id,
        key=claim.key,
        request_fingerprint=claim.fingerprint,
        request=request,
        status=response.status_code,
        body=bytes(response.content),
        content_type=response.get("Content-Type", "application/json"),
    )


def replay_response(record: IdempotencyRecord) -> HttpResponse:
    body = bytes(record.response_body)
    if body.startswith(SEALED_PREFIX):
        body = crypto.decrypt(body[len(SEALED_PREFIX) :].decode()).encode()
    response = HttpResponse(
        body,
        status=record.response_status,
        content_type=record.response_content_type,
    )
    response[REPEATED_HEADER] = "true"
    return response


def purge_expired(*, now: dt.datetime | None = None) -> int:
    """Delete records past their expiry (the periodic purge task)."""
    deleted, _ = IdempotencyRecord.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted
