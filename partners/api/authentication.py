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

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.utils import timezone
from rest_framework import authentication

from partners.api.exceptions import (
    TIMESTAMP_HEADER,
    InvalidCredentials,
    PayloadTooLarge,
    StaleSignature,
)
from partners.errors import SecretUndecryptable
from partners.models import CredentialStatus, PartnerCredential, SigningMode

logger = logging.getLogger("partners.api")

HEADER_PATTERN = re.compile(
    r"^\s*Credential=(?P<public_key>[^,\s]+)\s*,\s*Signature=(?P<signature>[0-9a-fA-F]+)\s*$"
)
BODY_SIGNED_METHODS = frozenset({"POST", "PUT", "PATCH"})
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)
_UNKNOWN_KEY_SECRET = b"sec_unknown-credential-placeholder-for-constant-time"


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


class HMACAuthentication(authentication.BaseAuthentication):
    """Authenticates a partner; request.user is the Partner and request.auth its credential."""

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        match = HEADER_PATTERN.match(header)
        if not match:
            raise InvalidCredentials()
        credential = (
            PartnerCredential.objects.select_related("partner")
            .filter(public_key=match["public_key"], status=CredentialStatus.ACTIVE)
            .first()
        )
        secret = self._secret(credential) if credential else _UNKNOWN_KEY_SECRET
        strict = credential is not None and credential.signing_mode == SigningMode.STRICT
        timestamp = request.headers.get(TIMESTAMP_HEADER, "")
        try:
            message = (
                strict_message(request._request, timestamp)
                if strict
                else signed_message(request._request)
            )
        except RequestDataTooBig:
            raise PayloadTooLarge() from None
        expected = hmac.new(secret, message, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, match["signature"].lower()) or credential is None:
            raise InvalidCredentials()
        if strict:
            self._require_fresh(timestamp)
        if not credential.partner.is_active:
            raise InvalidCredentials()
        self._touch(credential)
        return credential.partner, credential

    def authenticate_header(self, request) -> str:
        return "Credential"

    @staticmethod
    def _secret(credential: PartnerCredential) -> bytes:
        """The credential's secret; one no key decrypts is an operator's error, logged by public
        key (never the token), and the caller gets the ordinary 401."""
        try:
            return credential.secret_key.encode()
        except SecretUndecryptable:
            logger.error(
                "no CREDENTIALS_ENCRYPTION_KEY decrypts the secret of credential %s; add the key "
                "it was encrypted with, or issue the partner a new credential",
                credential.public_key,
            )
            raise InvalidCredentials() from None

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
