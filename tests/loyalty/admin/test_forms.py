"""The admin's forms (loyalty.admin.forms): what they refuse on the member, adjustment and account
pages."""

import pytest

from loyalty import ledger
from loyalty.models import Member, Transaction, TransactionType
from tests.factories import TierFactory
from tests.loyalty.admin.helpers import balances, url


def test_adding_a_member_refuses_a_tier_of_another_currency(admin_client, currency):
    foreign_tier = TierFactory()
    response = admin_client.post(
        url("member_add"),
        {
            "loyalty_currency": currency.pk,
            "membership_id": "M556",
            "type": "individual",
            "status": "active",
            "tier": foreign_tier.pk,
        },
    )
    assert response.status_code == 200
    assert "tier" in response.context["adminform"].form.errors
    assert not Member.objects.filter(membership_id="M556").exists()


def test_a_member_carries_only_the_fields_of_its_type(admin_client, currency):
    response = admin_client.post(
        url("member_add"),
        {
            "loyalty_currency": currency.pk,
            "membership_id": "C1",
            "type": "company",
            "status": "active",
            "company_name": "Acme",
            "first_name": "Wile",
        },
    )
    assert response.status_code == 200
    assert "first_name" in response.context["adminform"].form.errors
    assert not Member.objects.filter(membership_id="C1").exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"direction": "credit", "amount": "100", "reason": ""}, "reason"),
        ({"direction": "credit", "amount": "100", "reason": "   "}, "reason"),
        ({"direction": "credit", "amount": "0", "reason": "x"}, "amount"),
        ({"direction": "credit", "amount": "-5", "reason": "x"}, "amount"),
        ({"direction": "credit", "amount": "1.5", "reason": "x"}, "amount"),
        ({"direction": "sideways", "amount": "10", "reason": "x"}, "direction"),
    ],
)
def test_adjustment_form_refuses_bad_input(admin_client, member, member_acc, data, field):
    response = admin_client.post(url("member_adjust_balance", member.pk), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Transaction.objects.exists()
    assert balances(member_acc) == (0, 0)


def test_credit_limit_cannot_go_below_what_the_partner_owes(
    admin_client, partner_acc, mint, ledger_balances
):
    ledger.post(origin=partner_acc, destination=mint, amount=300, type=TransactionType.TRANSFER)
    response = admin_client.post(url("account_change", partner_acc.pk), {"credit_limit": "200"})
    assert response.status_code == 200
    assert "credit_limit" in response.context["adminform"].form.errors
    partner_acc.refresh_from_db()
    assert partner_acc.credit_limit == 1_000
    ledger_balances()
