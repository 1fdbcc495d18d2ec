"""How the admin shows values (loyalty.admin.display): units with thousands separators."""

from tests.loyalty.admin.helpers import credit, url


def test_lists_show_amounts_with_thousands_separators(admin_client, member, member_acc):
    credit(member_acc, 1_234_567)
    assert "1,234,567" in admin_client.get(url("member_changelist")).content.decode()
    assert "1,234,567" in admin_client.get(url("transaction_changelist")).content.decode()
    assert "1,234,567" in admin_client.get(url("account_changelist")).content.decode()
