"""The partner API tests' shared pieces.

A signed partner client that signs exactly what it sends, as a partner would; the partners that
call (the currency owner, an issuer, a stranger); and a direct accrual to send.
"""

import json
from urllib.parse import urlencode

import pytest
from django.test import Client

from loyalty.models import Partnership, PartnershipType
from partners.api.authentication import sign
from partners.services.credentials import credential_create
from tests.factories import PartnerFactory, partner_account

API = "/public/v3.0"


class SignedClient:
    def __init__(self, public_key: str, secret_key: str):
        self.public_key, self.secret_key = public_key, secret_key
        self.client = Client()

    def _auth(self, message: bytes) -> str:
        return f"Credential={self.public_key}, Signature={sign(self.secret_key, message)}"

    def get(self, path: str, params: dict | None = None, **headers):
        query = urlencode(params or {}, doseq=True)
        return self.client.get(
            f"{API}{path}" + (f"?{query}" if query else ""),
            headers={"Authorization": self._auth(query.encode()), **headers},
        )

    def send(self, method: str, path: str, data=None, *, idempotency_key=None, **headers):
        body = data if isinstance(data, bytes | str) else json.dumps(data or {})
        body = body.encode() if isinstance(body, str) else body
        if idempotency_key is not None:
            headers["Idempotency-Key"] = idempotency_key
        return getattr(self.client, method.lower())(
            f"{API}{path}",
            data=body,
            content_type="application/json",
            headers={"Authorization": self._auth(body), **headers},
        )

    def post(self, path, data=None, **kwargs):
        return self.send("POST", path, data, **kwargs)

    def patch(self, path, data=None, **kwargs):
        return self.send("PATCH", path, data, **kwargs)


def signed_client_for(partner) -> SignedClient:
    issued = credential_create(partner=partner)
    return SignedClient(issued.public_key, issued.secret_key)


@pytest.fixture
def owner_client(currency):
    """The currency owner of EXAMPLE_POINTS."""
    return signed_client_for(currency.owner)


@pytest.fixture
def issuer(currency):
    """An issuing partner of EXAMPLE_POINTS with a funded-by-credit default account."""
    partner = PartnerFactory(company_name="Example Air", api_identifier="example-air")
    partner_account(partner=partner, loyalty_currency=currency, credit_limit=1_000_000)
    Partnership.objects.create(
        partner=partner, loyalty_currency=currency, type=PartnershipType.ISSUING
    )
    return partner


@pytest.fixture
def issuer_client(issuer):
    return signed_client_for(issuer)


@pytest.fixture
def stranger_client(db):
    """A partner with no partnership in EXAMPLE_POINTS."""
    return signed_client_for(PartnerFactory(company_name="Stranger", api_identifier="stranger"))


def accrual_body(member, issuer, amount=100):
    return {
        "amount": amount,
        "loyalty_currency": "EXAMPLE_POINTS",
        "member": member.loyalty_program_identifiers,
        "origin": issuer.public_id,
    }


@pytest.fixture
def five_accruals(issuer_client, issuer, member):
    return [
        issuer_client.post("/accruals/standard", accrual_body(member, issuer, amount=n + 1)).json()
        for n in range(5)
    ]


# Gift cards: the retailer and its cards (tests.giftcards.fixtures), and the retailer's client.
from tests.giftcards.fixtures import (  # noqa: E402, F401 (fixtures)
    fixed_card,
    funded_member,
    open_card,
    retailer,
)


@pytest.fixture
def retailer_client(retailer):  # noqa: F811 (the fixture of that name)
    return signed_client_for(retailer)
