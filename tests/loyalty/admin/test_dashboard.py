"""The front page (loyalty.admin.dashboard): find a member, counts, shortcuts, latest activity."""

import datetime as dt
import json
import re

from django.contrib.auth.models import User
from django.utils import timezone

from loyalty import ledger
from loyalty.models import TransactionType
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


def test_the_front_page_shows_finance(admin_client, currency, mint, member_acc, partner_acc):
    """Liability now, the 90-day charts with their numbers, partners near their credit limit,
    the active members and the pending queue."""
    today = timezone.now()
    ledger.post(origin=mint, destination=member_acc, amount=1_000, type="accrual")
    ledger.post(origin=partner_acc, destination=member_acc, amount=900, type="accrual")  # of 1,000
    ledger.post(
        origin=member_acc,
        destination=partner_acc,
        amount=50,
        type="redemption",
        created_at=today - dt.timedelta(days=3),
    )
    ledger.post(
        origin=member_acc,
        destination=mint,
        amount=50,
        type=TransactionType.LOYALTY_CURRENCY_EXPIRATION,
        created_at=today - dt.timedelta(days=200),  # outside the charts
    )
    hold(member_acc, 200)

    response = admin_client.get("/admin/")
    page = response.content.decode()
    [liability] = response.context["liability"]
    assert (liability["units"], liability["members"], liability["partners"]) == (
        "1,150",
        "2,000",
        "-850",
    )
    assert liability["fiat"] == "11.50 EUR"

    [chart] = response.context["charts"]
    data = json.loads(chart["data"])
    assert len(data["labels"]) == 90
    issued, redeemed, expired = (dataset["data"] for dataset in data["datasets"])
    assert (sum(issued), sum(redeemed), sum(expired)) == (1_900 + 200, 50, 0)
    assert issued[-1] == 2_100 and redeemed[-4] == 50
    assert [d["borderDash"] for d in data["datasets"]] == [[], [6, 4], [2, 3]]
    assert 'class="chart"' in page and 'data-type="line"' in page
    assert "issued (solid line, circles) 2,100" in page

    [near] = response.context["near_credit_limit"]
    assert (near["partner"], near["share"], near["used"]) == ("Example Air", 85, "850")
    counts = {count["title"]: count for count in response.context["counts"]}
    assert counts["Active members, last 90 days"]["value"] == "1"
    assert counts["Pending units"]["value"] == "200"
    assert counts["Pending units"]["detail"].startswith("next release ")


def test_more_tiles_from_settings(admin_client, settings):
    settings.DASHBOARD_TILES = ["tests.loyalty.admin.test_dashboard.a_tile"]
    counts = admin_client.get("/admin/").context["counts"]
    assert counts[-1]["title"] == "Forwarding queue"


def a_tile(request):
    return {"title": "Forwarding queue", "value": "0", "detail": "all delivered", "link": "#"}
