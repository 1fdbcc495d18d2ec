"""`manage.py partner_credentials create|list|revoke`: keys printed once, listed without secrets,
revoked keys refused by the API, clear errors with exit status 1."""

import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import CommandError

from partners.models import CredentialStatus, PartnerCredential
from partners.services.credentials import credential_create, credential_revoke
from tests.partners.api.conftest import SignedClient
from tests.partners.helpers import created_keys, run


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
