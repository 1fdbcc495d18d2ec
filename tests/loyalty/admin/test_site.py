"""The staff admin as a whole: every page loads; changelists cost a bounded number of queries."""

from loyalty import ledger
from loyalty.selectors import mint_account
from tests.factories import MemberFactory, TierFactory
from tests.loyalty.admin.helpers import credit, hold, url


def test_every_changelist_change_and_add_page_loads(
    admin_client, currency, member, member_acc, partner, partner_acc, tier, ledger_balances
):
    completed = credit(member_acc, 1_500)
    hold(member_acc, 200)
    ledger.reverse(transaction=completed, reason="duplicate")
    objects = {
        "loyaltycurrency": currency,
        "tier": tier,
        "partner": partner,
        "member": member,
        "account": partner_acc,
        "transaction": completed,
    }
    for model, obj in objects.items():
        assert admin_client.get(url(f"{model}_changelist")).status_code == 200, model
        assert admin_client.get(url(f"{model}_change", obj.pk)).status_code == 200, model
    for model in ["loyaltycurrency", "tier", "partner", "member", "account"]:
        assert admin_client.get(url(f"{model}_add")).status_code == 200, model
    assert admin_client.get(url("account_change", member_acc.pk)).status_code == 200
    assert admin_client.get(url("account_change", mint_account(loyalty_currency=currency).pk))
    assert admin_client.get(url("member_adjust_balance", member.pk)).status_code == 200
    ledger_balances()


def test_other_changelists_query_count_is_bounded(
    admin_client, currency, partner, django_assert_max_num_queries
):
    for _ in range(35):
        MemberFactory(loyalty_currency=currency)
        TierFactory(loyalty_currency=currency)
    for model in ["account", "tier", "partner", "loyaltycurrency"]:
        admin_client.get(url(f"{model}_changelist"))
        with django_assert_max_num_queries(8):
            assert admin_client.get(url(f"{model}_changelist")).status_code == 200
