"""`manage.py programme_connector set|show` and `partner_credentials door-key`."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from partners.models import InboundDoorKey, ProgrammeConnector
from partners.models.inbound import key_digest
from tests.factories import LoyaltyCurrencyFactory, PartnerFactory


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_set_then_show_never_prints_the_key(db):
    LoyaltyCurrencyFactory(code="AVIOS", is_hosted=False)
    shown = run(
        "programme_connector",
        "set",
        "AVIOS",
        "--base-url",
        "http://127.0.0.1:8100/",
        "--api-key",
        "secretsecretsecretsecret",
        "--programme",
        "ATRP",
        "--source",
        "BILL01",
    )
    connector = ProgrammeConnector.objects.get()
    assert connector.base_url == "http://127.0.0.1:8100"
    assert (connector.programme_identifier, connector.external_source) == ("ATRP", "BILL01")
    assert connector.api_key == "secretsecretsecretsecret"
    assert "secretsecret" not in shown
    assert "stored (encrypted)" in shown
    run("programme_connector", "set", "AVIOS", "--source", "BILL02")
    connector.refresh_from_db()
    assert (connector.external_source, connector.api_key) == ("BILL02", "secretsecretsecretsecret")
    assert "BILL02" in run("programme_connector", "show", "AVIOS")


def test_refusals(db):
    LoyaltyCurrencyFactory(code="HOSTED")
    LoyaltyCurrencyFactory(code="AVIOS", is_hosted=False)
    with pytest.raises(CommandError):
        run("programme_connector", "set", "NOPE", "--base-url", "http://x.example")
    with pytest.raises(CommandError):
        run("programme_connector", "set", "HOSTED", "--base-url", "http://x.example")
    with pytest.raises(CommandError):
        run("programme_connector", "set", "AVIOS")  # a new one needs its base URL
    with pytest.raises(CommandError):
        run("programme_connector", "show", "AVIOS")


def test_door_key_is_printed_once_and_stored_as_its_digest(db):
    partner = PartnerFactory(api_identifier="example-air")
    printed = run("partner_credentials", "door-key", "example-air", "--source", "EXT01")
    api_key = printed.split(": ", 1)[1].strip()
    assert len(api_key) == 24
    key = InboundDoorKey.objects.get(partner=partner)
    assert key.key_sha256 == key_digest(api_key)
    assert key.external_sources == ["EXT01"]
