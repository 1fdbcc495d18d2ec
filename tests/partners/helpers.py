"""Helpers shared by the credential tests: run `manage.py partner_credentials`, read its keys."""

from io import StringIO

from django.core.management import call_command


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("partner_credentials", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def created_keys(stdout: str) -> tuple[str, str]:
    public_line, secret_line = stdout.splitlines()
    assert public_line.startswith("Public key: pub_")
    assert secret_line.startswith("Secret key: sec_")
    return public_line.removeprefix("Public key: "), secret_line.removeprefix("Secret key: ")
