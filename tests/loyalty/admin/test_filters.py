"""The admin's list filters (loyalty.admin.filters): transactions of a member or an account, and a
created_at range."""

import datetime as dt

import time_machine

from loyalty.selectors import member_account
from tests.factories import MemberFactory
from tests.loyalty.admin.helpers import credit, url


def test_transaction_list_filtered_on_a_member_or_account(admin_client, member, member_acc):
    mine = credit(member_acc, 10)
    other_member = MemberFactory(loyalty_currency=member.loyalty_currency)
    credit(member_account(member=other_member), 10)

    def listed(**params):
        return list(
            admin_client.get(url("transaction_changelist"), params).context["cl"].result_list
        )

    assert listed(member=member.public_id) == [mine]
    assert listed(account=member_acc.public_id) == [mine]
    assert listed(member="mp_unknown") == []


def test_transaction_created_at_range_filter(admin_client, member_acc):
    made = {}
    for day in (1, 10, 20):
        with time_machine.travel(dt.datetime(2025, 3, day, 12, tzinfo=dt.UTC), tick=False):
            made[day] = credit(member_acc, day)

    def listed(**params):
        response = admin_client.get(url("transaction_changelist"), params)
        return {tx.amount for tx in response.context["cl"].result_list}

    assert listed(created_at__from="2025-03-05") == {10, 20}
    assert listed(created_at__to="2025-03-10") == {1, 10}
    assert listed(created_at__from="2025-03-10", created_at__to="2025-03-10") == {10}
    assert listed(created_at__from="2025-03-02", created_at__to="2025-03-19", type="accrual") == {
        10
    }
    page = admin_client.get(url("transaction_changelist"), {"created_at__from": "2025-03-05"})
    assert 'name="created_at__from" value="2025-03-05"' in page.content.decode()

    for bad in (
        {"created_at__from": "not-a-date"},
        {"created_at__from": "2025-03-09", "created_at__to": "2025-03-01"},
    ):
        response = admin_client.get(url("transaction_changelist"), bad)
        assert response.status_code == 302
        assert response["Location"].endswith("?e=1")
