"""List filters (partners.api.filters): comma-separated status and type, created_at__range."""

import datetime as dt

from django.utils import timezone


def test_status_and_type_filters_take_comma_separated_values(issuer_client, five_accruals):
    assert issuer_client.get("/transactions", {"status": "completed"}).json()["count"] == 5
    assert issuer_client.get("/transactions", {"status": "pending,cancelled"}).json()["count"] == 0
    assert issuer_client.get("/transactions", {"type": "accrual,transfer"}).json()["count"] == 5
    bad = issuer_client.get("/transactions", {"status": "completed,nonsense"})
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "status"


def test_created_at_range(issuer_client, five_accruals):
    today = timezone.now().date()
    yesterday = today - dt.timedelta(days=1)
    tomorrow = today + dt.timedelta(days=1)
    get = issuer_client.get
    assert get("/transactions", {"created_at__range": f"{today}"}).json()["count"] == 5
    assert get("/transactions", {"created_at__range": f"{yesterday},{today}"}).json()["count"] == 5
    assert get("/transactions", {"created_at__range": f"{tomorrow}"}).json()["count"] == 0
    assert (
        get("/transactions", {"created_at__range": f"{yesterday},{yesterday}"}).json()["count"] == 0
    )
    stamp = f"{yesterday}T09:35:25Z,{tomorrow}T00:00"
    assert get("/transactions", {"created_at__range": stamp}).json()["count"] == 5
    for bad in (
        "yesterday",
        f"{today},{yesterday}",
        "2020-13-01",
        f"{today},{today},{today}",
        "2020-01-01T00:00:00+17:24",
        "0001-01-01T00:00:00+01:00",
        "%s",
        "2020-01-01,%(value)s",
    ):
        response = get("/transactions", {"created_at__range": bad})
        assert response.status_code == 400, bad
        assert response.json()["errors"][0]["field"] == "created_at__range"
