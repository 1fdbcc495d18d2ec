"""`manage.py reencrypt_secrets`: every secret moves to the newest CREDENTIALS_ENCRYPTION_KEY; one
no key opens is named by its public key and the command fails."""

from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command

from partners.models import PartnerCredential
from partners.services.credentials import credential_create
from tests.factories import PartnerFactory

KEY_A, KEY_B, KEY_C = (Fernet.generate_key().decode() for _ in range(3))


def reencrypt() -> str:
    out = StringIO()
    call_command("reencrypt_secrets", stdout=out)
    return out.getvalue()


def test_moves_every_secret_to_the_newest_key(settings, db):
    settings.CREDENTIALS_ENCRYPTION_KEYS = [KEY_A]
    issued = [credential_create(partner=PartnerFactory()) for _ in range(3)]
    settings.CREDENTIALS_ENCRYPTION_KEYS = [KEY_B, KEY_A]

    assert "Re-encrypted 3 secret(s) with the newest key." in reencrypt()

    for one in issued:
        token = PartnerCredential.objects.get(pk=one.credential.pk).secret_encrypted
        assert Fernet(KEY_B).decrypt(token.encode()).decode() == one.secret_key
    settings.CREDENTIALS_ENCRYPTION_KEYS = [KEY_B]
    assert [c.secret_key for c in PartnerCredential.objects.order_by("pk")] == [
        one.secret_key for one in issued
    ]


def test_a_secret_no_key_opens_is_named_and_fails_the_command(settings, db):
    settings.CREDENTIALS_ENCRYPTION_KEYS = [KEY_A]
    readable = credential_create(partner=PartnerFactory())
    settings.CREDENTIALS_ENCRYPTION_KEYS = [KEY_C]
    lost = credential_create(partner=PartnerFactory())
    lost_token = lost.credential.secret_encrypted
    settings.CREDENTIALS_ENCRYPTION_KEYS = [KEY_B, KEY_A]

    out = StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("reencrypt_secrets", stdout=out)

    assert failure.value.returncode == 1  # manage.py's exit status
    message = str(failure.value)
    assert lost.public_key in message
    assert readable.public_key not in message
    assert lost.secret_key not in message
    assert "Re-encrypted 1 secret(s)" in out.getvalue()
    assert PartnerCredential.objects.get(pk=lost.credential.pk).secret_encrypted == lost_token
    settings.CREDENTIALS_ENCRYPTION_KEYS = [KEY_B]
    assert PartnerCredential.objects.get(pk=readable.credential.pk).secret_key == (
        readable.secret_key
    )
