"""Partnerships in the admin (loyalty.admin.partnerships): required fields, who partners whom."""

import json

import pytest

from loyalty.models import Partnership, PartnershipType
from tests.factories import PartnerFactory
from tests.loyalty.admin.helpers import page, url


def partnership_form(partner, currency, **changes) -> dict:
    return {
        "partner": partner.pk,
        "loyalty_currency": currency.pk,
        "type": PartnershipType.ISSUING,
        "enabled": "on",
        "minimum_member_transaction_amount": "",
        "maximum_member_transaction_amount": "",
        "conversion_ratio_per_unit": "",
        "loyalty_rules_execution_mode": "multiple_transactions",
        "member_lookup_required_fields": "[]",
        "execute_required_fields": "[]",
        **changes,
    }


def test_staff_add_a_partnership_with_required_fields(admin_client, currency, partner):
    fields = [{"id": "card_number", "name": "Card number", "translations": {"es": "Tarjeta"}}]

    response = admin_client.post(
        url("partnership_add"),
        partnership_form(partner, currency, execute_required_fields=json.dumps(fields)),
    )

    assert response.status_code == 302, response.content.decode()
    partnership = Partnership.objects.get(partner=partner)
    assert partnership.type == PartnershipType.ISSUING
    assert partnership.execute_required_fields == fields


@pytest.mark.parametrize(
    ("required_fields", "message"),
    [
        ({"id": "card"}, "Enter a JSON list"),
        (["card"], "Field 1 is not a JSON object."),
        ([{"id": "card"}], "Field 1 needs a non-empty text &quot;name&quot;."),
        ([{"id": "", "name": "Card"}], "Field 1 needs a non-empty text &quot;id&quot;."),
        ([{"id": "c", "name": "C", "label": "x"}], "Field 1 has unknown keys label"),
        ([{"id": "c", "name": "C"}, {"id": "c", "name": "D"}], "Field 2 repeats the id"),
        ([{"id": "c", "name": "C", "translations": ["es"]}], "must be an object"),
        ([{"id": "c", "name": "C", "translations": {"spanish": "T"}}], "ISO 639-1"),
        ([{"id": "c", "name": "C", "translations": {"es": ""}}], "translation is empty"),
    ],
)
def test_malformed_required_fields_are_refused(
    admin_client, currency, partner, required_fields, message
):
    response = admin_client.post(
        url("partnership_add"),
        partnership_form(
            partner, currency, member_lookup_required_fields=json.dumps(required_fields)
        ),
    )

    assert message in page(response)
    assert not Partnership.objects.exists()


def test_a_currency_owner_has_no_partnership_in_its_own_currency(admin_client, currency):
    response = admin_client.post(url("partnership_add"), partnership_form(currency.owner, currency))
    assert "a partnership is with another partner" in page(response)
    assert not Partnership.objects.exists()


def test_partnerships_are_recorded_from_the_currency_owners_side(admin_client, currency, partner):
    response = admin_client.post(
        url("partnership_add"),
        partnership_form(partner, currency, type=PartnershipType.CURRENCY_OWNER_FOR_ISSUANCE),
    )
    assert "Select a valid choice" in page(response)
    assert not Partnership.objects.exists()


def test_minimum_above_maximum_is_refused(admin_client, currency, partner):
    response = admin_client.post(
        url("partnership_add"),
        partnership_form(
            partner,
            currency,
            minimum_member_transaction_amount="100",
            maximum_member_transaction_amount="10",
        ),
    )
    assert response.status_code == 200
    assert not Partnership.objects.exists()


def test_partnership_list_filters_by_type_and_partner(admin_client, currency, partner):
    issuer = PartnerFactory(company_name="Issuer")
    Partnership.objects.create(
        partner=issuer, loyalty_currency=currency, type=PartnershipType.ISSUING
    )
    Partnership.objects.create(
        partner=partner, loyalty_currency=currency, type=PartnershipType.REDEMPTION
    )

    def listed(params) -> set:
        return set(
            admin_client.get(url("partnership_changelist"), params).context["cl"].result_list
        )

    assert {p.partner for p in listed({"type__exact": "redemption"})} == {partner}
    assert {p.partner for p in listed({"partner__id__exact": issuer.pk})} == {issuer}
    assert {p.partner for p in listed({"q": "example-air"})} == {partner}
