"""How the admin shows values (loyalty.admin.display): units with thousands separators, times in
UTC with seconds."""

import datetime as dt

import time_machine

from tests.loyalty.admin.helpers import credit, url


def test_lists_show_amounts_with_thousands_separators(admin_client, member, member_acc):
    credit(member_acc, 1_234_567)
    assert "1,234,567" in admin_client.get(url("member_changelist")).content.decode()
    assert "1,234,567" in admin_client.get(url("transaction_changelist")).content.decode()
    assert "1,234,567" in admin_client.get(url("account_changelist")).content.decode()


def test_times_show_utc_with_seconds(admin_client, member_acc):
    with time_machine.travel(dt.datetime(2026, 12, 1, 19, 56, 3, tzinfo=dt.UTC), tick=False):
        tx = credit(member_acc, 10)
    for page in (url("transaction_changelist"), url("transaction_change", tx.pk)):
        assert "2026-12-01 19:56:03 UTC" in admin_client.get(page).content.decode()
