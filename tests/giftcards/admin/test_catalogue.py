from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from giftcards.models import GiftCard, GiftCardCode, GiftCardCodeImport
from loyalty.models import Account
from tests.giftcards.fixtures import csv_of, load_codes


def import_url(card):
    return reverse("admin:giftcards_giftcard_import", args=[card.pk])


def test_staff_import_a_csv_of_codes(admin_client, fixed_card):
    upload = SimpleUploadedFile("codes.csv", csv_of("NEW-1,12,10.00", "NEW-2,,25.00"))
    response = admin_client.post(import_url(fixed_card), {"file": upload})
    assert response.status_code == 302, response.content
    assert GiftCardCode.objects.filter(gift_card=fixed_card).count() == 2
    assert GiftCardCodeImport.objects.get().created_codes == 2


def test_a_refused_import_shows_its_line_report(admin_client, fixed_card):
    upload = SimpleUploadedFile("codes.csv", csv_of("OK-1,,10.00", "BAD,,7.00"))
    response = admin_client.post(import_url(fixed_card), {"file": upload})
    assert response.status_code == 200
    assert b"7.00 is not a denomination" in response.content
    assert not GiftCardCode.objects.exists()
    unreadable = admin_client.post(
        import_url(fixed_card), {"file": SimpleUploadedFile("x.csv", b"nothing,here\n1,2")}
    )
    assert b"header naming the columns" in unreadable.content


def test_the_card_page_shows_stock_and_the_low_stock_warning(admin_client, fixed_card):
    load_codes(fixed_card, 5)
    page = admin_client.get(reverse("admin:giftcards_giftcard_change", args=[fixed_card.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Codes per denomination" in html and "low stock" in html
    listing = admin_client.get(reverse("admin:giftcards_giftcard_changelist"))
    assert "10.00: 5" in listing.content.decode()


def test_the_catalogue_editor_sanitises_html_and_opens_the_retailers_account(
    admin_client, retailer, currency
):
    response = admin_client.post(
        reverse("admin:giftcards_giftcard_add"),
        {
            "partner": retailer.pk,
            "name": "New card",
            "type": "fixed_value",
            "provider": "currency_alliance",
            "enabled": "on",
            "fiat_currency": "EUR",
            "denomination_type": "fixed",
            "countries": "[]",
            "low_stock_threshold": 5,
            "redeemable_in_store": "on",
            "description": '<p onclick="x()">Hi<script>alert(1)</script></p>',
            "denominations-TOTAL_FORMS": 1,
            "denominations-INITIAL_FORMS": 0,
            "denominations-0-value": "20.00",
            "prices-TOTAL_FORMS": 1,
            "prices-INITIAL_FORMS": 0,
            "prices-0-loyalty_currency": currency.pk,
            "prices-0-price_type": "customers_perceived_value",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    card = GiftCard.objects.get(name="New card")
    assert card.description == "<p>Hi</p>"
    assert card.prices.get().loyalty_currency == currency
    assert Account.objects.filter(partner=retailer, loyalty_currency=currency).exists()


def test_an_open_card_needs_its_range(admin_client, retailer):
    response = admin_client.post(
        reverse("admin:giftcards_giftcard_add"),
        {
            "partner": retailer.pk,
            "name": "Open",
            "type": "fixed_value",
            "provider": "currency_alliance",
            "fiat_currency": "EUR",
            "denomination_type": "open",
            "countries": "[]",
            "low_stock_threshold": 5,
            "denominations-TOTAL_FORMS": 0,
            "denominations-INITIAL_FORMS": 0,
            "prices-TOTAL_FORMS": 0,
            "prices-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 200
    assert b"needs a minimum and a maximum" in response.content
