"""The credential service (partners.services.credentials): secrets stored encrypted, at most two
active credentials per partner."""

import pytest
from django.core.management import CommandError
from django.db import connection

from partners.errors import TooManyActiveCredentials
from partners.models import CredentialStatus
from partners.services.credentials import credential_create, credential_revoke
from tests.partners.helpers import created_keys, run


def test_the_secret_is_stored_encrypted(partner):
    public_key, secret_key = created_keys(run("create", "example-air")[0])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT secret_encrypted FROM partners_partnercredential WHERE public_key = %s",
            [public_key],
        )
        (stored,) = cursor.fetchone()
    assert stored != secret_key
    assert secret_key not in stored
    assert secret_key.removeprefix("sec_") not in stored


def test_a_third_active_credential_is_refused(partner):
    credential_create(partner=partner)
    second = credential_create(partner=partner)
    with pytest.raises(TooManyActiveCredentials, match="already has 2 active credentials"):
        credential_create(partner=partner)
    with pytest.raises(CommandError, match="revoke one first"):
        run("create", "example-air")
    assert partner.credentials.count() == 2

    credential_revoke(credential=second.credential)
    credential_create(partner=partner)
    assert partner.credentials.filter(status=CredentialStatus.ACTIVE).count() == 2
