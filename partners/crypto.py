"""Encryption at rest for partner secrets (Fernet: AES-128-CBC with HMAC-SHA256).

The key comes from CREDENTIALS_ENCRYPTION_KEY when set (a urlsafe base64 32-byte Fernet key), else
it is derived from SECRET_KEY, so a database dump alone does not reveal partners' secret keys.
"""

import base64
import hashlib
from functools import cache

from cryptography.fernet import Fernet
from django.conf import settings


@cache
def _fernet(key_material: str) -> Fernet:
    key = settings.CREDENTIALS_ENCRYPTION_KEY
    if not key:
        digest = hashlib.sha256(f"partner-credentials:{key_material}".encode()).digest()
        key = base64.urlsafe_b64encode(digest).decode()
    return Fernet(key)


def encrypt(plaintext: str) -> str:
    return _fernet(settings.SECRET_KEY).encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    return _fernet(settings.SECRET_KEY).decrypt(token.encode()).decode()
