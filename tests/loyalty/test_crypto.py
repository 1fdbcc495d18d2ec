"""Partner secrets at rest (loyalty.crypto): MultiFernet over CREDENTIALS_ENCRYPTION_KEYS, the
newest first, independent of SECRET_KEY once keys are set."""

from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command

from loyalty import crypto
from loyalty.errors import SecretUndecryptable
from partners.models import PartnerCredential
from partners.services.credentials import credential_create
from tests.partners.api.conftest import SignedClient

KEY_A, KEY_B, KEY_C = (Fernet.generate_key().decode() for _ in range(3))


def stored_token(public_key: str) -> str:
    return PartnerCredential.objects.get(public_key=public_key).secret_encrypted


def test_the_newest_key_encrypts_and_every_key_decrypts(settings):
    settings.CREDENTIALS_ENCRYPTION_KEYS = [KEY_A]
    old = crypto.encrypt("sec_one")
    settings.CREDENTIALS_ENCRYPTION_KEYS = [KEY_B, KEY_A]
    new = crypto.encrypt("sec_two")
    assert crypto.decrypt(old) == "sec_one"
    assert crypto.decrypt(new) == "sec_two"
    assert Fernet(KEY_B).decrypt(new.encode()) == b"sec_two"  # B, the first, encrypted it

    rotated = crypto.reencrypt(old)
    assert rotated != old
    assert Fernet(KEY_B).decrypt(rotated.encode()) == b"sec_one"

    settings.CREDENTIALS_ENCRYPTION_KEYS = [KEY_C]
    with pytest.raises(SecretUndecryptable):
        crypto.decrypt(old)
    with pytest.raises(SecretUndecryptable):
        crypto.reencrypt(old)


def test_secret_key_plays_no_part_once_keys_are_set(settings):
    settings.CREDENTIALS_ENCRYPTION_KEYS = [KEY_A]
    token = crypto.encrypt("sec_one")
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40
    assert crypto.decrypt(token) == "sec_one"


def test_without_keys_a_development_key_derives_from_secret_key(settings):
    settings.CREDENTIALS_ENCRYPTION_KEYS = []
    token = crypto.encrypt("sec_one")
    assert crypto.decrypt(token) == "sec_one"
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40
    with pytest.raises(SecretUndecryptable):
        crypto.decrypt(token)


def test_rotating_the_key_keeps_signed_requests_working(settings, partner):
    """[A], then [B, A] and reencrypt_secrets, then [B] alone: the partner notices nothing."""
    settings.CREDENTIALS_ENCRYPTION_KEYS = [KEY_A]
    issued = credential_create(partner=partner)
    client = SignedClient(issued.public_key, issued.secret_key)
    assert client.get("/partners").status_code == 200
    first_token = stored_token(issued.public_key)

    settings.CREDENTIALS_ENCRYPTION_KEYS = [KEY_B, KEY_A]
    assert client.get("/partners").status_code == 200
    out = StringIO()
    call_command("reencrypt_secrets", stdout=out)
    assert "Re-encrypted 1 secret(s)" in out.getvalue()
    assert stored_token(issued.public_key) != first_token

    settings.CREDENTIALS_ENCRYPTION_KEYS = [KEY_B]
    assert client.get("/partners").status_code == 200
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40
    assert client.get("/partners").status_code == 200

    settings.CREDENTIALS_ENCRYPTION_KEYS = [KEY_C]
    assert client.get("/partners").status_code == 401
