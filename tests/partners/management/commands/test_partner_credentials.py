"""API credentials: issued by the service and the partner_credentials command, stored encrypted,
at most two active per partner, refused by the API once revoked, and stamped when used."""

import subprocess
import sys
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from partners.errors import TooManyActiveCredentials
from partners.models import CredentialStatus, PartnerCredential
from partners.services.credentials import credential_create, credential_revoke
from tests.partners.api.conftest import SignedClient


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("partner_credentials", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def created_keys(stdout: str) -> tuple[str, str]:
    public_line, secret_line = stdout.splitlines()
    assert public_line.startswith("Public key: pub_")
    assert secret_line.startswith("Secret key: sec_")
    return public_line.removeprefix("Public key: "), secret_line.removeprefix("Secret key: ")


def test_create_prints_the_public_and_the_secret_key(partner):
    stdout, stderr = run("create", "example-air", "--label", "production")
    public_key, secret_key = created_keys(stdout)
    assert "never shown again" in stderr
    credential = PartnerCredential.objects.get(public_key=public_key)
    assert (credential.partner, credential.label, credential.status) == (
        partner,
        "production",
        CredentialStatus.ACTIVE,
    )
    assert credential.secret_key == secret_key
    assert SignedClient(public_key, secret_key).get("/partners").status_code == 200


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


def test_a_revoked_key_gets_401(partner):
    public_key, secret_key = created_keys(run("create", "example-air")[0])
    client = SignedClient(public_key, secret_key)
    assert client.get("/partners").status_code == 200

    stdout, _ = run("revoke", public_key)

    assert f"Revoked {public_key}" in stdout
    credential = PartnerCredential.objects.get(public_key=public_key)
    assert credential.status == CredentialStatus.REVOKED
    assert credential.revoked_at is not None
    response = client.get("/partners")
    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "authentication_failed"


def test_list_shows_the_credentials_without_secrets(partner):
    first = credential_create(partner=partner, label="production")
    second = credential_create(partner=partner, label="rotation")
    credential_revoke(credential=first.credential)

    stdout, _ = run("list", "example-air")

    lines = stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"{second.public_key}  active ")
    assert lines[0].endswith("last used never  rotation")
    assert lines[1].startswith(f"{first.public_key}  revoked")
    assert first.secret_key not in stdout
    assert second.secret_key not in stdout


def test_list_of_a_partner_without_credentials(partner):
    assert run("list", "example-air")[0] == "Example Air has no credentials.\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("create", "nobody"), "No partner with API identifier 'nobody'."),
        (("list", "nobody"), "No partner with API identifier 'nobody'."),
        (("revoke", "pub_nope"), "No credential with public key 'pub_nope'."),
    ],
)
def test_unknown_partner_or_key_is_a_clear_error(db, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)


def test_unknown_partner_exits_with_status_1(test_database_env):
    result = subprocess.run(
        [sys.executable, "manage.py", "partner_credentials", "create", "nobody"],
        cwd=settings.BASE_DIR,
        env=test_database_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "No partner with API identifier 'nobody'." in result.stderr
    assert result.stdout == ""


def test_last_used_at_is_set_by_a_signed_request(partner):
    issued = credential_create(partner=partner)
    assert issued.credential.last_used_at is None

    assert SignedClient(issued.public_key, issued.secret_key).get("/partners").status_code == 200

    issued.credential.refresh_from_db()
    assert issued.credential.last_used_at is not None
