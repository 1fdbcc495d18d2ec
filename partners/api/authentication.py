"""`Authorization: Credential=<public key>, Signature=<hex HMAC-SHA256>`.

The contract's scheme (every credential's default): the signature covers the raw body for POST,
PUT and PATCH (byte for byte, as sent) and the query string without its "?" otherwise (the empty
string when there is none), keyed with the secret key.

Strict scheme (opt-in per credential, PartnerCredential.signing_mode): the request also carries
`Signature-Timestamp: <Unix seconds>`, and the signature covers
`<METHOD>\\n<path>\\n<timestamp>\\n` followed by what the contract's scheme signs. A request whose
timestamp is more than SIGNATURE_MAX_AGE_SECONDS away from the server's clock is refused, so a
captured signature is worth nothing on another operation, another resource or a few minutes later.

Every failure gets the same 401 answer, whether or not the public key exists, and the comparison is
constant-time, so that the API reveals nothing about which keys exist.
"""

import datetime as dt
import hashlib
import hmac
import logging
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.utils import timezone
from rest_framework import authentication

from loyalty import caching
from loyalty.errors import SecretUndecryptable
from partners.api import throttling
from partners.api.exceptions import (
    TIMESTAMP_HEADER,
    InvalidCredentials,
    PayloadTooLarge,
    StaleSignature,
)
from partners.models import CredentialStatus, PartnerCredential, SigningMode

logger = logging.getLogger("partners.api")

HEADER_PATTERN = re.compile(
    r"^\s*Credential=(?P<public_key>[^,\s]+)\s*,\s*Signature=(?P<signature>[0-9a-fA-F]+)\s*$"
)
BODY_SIGNED_METHODS = frozenset({"POST", "PUT", "PATCH"})
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def sign(secret_key: str, message: bytes) -> str:
    """Hex HMAC-SHA256 of `message` keyed with `secret_key` (what a partner's client computes)."""
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()


def signed_message(request) -> bytes:
    """What the contract's scheme signs: the raw body, or the query string of a GET."""
    if request.method in BODY_SIGNED_METHODS:
        return request.body
    return request.META.get("QUERY_STRING", "").encode("latin-1")


def strict_message(request, timestamp: str) -> bytes:
    """What the strict scheme signs: method, path and timestamp, then the contract's message."""
    head = f"{request.method}\n{request.path}\n{timestamp}\n".encode()
    return head + signed_message(request)


@dataclass(frozen=True)
class Signer:
    """An active credential as a request checks it: the credential (with its partner) and its
    decrypted secret. Cached per process (loyalty.caching), so a warm request reads nothing."""

    credential: PartnerCredential
    secret: bytes

    @property
    def strict(self) -> bool:
        return self.credential.signing_mode == SigningMode.STRICT


def _signer_load(public_key: str) -> Signer | None:
    credential = (
        PartnerCredential.objects.select_related("partner")
        .filter(public_key=public_key, status=CredentialStatus.ACTIVE)
        .first()
    )
    if credential is None:
        return None
    try:
        secret = credential.secret_key.encode()
    except SecretUndecryptable:
        logger.error(
            "no CREDENTIALS_ENCRYPTION_KEY decrypts the secret of credential %s; add the key "
            "it was encrypted with, or issue the partner a new credential",
            credential.public_key,
        )
        return None
    return Signer(credential=credential, secret=secret)


class HMACAuthentication(authentication.BaseAuthentication):
    """Authenticates a partner; request.user is the Partner and request.auth its credential.

    It also admits the request: it opens the request's reference-data scope (loyalty.caching)
    and takes its rate-limit count (partners.api.throttling), in one Redis round trip when the
    credential is already cached:

    1. the signature is checked against the cached credential, which may be stale;
    2. if it holds, the count and the epoch token are read together; when the token is still
       the cache's, the cached credential was current and the request is admitted;
    3. otherwise (nothing cached, a bad signature, or the epoch moved) the token is read first,
       the credential is loaded under it and the signature checked again; the count is then
       taken (a second round trip) only once the signature holds.
    """

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        match = HEADER_PATTERN.match(header)
        if not match:
            raise InvalidCredentials()
        public_key, signature = match["public_key"], match["signature"].lower()
        http_request = request._request
        try:
            counted = None
            stale = caching.peek("credential", public_key)
            trusted = stale is not None and self._verified(stale, http_request, signature)
            if trusted:
                counted, token = throttling.count(stale.credential.partner_id, with_token=True)
            else:
                token = caching.current_token()
            self._enter(http_request, token)
            signer = caching.cached("credential", public_key, lambda: _signer_load(public_key))
            if signer is None or not (
                (trusted and signer is stale) or self._verified(signer, http_request, signature)
            ):
                raise InvalidCredentials()
        except RequestDataTooBig:
            raise PayloadTooLarge() from None
        credential = signer.credential
        if signer.strict:
            self._require_fresh(request.headers.get(TIMESTAMP_HEADER, ""))
        if not credential.partner.is_active:
            raise InvalidCredentials()
        if counted is None:
            counted, _ = throttling.count(credential.partner_id)
        http_request.partner_api_count = counted
        self._touch(credential)
        return credential.partner, credential

    def authenticate_header(self, request) -> str:
        return "Credential"

    @staticmethod
    def _enter(http_request, token: str | None) -> None:
        """Open the request's cache scope; PartnerAPIView.dispatch closes it."""
        http_request.cache_scope = caching.enter_scope(token)

    @staticmethod
    def _verified(signer: Signer, http_request, signature: str) -> bool:
        timestamp = http_request.headers.get(TIMESTAMP_HEADER, "")
        message = (
            strict_message(http_request, timestamp)
            if signer.strict
            else signed_message(http_request)
        )
        expected = hmac.new(signer.secret, message, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, signature)

    @staticmethod
    def _require_fresh(timestamp: str) -> None:
        """A strict signature is good only near its timestamp (checked once the signature is
        valid, so only its holder learns why a request was refused)."""
        max_age = settings.SIGNATURE_MAX_AGE_SECONDS
        if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > max_age:
            raise StaleSignature(
                f"{TIMESTAMP_HEADER} is more than {max_age} seconds away from the server's time; "
                "sign the request again with the current time."
            )

    @staticmethod
    def _touch(credential: PartnerCredential) -> None:
        """Record last use, at most once a minute per credential (it is shown in the admin)."""
        now = timezone.now()
        if credential.last_used_at is None or now - credential.last_used_at > LAST_USED_RESOLUTION:
            PartnerCredential.objects.filter(pk=credential.pk).update(last_used_at=now)
            credential.last_used_at = now
