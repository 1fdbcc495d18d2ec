"""`Authorization: Credential=<public key>, Signature=<hex HMAC-SHA256>`.

The signature covers the raw body for POST, PUT and PATCH (byte for byte, as sent) and the query
string without its "?" otherwise (the empty string when there is none), keyed with the secret key.
Every failure gets the same 401 answer, whether or not the public key exists, and the comparison is
constant-time, so that the API reveals nothing about which keys exist.
"""

import datetime as dt
import hashlib
import hmac
import re

from django.utils import timezone
from rest_framework import authentication, exceptions

from partners.models import CredentialStatus, PartnerCredential

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
    if request.method in BODY_SIGNED_METHODS:
        return request.body
    return request.META.get("QUERY_STRING", "").encode("latin-1")


class InvalidCredentials(exceptions.AuthenticationFailed):
    default_detail = (
        "The request is not signed with a valid credential. Send "
        "'Authorization: Credential=<public key>, Signature=<hex HMAC-SHA256>'."
    )
    default_code = "authentication_failed"


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
        secret = credential.secret_key.encode() if credential else _UNKNOWN_KEY_SECRET
        expected = hmac.new(secret, signed_message(request._request), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, match["signature"].lower()) or credential is None:
            raise InvalidCredentials()
        if not credential.partner.is_active:
            raise InvalidCredentials()
        self._touch(credential)
        return credential.partner, credential

    def authenticate_header(self, request) -> str:
        return "Credential"

    @staticmethod
    def _touch(credential: PartnerCredential) -> None:
        """Record last use, at most once a minute per credential (it is shown in the admin)."""
        now = timezone.now()
        if credential.last_used_at is None or now - credential.last_used_at > LAST_USED_RESOLUTION:
            PartnerCredential.objects.filter(pk=credential.pk).update(last_used_at=now)
            credential.last_used_at = now
