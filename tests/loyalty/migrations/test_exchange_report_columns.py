"""The migration that gives an exchange the report's columns fills them for the exchanges made
before it, from their transactions, accounts' members and currencies (a rejected destination
marks the exchange refunded)."""

import pytest

from tests.loyalty.migrations.conftest import migrate

BEFORE = ("loyalty", "0011_partnership_exchange_types_removed")
AFTER = ("loyalty", "0012_exchange_report_columns")


@pytest.mark.django_db(transaction=True)
def test_existing_exchanges_get_their_report_columns():
    apps = migrate(BEFORE)
    get = apps.get_model
    owner = get("loyalty", "Partner").objects.create(company_name="Owner", api_identifier="o")
    airline = get("loyalty", "Partner").objects.create(company_name="Air", api_identifier="a")
    currencies = {
        code: get("loyalty", "LoyaltyCurrency").objects.create(
            code=code, name=code, owner=holder, fiat_currency="EUR"
        )
        for code, holder in (("POINTS", owner), ("MILES", airline))
    }
    partnership = get("loyalty", "ExchangePartnership").objects.create(
        partner=airline,
        loyalty_currency=currencies["POINTS"],
        partner_currency=currencies["MILES"],
        direction="exchange_out",
        conversion_ratio_per_unit="0.5",
    )
    accounts = {}
    for code, currency in currencies.items():
        member = get("loyalty", "Member").objects.create(
            loyalty_currency=currency, membership_id=f"{code}-1"
        )
        accounts[code] = (
            get("loyalty", "Account").objects.create(loyalty_currency=currency, member=member),
            get("loyalty", "Account").objects.create(loyalty_currency=currency, partner=airline),
        )
    Transaction = get("loyalty", "Transaction")
    for n, destination_status in enumerate(("completed", "rejected")):
        origin = Transaction.objects.create(
            public_id=f"tx_o{n}",
            loyalty_currency=currencies["POINTS"],
            type="member_exchange",
            status="completed",
            amount=20,
            origin_account=accounts["POINTS"][0],
            destination_account=accounts["POINTS"][1],
        )
        destination = Transaction.objects.create(
            public_id=f"tx_d{n}",
            loyalty_currency=currencies["MILES"],
            type="member_exchange",
            status=destination_status,
            amount=10,
            origin_account=accounts["MILES"][1],
            destination_account=accounts["MILES"][0],
        )
        get("loyalty", "Exchange").objects.create(
            public_id=f"xch_{n}",
            partnership=partnership,
            origin_transaction=origin,
            destination_transaction=destination,
            created_by_partner=airline,
        )

    apps = migrate(AFTER)

    rows = apps.get_model("loyalty", "Exchange").objects.order_by("public_id")
    assert list(
        rows.values_list(
            "origin_amount",
            "origin_loyalty_currency_code",
            "origin_transaction_public_id",
            "origin_membership_id",
            "destination_amount",
            "destination_loyalty_currency_code",
            "destination_transaction_public_id",
            "destination_membership_id",
            "refunded",
        )
    ) == [
        (20, "POINTS", "tx_o0", "POINTS-1", 10, "MILES", "tx_d0", "MILES-1", False),
        (20, "POINTS", "tx_o1", "POINTS-1", 10, "MILES", "tx_d1", "MILES-1", True),
    ]
