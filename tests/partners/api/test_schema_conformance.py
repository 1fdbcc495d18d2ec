"""Schemathesis over our generated schema, in-process against the Django WSGI application.

Every operation in the schema gets generated requests, signed by the currency owner of seeded
data, and each answer must be no 5xx, a documented status and a body that matches the schema.
Generated values are sometimes swapped for seeded ones (the currency code, a member's
identifiers, a transaction id, ...) so that calls get past "unknown currency" into real code.
"""

import datetime as dt
from io import BytesIO
from urllib.parse import quote

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)
from werkzeug.test import Client, EnvironBuilder

from loyalty.models import Partnership, PartnershipType
from loyalty.services.transactions import accrual_create
from loyalty.wsgi import application
from partners.api.authentication import BODY_SIGNED_METHODS, sign
from partners.services.credentials import credential_create
from tests.factories import LoyaltyCurrencyFactory, MemberFactory, PartnerFactory, partner_account

CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]

# The coverage phase derives its cases while pytest collects tests, which takes minutes; the
# examples and fuzzing phases, bounded by max_examples, run with the test.
CONFIG = SchemathesisConfig.from_dict({"phases": {"coverage": {"enabled": False}}})

schema = schemathesis.openapi.from_wsgi(
    "/public/v3.0/schema/",
    application,
    config=CONFIG,
    headers={"Accept": "application/vnd.oai.openapi+json"},
)

# Seeded values by request field name, filled by the `owner_client` fixture for the test that
# runs and read by the hooks below while Hypothesis draws that test's requests.
SEEDED: dict[str, list] = {}


class SigningClient(Client):
    """A WSGI client that signs each request with a partner credential, as a partner does.

    The signature is computed over the request as serialized for the wire (the body bytes for
    POST and PATCH, the query string otherwise), so it covers exactly what the API receives.
    Schemathesis hands over the path with its parameters as generated ("?" included); they are
    percent-encoded here, as any HTTP client puts them on the wire.
    """

    def __init__(self, app, *, public_key: str, secret_key: str):
        super().__init__(app)
        self.public_key, self.secret_key = public_key, secret_key

    def open(self, *args, **kwargs):
        kwargs["path"] = quote(kwargs["path"], safe="/")
        builder = EnvironBuilder(*args, **kwargs)
        try:
            environ = builder.get_environ()
        finally:
            builder.close()
        body = environ["wsgi.input"].read()
        environ["wsgi.input"] = BytesIO(body)
        if environ["REQUEST_METHOD"] in BODY_SIGNED_METHODS:
            message = body
        else:
            message = environ["QUERY_STRING"].encode("latin-1")
        signature = sign(self.secret_key, message)
        environ["HTTP_AUTHORIZATION"] = f"Credential={self.public_key}, Signature={signature}"
        return super().open(environ)


def _seeded_choices(values):
    """Keep each generated value or swap in a seeded one of the same name, at Hypothesis' choice."""
    if not isinstance(values, dict):
        return st.just(values)
    choices = {
        name: st.sampled_from([value, *SEEDED[name]])
        for name, value in values.items()
        if SEEDED.get(name)
    }
    return st.fixed_dictionaries(choices).map(lambda chosen: {**values, **chosen})


@schema.hook
def flatmap_body(context, body):
    return _seeded_choices(body)


@schema.hook
def flatmap_query(context, query):
    return _seeded_choices(query)


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    return _seeded_choices(path_parameters)


@pytest.fixture
def in_test_transaction(db):
    """Keep the test's database connection across requests, as Django's test client does.

    The WSGI handler closes connections that are not in autocommit mode when a request starts
    and ends; inside the test's transaction that would be every request's connection.
    """
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def owner_client(in_test_transaction):
    """The owner of EXAMPLE_POINTS, signing; members, an issuing partner and transactions."""
    owner = PartnerFactory(company_name="Example Bank", api_rate_limit=1_000_000)
    currency = LoyaltyCurrencyFactory(code="EXAMPLE_POINTS", owner=owner)
    members = [MemberFactory(loyalty_currency=currency) for _ in range(3)]
    issuer = PartnerFactory(company_name="Example Air")
    issuer_account = partner_account(
        partner=issuer, loyalty_currency=currency, credit_limit=1_000_000
    )
    Partnership.objects.create(
        partner=issuer, loyalty_currency=currency, type=PartnershipType.ISSUING
    )
    later = timezone.now() + dt.timedelta(days=1)
    transactions = [
        accrual_create(
            partner=owner,
            loyalty_currency=currency,
            member=member.loyalty_program_identifiers,
            origin=owner.public_id,
            amount=500,
            release_date=later if pending else None,
        )
        for member in members
        for pending in (False, True)
    ]
    identifiers = [member.loyalty_program_identifiers for member in members]
    SEEDED.clear()
    SEEDED.update(
        {
            "loyalty_currency": [currency.code],
            "member": identifiers,
            "loyalty_program_identifiers": identifiers,
            "origin": [owner.public_id, issuer.public_id, issuer_account.public_id],
            "destination": [issuer.public_id, *identifiers],
            "amount": [100],
            "release_date": [later.isoformat()],
            "id": [tx.public_id for tx in transactions],
            "partner_id": [issuer.public_id],
            "api_identifier": [issuer.api_identifier],
        }
    )
    issued = credential_create(partner=owner)
    yield SigningClient(application, public_key=issued.public_key, secret_key=issued.secret_key)
    SEEDED.clear()


@schema.parametrize()
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_api_conforms_to_its_schema(case, owner_client):
    response = case.call_and_validate(session=owner_client, checks=CHECKS)
    assert response.status_code != 401, "the API refused our signature"
