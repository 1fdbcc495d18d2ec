"""FX rates in the admin (loyalty.admin.fx): the rate list, single edits and the CSV import page."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from loyalty.models import FxRate
from tests.loyalty.helpers import DAY, stored

pytestmark = pytest.mark.django_db

IMPORT_URL = reverse("admin:loyalty_fxrate_import")
CHANGELIST_URL = reverse("admin:loyalty_fxrate_changelist")


def upload(client, content: str, source: str = ""):
    return client.post(
        IMPORT_URL,
        {"file": SimpleUploadedFile("ecb-2026-11-20.csv", content.encode()), "source": source},
        follow=True,
    )


def test_the_rate_list_filters_searches_and_links_to_the_import(admin_client):
    FxRate.objects.create(base="EUR", quote="USD", date=DAY, rate=Decimal("1.0823"), source="ECB")
    FxRate.objects.create(base="GBP", quote="EUR", date=DAY, rate=Decimal("1.15"), source="BoE")
    page = admin_client.get(CHANGELIST_URL)
    assert page.status_code == 200
    assert IMPORT_URL in page.content.decode()
    assert page.context["cl"].result_count == 2
    for query in ({"base": "GBP"}, {"quote": "EUR"}, {"q": "boe"}, {"date__year": "2026"}):
        page = admin_client.get(CHANGELIST_URL, query)
        assert page.status_code == 200
        assert page.context["cl"].result_count == (2 if "date__year" in query else 1), query


def test_a_rate_is_edited_in_the_admin(admin_client):
    fx = FxRate.objects.create(base="EUR", quote="USD", date=DAY, rate=Decimal("1.0823"))
    url = reverse("admin:loyalty_fxrate_change", args=[fx.pk])
    data = {"base": "EUR", "quote": "USD", "date": "2026-11-20", "rate": "1.09", "source": "desk"}
    assert admin_client.post(url, data).status_code == 302
    fx.refresh_from_db()
    assert (fx.rate, fx.source) == (Decimal("1.09"), "desk")
    page = admin_client.post(url, {**data, "quote": "EUR"})
    assert "Base and quote must be different currencies." in page.content.decode()


def test_the_import_page_imports_a_good_file(admin_client):
    FxRate.objects.create(base="EUR", quote="USD", date=DAY, rate=Decimal("1.05"))
    assert admin_client.get(IMPORT_URL).status_code == 200
    page = upload(
        admin_client, "date,base,quote,rate\n2026-11-20,EUR,USD,1.08\n2026-11-20,EUR,GBP,0.87\n"
    )
    assert page.redirect_chain == [(CHANGELIST_URL, 302)]
    assert [str(m) for m in page.context["messages"]] == [
        "Imported 2 rates (1 created, 1 updated)."
    ]
    assert stored() == {
        ("EUR", "USD", DAY, Decimal("1.08"), "ecb-2026-11-20.csv"),
        ("EUR", "GBP", DAY, Decimal("0.87"), "ecb-2026-11-20.csv"),
    }


def test_the_import_page_shows_the_refused_lines_and_imports_nothing(admin_client):
    page = upload(
        admin_client,
        "date,base,quote,rate\n2026-11-20,EUR,USD,1.08\n2026-11-20,EUR,USD,-1\n",
        "ECB",
    )
    assert page.status_code == 200
    assert page.redirect_chain == []
    html = page.content.decode()
    assert "Nothing was imported" in html
    assert "<td>3</td><td>rate: The rate must be greater than zero.</td>" in html
    assert not FxRate.objects.exists()
    assert list(page.context["messages"]) == []


def test_the_import_needs_a_file(admin_client):
    page = admin_client.post(IMPORT_URL, {"source": "ECB"})
    assert page.status_code == 200
    assert page.context["form"].errors == {"file": ["This field is required."]}


def test_staff_who_may_only_view_rates_cannot_import(client):
    viewer = User.objects.create_user("viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_fxrate"))
    client.force_login(viewer)
    page = client.get(CHANGELIST_URL)
    assert page.status_code == 200
    assert IMPORT_URL not in page.content.decode()
    assert client.get(IMPORT_URL).status_code == 403
    assert upload(client, "date,base,quote,rate\n2026-11-20,EUR,USD,1.08\n").status_code == 403
    assert not FxRate.objects.exists()
