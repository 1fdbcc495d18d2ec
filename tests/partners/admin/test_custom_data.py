"""Partner custom data in the admin (partners.admin.custom_data)."""

from partners.models import PartnerCustomData
from tests.loyalty.admin.helpers import page
from tests.partners.admin.helpers import url


def test_custom_data_values_must_be_a_list_of_objects(admin_client, partner):
    form = {"partner": partner.pk, "field_name": "codes"}

    refused = admin_client.post(url("partnercustomdata_add"), {**form, "values": '{"a": 1}'})
    assert "Enter a JSON list of objects" in page(refused)

    saved = admin_client.post(url("partnercustomdata_add"), {**form, "values": '[{"a": 1}]'})
    assert saved.status_code == 302
    assert PartnerCustomData.objects.get(partner=partner).values == [{"a": 1}]
