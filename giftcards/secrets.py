"""Codes, PINs and barcode strings at rest: encrypted with loyalty.crypto, found by a keyed hash.

`code_hash` is HMAC-SHA256 over the normalised code (upper case, without spaces and hyphens, so
"abcd-1234" and "ABCD 1234" are one code) keyed with GIFTCARD_LOOKUP_HASH_KEY, or a key derived
from SECRET_KEY when that is unset. Without the key, the database's hashes cannot be tested
against guessed codes. Nothing here logs a value.
"""

import hashlib
import hmac
from functools import cache

from django.conf import settings

from loyalty import crypto

_DROPPED = str.maketrans("", "", " -\t")


def normalise(code: str) -> str:
    return code.strip().upper().translate(_DROPPED)


@cache
def _key(configured: str, secret_key: str) -> bytes:
    if configured:
        return configured.encode()
    return hmac.new(secret_key.encode(), b"giftcards:code-lookup:v1", hashlib.sha256).digest()


def code_hash(code: str) -> str:
    key = _key(settings.GIFTCARD_LOOKUP_HASH_KEY, settings.SECRET_KEY)
    return hmac.new(key, normalise(code).encode(), hashlib.sha256).hexdigest()


def seal(value: str) -> str:
    """The value encrypted, or "" for no value."""
    return crypto.encrypt(value) if value else ""


def unseal(token: str) -> str:
    return crypto.decrypt(token) if token else ""


def pin_matches(token: str, pin: str | None) -> bool:
    """A code without a PIN matches any request; one with a PIN only the same PIN."""
    stored = unseal(token)
    if not stored:
        return True
    return pin is not None and hmac.compare_digest(stored.encode(), str(pin).strip().encode())
