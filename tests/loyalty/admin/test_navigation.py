"""The admin's navigation (loyalty.admin.navigation): grouped by job, filtered by permission, one
entry current at a time."""

from django.contrib.auth.models import Permission, User
from django.test import RequestFactory

from loyalty.admin.navigation import NAVIGATION, SHORTCUTS, entry_url, sidebar_navigation
from tests.loyalty.admin.helpers import url

GROUPS = ["Members", "Earning", "Spending", "Partners", "Finance", "Settings"]


def test_the_sidebar_is_grouped_by_job_and_every_entry_opens(admin_client, admin_user):
    page = admin_client.get(url("member_changelist"))
    groups = page.context["sidebar_navigation"]
    assert [group["title"] for group in groups] == GROUPS
    for _, entries in NAVIGATION:
        for entry in [*entries]:
            link = entry_url(entry)
            assert link is not None, entry
            assert admin_client.get(link).status_code == 200, entry
    for entry in SHORTCUTS:
        assert admin_client.get(entry_url(entry)).status_code == 200, entry


def test_the_most_specific_entry_is_current(admin_user):
    request = RequestFactory().get(url("transaction_changelist"), {"type__exact": "accrual"})
    request.user = admin_user
    current = [
        item["title"]
        for group in sidebar_navigation(request)
        for item in group["items"]
        if item["active"]
    ]
    assert current == ["Accruals"]


def test_staff_see_only_what_they_may_view(db, client):
    staff = User.objects.create_user("agent", is_staff=True)
    staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_member", "view_transaction"])
    )
    client.force_login(staff)
    groups = client.get(url("member_changelist")).context["sidebar_navigation"]
    titles = {group["title"]: [item["title"] for item in group["items"]] for group in groups}
    assert titles["Members"] == ["Members", "Transactions"]
    assert "Settings" not in titles and "Partners" not in titles
