"""Encryption at rest (Fernet: AES-128-CBC with HMAC-SHA256) for secrets: partners' signing
secrets and bearer values such as gift-card codes.

The keys are CREDENTIALS_ENCRYPTION_KEYS (settings), newest first: the newest encrypts, any of
them decrypts (MultiFernet), so a key is rotated by putting a new one first, running
`manage.py reencrypt_secrets` and then dropping the old one. They are kept apart from SECRET_KEY,
so a database dump alone reveals no partner's secret and changing SECRET_KEY breaks no
signature. Only a development machine (DEBUG on, no key set) falls back to a key derived from
SECRET_KEY.
"""

import base64
import hashlib
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

from loyalty.errors import SecretUndecryptable


@cache
def _fernet(keys: tuple[str, ...], secret_key: str) -> MultiFernet:
    if not keys:
        digest = hashlib.sha256(f"partner-credentials:{secret_key}".encode()).digest()
        keys = (base64.urlsafe_b64encode(digest).decode(),)
    return MultiFernet([Fernet(key) for key in keys])


def _current() -> MultiFernet:
    return _fernet(tuple(settings.CREDENTIALS_ENCRYPTION_KEYS), settings.SECRET_KEY)


def encrypt(plaintext: str) -> str:
    return _current().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    """The plaintext, or SecretUndecryptable when no configured key opens the token."""
    try:
        return _current().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise SecretUndecryptable("No configured encryption key decrypts this secret.") from exc


def reencrypt(token: str) -> str:
    """The same secret encrypted with the newest key (SecretUndecryptable if none opens it)."""
    try:
        return _current().rotate(token.encode()).decode()
    except InvalidToken as exc:
        raise SecretUndecryptable("No configured encryption key decrypts this secret.") from exc
