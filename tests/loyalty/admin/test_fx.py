"""FX rates: the CSV import service and the admin's rate list and import page."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission, User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from loyalty.models import FxRate
from loyalty.services.fx import RowError, fx_rates_import_csv

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 11, 20)
IMPORT_URL = reverse("admin:loyalty_fxrate_import")
CHANGELIST_URL = reverse("admin:loyalty_fxrate_changelist")


def csv_file(text: str) -> io.BytesIO:
    return io.BytesIO(text.encode())


def stored() -> set[tuple[str, str, dt.date, Decimal, str]]:
    return set(FxRate.objects.values_list("base", "quote", "date", "rate", "source"))


# The import service --------------------------------------------------------------------------


def test_a_good_file_creates_every_rate():
    result = fx_rates_import_csv(
        file=csv_file(
            "date,base,quote,rate\n2026-11-20,EUR,USD,1.0823\r\n2026-11-19, usd , eur ,0.9240\n"
        ),
        source="ECB",
    )
    assert (result.created, result.updated, result.errors, result.imported) == (2, 0, (), 2)
    assert stored() == {
        ("EUR", "USD", DAY, Decimal("1.0823"), "ECB"),
        ("USD", "EUR", DAY - dt.timedelta(days=1), Decimal("0.924"), "ECB"),
    }


def test_an_existing_rate_is_updated_with_the_new_rate_and_source():
    FxRate.objects.create(base="EUR", quote="USD", date=DAY, rate=Decimal("1.05"), source="old")
    result = fx_rates_import_csv(
        file=csv_file("date,base,quote,rate\n2026-11-20,EUR,USD,1.0823\n2026-11-20,EUR,GBP,0.87\n"),
        source="ECB",
    )
    assert (result.created, result.updated) == (1, 1)
    assert stored() == {
        ("EUR", "USD", DAY, Decimal("1.0823"), "ECB"),
        ("EUR", "GBP", DAY, Decimal("0.87"), "ECB"),
    }


def test_one_bad_row_imports_nothing_and_every_error_is_listed_by_line():
    FxRate.objects.create(base="EUR", quote="USD", date=DAY, rate=Decimal("1.05"))
    before = stored()
    result = fx_rates_import_csv(
        file=csv_file(
            "date,base,quote,rate\n"
            "2026-11-20,EUR,USD,1.0823\n"  # line 2: good, but not imported
            "2026-11-31,EUR,GBP,0.87\n"  # line 3: no such date
            "2026-11-20,EUR,EU,abc\n"  # line 4: two bad values
            "2026-11-20,EUR,EUR,1\n"  # line 5: same currency
            "2026-11-20,EUR,JPY,0\n"  # line 6: zero rate
            "2026-11-20,EUR,JPY\n"  # line 7: a value missing
            "2026-11-20,eur,usd,1.09\n"  # line 8: line 2 again
            "2026-11-20,EUR,CHF,1.123456789012\n"  # line 9: too many decimal places
        ),
        source="ECB",
    )
    assert (result.created, result.updated, result.imported) == (0, 0, 0)
    assert [error.row for error in result.errors] == [3, 4, 4, 5, 6, 7, 8, 9]
    messages = [error.message for error in result.errors]
    assert messages[0].startswith("date: ") and "invalid date" in messages[0]
    assert messages[1] == "quote: Use a three-letter ISO 4217 code, e.g. EUR."
    assert messages[2].startswith("rate: ") and "decimal number" in messages[2]
    assert messages[3] == "Base and quote must be different currencies."
    assert messages[4] == "rate: The rate must be greater than zero."
    assert messages[5] == "Expected 4 values (date,base,quote,rate), found 3."
    assert messages[6] == "Repeats the rate of line 2."
    assert messages[7] == "rate: Ensure that there are no more than 10 decimal places."
    assert stored() == before


HEADER_ERROR = RowError(1, "The first line must be the header date,base,quote,rate.")


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (b"", HEADER_ERROR),
        (b"date,quote,base,rate\n", HEADER_ERROR),
        (b"date,base,quote,rate,source\n", HEADER_ERROR),
        (b"date,base,quote,rate\n\n", RowError(1, "The file holds no rates.")),
        (
            b"date,base,quote,rate\n2026-11-20,EUR,USD,1\n\xff\n",
            RowError(3, "The file is not UTF-8 text."),
        ),
    ],
)
def test_a_file_that_is_not_a_rate_list_is_refused(content, error):
    assert fx_rates_import_csv(file=io.BytesIO(content), source="").errors == (error,)
    assert not FxRate.objects.exists()


def test_a_byte_order_mark_and_a_capitalised_header_are_accepted():
    result = fx_rates_import_csv(
        file=io.BytesIO("\ufeffDate,Base,Quote,Rate\n2026-11-20,EUR,USD,1.08\n".encode()),
        source="",
    )
    assert (result.created, result.errors) == (1, ())


def test_a_source_longer_than_the_field_is_refused():
    with pytest.raises(ValidationError):
        fx_rates_import_csv(file=csv_file("date,base,quote,rate\n"), source="x" * 101)


# The admin -----------------------------------------------------------------------------------


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
