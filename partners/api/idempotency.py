"""`Idempotency-Key` on POST and PATCH, scoped to the partner and kept IDEMPOTENCY_KEY_TTL_HOURS.

The view runs inside one database transaction (see PartnerAPIView.dispatch):

1. take a transaction-scoped advisory lock on (partner, key); if another request holds it, the
   first is still running: 409;
2. if a live record exists, answer its stored status and body with `Idempotency-Repeated: true`
   (or a 400 when the key was used for another method, path or body);
3. otherwise run the view and store its answer (2xx and 4xx alike) in the same transaction, so the
   record exists exactly when the change it guards was committed. A 5xx rolls everything back.

On SQLite (the embedded development database) there are no advisory locks; writers queue anyway,
so a concurrent repeat waits for the first and then replays it.
"""

import datetime as dt
import hashlib
import struct

from django.conf import settings
from django.db import connection
from django.http import HttpResponse
from django.utils import timezone
from rest_framework import exceptions

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


def begin(*, partner_id: int, key: str, request) -> str:
    """Claim the key for this request or raise Replay / IdempotencyInFlight / KeyReused.

    Returns the request's fingerprint, to be stored with the response by `finish`.
    """
    if connection.vendor == "postgresql":
        lock_id = int.from_bytes(
            hashlib.blake2b(f"{partner_id}:{key}".encode(), digest_size=8).digest(),
            "big",
            signed=True,
        )
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [lock_id])
            if not cursor.fetchone()[0]:
                raise IdempotencyInFlight()
    request_fingerprint = fingerprint(request)
    record = IdempotencyRecord.objects.filter(partner_id=partner_id, key=key).first()
    if record is None:
        return request_fingerprint
    if record.expires_at <= timezone.now():
        record.delete()  # expired but not yet purged: the key is free again
        return request_fingerprint
    if record.request_fingerprint != request_fingerprint:
        raise IdempotencyKeyReused()
    raise Replay(record)


def finish(*, partner_id: int, key: str, request, request_fingerprint: str, response) -> None:
    """Store the rendered response under the key, in the view's database transaction."""
    response.render()
    IdempotencyRecord.objects.create(
        partner_id=partner_id,
        key=key,
        request_fingerprint=request_fingerprint,
        method=request.method,
        path=request.path[:500],
        response_status=response.status_code,
        response_body=bytes(response.content),
        response_content_type=response.get("Content-Type", "application/json"),
        expires_at=timezone.now() + dt.timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS),
    )


def replay_response(record: IdempotencyRecord) -> HttpResponse:
    response = HttpResponse(
        bytes(record.response_body),
        status=record.response_status,
        content_type=record.response_content_type,
    )
    response[REPEATED_HEADER] = "true"
    return response


def purge_expired(*, now: dt.datetime | None = None) -> int:
    """Delete records past their expiry (the periodic purge task)."""
    deleted, _ = IdempotencyRecord.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted
