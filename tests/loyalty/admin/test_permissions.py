"""Who may move units from the admin (loyalty.admin.permissions)."""

from django.contrib.auth.models import Permission, User

from loyalty.models import TransactionStatus
from tests.loyalty.admin.helpers import hold, run_action, url


def test_staff_without_the_ledger_permissions_cannot_adjust_or_act(client, member, member_acc):
    staff = User.objects.create_user("agent", password="pw", is_staff=True)
    staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_member", "view_transaction"])
    )
    client.force_login(staff)
    held = hold(member_acc, 10)

    assert client.get(url("member_adjust_balance", member.pk)).status_code == 403
    page = client.get(url("member_change", member.pk)).content.decode()
    assert url("member_adjust_balance", member.pk) not in page
    assert client.get(url("transaction_changelist")).context["action_form"] is None  # no actions
    run_action(client, "release_now", [held])
    held.refresh_from_db()
    assert held.status == TransactionStatus.PENDING

    staff.user_permissions.add(Permission.objects.get(codename="add_transaction"))
    staff = User.objects.get(pk=staff.pk)  # a fresh object: permissions are cached per instance
    client.force_login(staff)
    assert client.get(url("member_adjust_balance", member.pk)).status_code == 200
