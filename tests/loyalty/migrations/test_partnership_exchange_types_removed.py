"""The migration that drops the exchange_in and exchange_out Partnership types: it deletes the
old rows (the new type check would refuse them) and keeps every other partnership."""

import pytest

from tests.loyalty.migrations.conftest import migrate

BEFORE = ("loyalty", "0009_exchanges_and_forwarding")
AFTER = ("loyalty", "0011_partnership_exchange_types_removed")


@pytest.mark.django_db(transaction=True)
def test_old_exchange_partnerships_are_deleted_and_the_rest_kept():
    apps = migrate(BEFORE)
    Partner = apps.get_model("loyalty", "Partner")
    LoyaltyCurrency = apps.get_model("loyalty", "LoyaltyCurrency")
    Partnership = apps.get_model("loyalty", "Partnership")
    owner = Partner.objects.create(company_name="Owner", api_identifier="owner")
    airline = Partner.objects.create(company_name="Airline", api_identifier="airline")
    points = LoyaltyCurrency.objects.create(
        code="EXAMPLE_POINTS", name="Example Points", owner=owner, fiat_currency="EUR"
    )
    for kind in ("issuing", "exchange_in", "exchange_out"):
        Partnership.objects.create(partner=airline, loyalty_currency=points, type=kind)

    apps = migrate(AFTER)

    Partnership = apps.get_model("loyalty", "Partnership")
    assert list(Partnership.objects.values_list("type", flat=True)) == ["issuing"]
    field_names = {field.name for field in Partnership._meta.get_fields()}
    assert not field_names & {"conversion_ratio_per_unit", "exchange_enabled"}
