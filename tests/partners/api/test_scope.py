"""Scope before lookup: a partner outside the partnership learns nothing about which members exist.

Every operation that names a member checks the caller's partnership (or ownership) before it
looks the member up, so a real and an unknown member get the same status and the same body.
"""

import pytest

from loyalty.models import (
    ActivityRule,
    Partnership,
    PartnershipType,
    PurchaseRule,
    Transaction,
)
from loyalty.services.cohorts import cohort_create
from tests.factories import PartnerFactory, partner_account
from tests.partners.api.conftest import signed_client_for

pytestmark = pytest.mark.django_db

UNKNOWN = {"id": "NO-SUCH-MEMBER"}


@pytest.fixture
def cohort(currency):
    return cohort_create(owner=currency.owner, company_name="Downtown shops")


@pytest.fixture
def rules(currency):
    PurchaseRule.objects.create(
        loyalty_currency=currency, name="Per euro", fiat_currency="EUR", points_per_unit=1
    )
    ActivityRule.objects.create(
        loyalty_currency=currency, name="Birthday", activity="birthday", points=100
    )


def purchase(identifiers) -> dict:
    return {
        "fiat_amount": "10.00",
        "fiat_currency": "EUR",
        "loyalty_currency": "EXAMPLE_POINTS",
        "member": identifiers,
    }


def activity(identifiers) -> dict:
    return {
        "activity_ids": ["birthday"],
        "loyalty_currency": "EXAMPLE_POINTS",
        "member": identifiers,
    }


def accrual(identifiers, origin) -> dict:
    return {
        "amount": 100,
        "loyalty_currency": "EXAMPLE_POINTS",
        "member": identifiers,
        "origin": origin,
    }


def member_operations(cohort) -> dict:
    """Every operation that names a member: path -> body for given member identifiers (and the
    caller's partner id, as the accrual's origin)."""
    return {
        "/accruals/standard": lambda ids, me: accrual(ids, me),
        "/accruals/purchase-rules/simulate": lambda ids, me: purchase(ids),
        "/accruals/purchase-rules/trigger": lambda ids, me: purchase(ids),
        "/accruals/activity-rules/simulate": lambda ids, me: activity(ids),
        "/accruals/activity-rules/trigger": lambda ids, me: activity(ids),
        "/members/transactions": lambda ids, me: {
            "loyalty_currency": "EXAMPLE_POINTS",
            "member": ids,
        },
        "/members/lookup": lambda ids, me: {
            "loyalty_currency": "EXAMPLE_POINTS",
            "loyalty_program_identifiers": ids,
        },
        "/members": lambda ids, me: {"loyalty_program_identifiers": ids, "email": "a@b.example"},
        "/transactions": lambda ids, me: {
            "amount": 1,
            "loyalty_currency": "EXAMPLE_POINTS",
            "origin": ids,
            "destination": {"id": "SOMEONE-ELSE"},
        },
        f"/loyalty-rules/{cohort.partner.public_id}/purchases/simulate": lambda ids, me: purchase(
            ids
        ),
        f"/loyalty-rules/{cohort.partner.public_id}/purchases/execute": lambda ids, me: purchase(
            ids
        ),
        f"/cohorts/{cohort.partner.public_id}/loyalty-rules/activities/simulate": (
            lambda ids, me: activity(ids)
        ),
        f"/cohorts/{cohort.partner.public_id}/loyalty-rules/activities/execute": (
            lambda ids, me: activity(ids)
        ),
    }


def answers(client, partner, path, body, member) -> tuple[tuple, tuple]:
    """The answers to the operation for the real member and for an unknown one."""
    method = "patch" if path == "/members" else "post"
    send = getattr(client, method)
    real = send(path, body(member.loyalty_program_identifiers, partner.public_id))
    unknown = send(path, body(UNKNOWN, partner.public_id))
    return (real.status_code, real.content), (unknown.status_code, unknown.content)


def test_a_stranger_gets_the_same_answer_for_a_real_and_an_unknown_member(
    currency, member, cohort, rules
):
    stranger = PartnerFactory(company_name="Stranger", api_identifier="stranger")
    partner_account(partner=stranger, loyalty_currency=currency, credit_limit=1_000)
    client = signed_client_for(stranger)
    for path, body in member_operations(cohort).items():
        real, unknown = answers(client, stranger, path, body, member)
        assert real == unknown, path
        assert real[0] == 403, (path, real)
    assert not Transaction.objects.exists()


def test_a_partner_with_another_kind_of_partnership_learns_nothing_from_issuing_operations(
    currency, member, cohort, rules
):
    """A redemption partner may look members up, but not accrue: the issuing operations refuse
    it before looking the member up."""
    shop = PartnerFactory(company_name="Shop", api_identifier="shop")
    partner_account(partner=shop, loyalty_currency=currency, credit_limit=1_000)
    Partnership.objects.create(
        partner=shop, loyalty_currency=currency, type=PartnershipType.REDEMPTION
    )
    client = signed_client_for(shop)
    issuing = [path for path in member_operations(cohort) if path.startswith("/accruals/")]
    for path in issuing:
        real, unknown = answers(client, shop, path, member_operations(cohort)[path], member)
        assert real == unknown, path
        assert real[0] == 403, (path, real)
    assert not Transaction.objects.exists()


def test_an_accrual_origin_is_never_a_members_account(
    issuer_client, owner_client, member, other_member_acc
):
    """Not even for the currency owner, who may name any partner account of its currency."""
    for client in (issuer_client, owner_client):
        response = client.post(
            "/accruals/standard",
            accrual(member.loyalty_program_identifiers, other_member_acc.public_id),
        )
        assert response.status_code == 400, response.content
        error = response.json()["errors"][0]
        assert (error["field"], error["code"]) == ("origin", "invalid_origin")
    assert not Transaction.objects.exists()
