"""Accounts in the admin (loyalty.admin.accounts): partner credit limits, read-only member accounts
and mints."""

from loyalty import ledger
from loyalty.models import Account, TransactionType
from tests.loyalty.admin.helpers import balances, credit, url


def test_account_form_changes_the_credit_limit_but_never_the_balance(
    admin_client, partner_acc, mint, ledger_balances
):
    ledger.post(origin=partner_acc, destination=mint, amount=300, type=TransactionType.TRANSFER)

    response = admin_client.post(
        url("account_change", partner_acc.pk),
        {"credit_limit": "5000", "balance": "999999", "pending_balance": "7"},
    )

    assert response.status_code == 302
    partner_acc.refresh_from_db()
    assert (partner_acc.balance, partner_acc.pending_balance) == (-300, 0)
    assert partner_acc.credit_limit == 5_000
    ledger_balances()


def test_member_accounts_and_the_mint_are_read_only(
    admin_client, member_acc, mint, ledger_balances
):
    credit(member_acc, 50)
    for account in (member_acc, mint):
        before = balances(account)
        response = admin_client.post(
            url("account_change", account.pk), {"credit_limit": "10", "balance": "1"}
        )
        assert response.status_code == 403
        account.refresh_from_db()
        assert balances(account) == before
    mint.refresh_from_db()
    assert mint.credit_limit is None
    assert (
        admin_client.post(url("account_delete", member_acc.pk), {"post": "yes"}).status_code == 403
    )
    ledger_balances()


def test_adding_a_partner_account(admin_client, partner, currency):
    response = admin_client.post(
        url("account_add"),
        {"partner": partner.pk, "loyalty_currency": currency.pk, "credit_limit": "2500"},
    )
    assert response.status_code == 302
    account = Account.objects.get(partner=partner, loyalty_currency=currency)
    assert (account.is_default, account.credit_limit, account.balance) == (True, 2_500, 0)

    again = admin_client.post(
        url("account_add"),
        {"partner": partner.pk, "loyalty_currency": currency.pk, "credit_limit": "1"},
    )
    assert again.status_code == 200
    assert again.context["adminform"].form.non_field_errors()
    assert Account.objects.filter(partner=partner, loyalty_currency=currency).count() == 1
