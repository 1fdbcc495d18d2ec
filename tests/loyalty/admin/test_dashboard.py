"""The front page (loyalty.admin.dashboard): find a member, counts, shortcuts, latest activity."""

import re

from django.contrib.auth.models import User

from loyalty import ledger
from tests.loyalty.admin.helpers import credit, hold


def test_the_front_page_helps_a_support_agent_start(admin_client, member, member_acc):
    earned = credit(member_acc, 1_500)
    hold(member_acc, 200)
    reversal = ledger.reverse(transaction=earned, reason="duplicate")

    response = admin_client.get("/admin/")

    assert response.status_code == 200
    page = response.content.decode()
    assert 'action="/admin/loyalty/member/"' in page and 'name="q"' in page
    counts = {count["title"]: count["value"] for count in response.context["counts"]}
    assert counts["Members"] == "1"
    assert counts["Pending transactions"] == "1"
    assert counts["Transactions, last 7 days"] == "3"
    assert response.context["recent"][0]["transaction"] == reversal
    assert f"Reversal of {earned.public_id}" in page
    assert "Credit or debit a member" in page
    assert [c["units"] for c in response.context["outstanding"]] == ["200"]


def test_staff_who_may_not_see_members_get_the_plain_app_list(db, client):
    staff = User.objects.create_user("nobody", is_staff=True)
    client.force_login(staff)
    response = client.get("/admin/")
    assert response.status_code == 200
    assert "counts" not in response.context


def test_the_admin_loads_nothing_from_elsewhere(admin_client):
    """Fonts, icons, scripts and styles are the admin's own static files: the back office works
    offline and tells no third party who uses it."""
    html = admin_client.get("/admin/").content.decode()
    assets = re.findall(r'(?:src|href)="([^"#]+)"', html)
    assert assets
    assert [asset for asset in assets if "//" in asset] == []
