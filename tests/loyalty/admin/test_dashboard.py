"""The front page (loyalty.admin.dashboard): find a member, counts, shortcuts, latest activity,
finance, the forwarding queue's health and the other apps' tiles, in a fixed number of queries."""

import datetime as dt
import json
import re
from decimal import Decimal

from django.contrib.auth.models import Permission, User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from giftcards.models import DenominationType, GiftCardType
from giftcards.services.catalogue import gift_card_create
from loyalty import ledger
from loyalty.models import ForwardingRecord, TransactionType
from loyalty.services.accounts import loyalty_currency_create
from tests.factories import PartnerFactory
from tests.giftcards.fixtures import load_codes
from tests.loyalty.admin.helpers import credit, hold, page, url
from tests.loyalty.services.exchange_fixtures import *  # noqa: F403


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


# The forwarding queue's health ---------------------------------------------------------------

FORWARDING = "Forwarding to partner programmes"


def panel_of(response, title: str) -> dict:
    [panel] = [p for p in response.context["panels"] if p["title"] == title]
    return panel


def test_the_forwarding_tile_shows_each_programme_and_warns_of_the_dead(admin_client, forwarded):
    queued = forwarded()
    retrying = forwarded("transient", latencies=[250])
    forwarded("confirmed", latencies=[150])
    dead = forwarded("transient", dead=True, latencies=[1_000])
    ForwardingRecord.objects.filter(pk=retrying.pk).update(
        created_at=timezone.now() - dt.timedelta(hours=3, minutes=5)
    )

    response = admin_client.get("/admin/")
    html = page(response)
    panel = panel_of(response, FORWARDING)
    assert (panel["value"], panel["detail"]) == ("2", "waiting (queued or retrying), 1 dead")
    [row] = panel["table"]["rows"]
    texts = [c["text"] for c in row]
    assert texts[:6] == ["AVIOS", "1", "1", "1", "33 % of 3 attempt(s)", "250 ms"]
    assert texts[6].startswith("3\xa0hours, 5\xa0minutes (since ")
    assert row[3]["alert"] == "dead" and not row[1]["alert"]
    assert row[6]["link"] == url("forwardingrecord_change", retrying.pk)
    assert "Warning:" in html and 'role="alert"' in html
    assert "1 forwarding record(s) dead (AVIOS 1)" in panel["warning"]

    # Each count opens the queue filtered to it.
    listed = {
        status: page(admin_client.get(row[column]["link"]))
        for column, status in [(1, "queued"), (2, "retrying"), (3, "dead")]
    }
    assert queued.reference in listed["queued"] and dead.reference not in listed["queued"]
    assert retrying.reference in listed["retrying"] and queued.reference not in listed["retrying"]
    assert dead.reference in listed["dead"] and retrying.reference not in listed["dead"]
    assert dead.reference in page(admin_client.get(panel["warning_link"]))


def test_the_forwarding_tile_with_no_programme(admin_client):
    response = admin_client.get("/admin/")
    panel = panel_of(response, FORWARDING)
    assert panel["table"]["rows"] == [] and panel["detail"] == "no partner programme yet"
    assert "No partner programme (external currency) yet." in page(response)


def test_the_forwarding_tile_when_all_is_delivered(admin_client, forwarded):
    forwarded("confirmed", latencies=[80])
    response = admin_client.get("/admin/")
    panel = panel_of(response, FORWARDING)
    [row] = panel["table"]["rows"]
    assert [c["text"] for c in row][1:] == [
        "0",
        "0",
        "0",
        "100 % of 1 attempt(s)",
        "80 ms",
        "none waiting",
    ]
    assert "warning" not in panel and "Warning:" not in page(response)


def test_the_forwarding_tile_needs_the_right_to_see_the_queue(db, client):
    staff = User.objects.create_user("agent", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_member"))
    client.force_login(staff)
    titles = [p["title"] for p in client.get("/admin/").context["panels"]]
    assert FORWARDING not in titles


def test_the_front_page_costs_the_same_queries_however_much_there_is(
    admin_client, forwarded, fixed_card
):
    """No query per programme, record, card or denomination."""

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            page(admin_client.get("/admin/"))
        return len(captured)

    forwarded()
    forwarded("transient", dead=True)
    load_codes(fixed_card, 1, denomination="5.00")
    queries()  # warm the session and caches
    few = queries()

    for n in range(4):
        loyalty_currency_create(
            code=f"OTHER_{n}",
            name=f"Other {n}",
            owner=PartnerFactory(),
            fiat_currency="EUR",
            is_hosted=False,
        )
        forwarded("transient")
        forwarded("confirmed")
        load_codes(fixed_card, 1, denomination="10.00", prefix=f"MORE{n}")
    for n in range(3):
        gift_card_create(
            partner=fixed_card.partner,
            name=f"Another card {n}",
            type=GiftCardType.FIXED_VALUE,
            denomination_type=DenominationType.FIXED,
            fiat_currency="EUR",
            countries=["ESP"],
            denominations=[Decimal("5.00"), Decimal("10.00")],
            prices=[],
        )
    response = admin_client.get("/admin/")
    assert len(panel_of(response, FORWARDING)["table"]["rows"]) == 5
    assert (
        len(panel_of(response, "Gift cards low on stock")["table"]["rows"]) == 2 + 3 * 2
    )  # 5.00 and 25.00 of the first, both of the others
    assert queries() == few
