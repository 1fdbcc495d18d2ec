"""The migration that adds the release schedule puts every transaction pending before it in the
schedule, with its release date and amount, and nothing else; and leaves room on the transaction
table's pages for releases."""

import datetime as dt

import pytest
from django.db import connection

from tests.loyalty.migrations.conftest import migrate

BEFORE = ("loyalty", "0013_transaction_ext_ref_partial")
AFTER = ("loyalty", "0014_pending_release")


@pytest.mark.django_db(transaction=True)
def test_transactions_pending_before_it_are_scheduled():
    apps = migrate(BEFORE)
    get = apps.get_model
    owner = get("loyalty", "Partner").objects.create(company_name="Owner", api_identifier="o")
    currency = get("loyalty", "LoyaltyCurrency").objects.create(
        code="POINTS", name="Points", owner=owner, fiat_currency="EUR"
    )
    member = get("loyalty", "Member").objects.create(loyalty_currency=currency, membership_id="1")
    Account = get("loyalty", "Account")
    origin = Account.objects.create(loyalty_currency=currency, partner=owner)
    destination = Account.objects.create(loyalty_currency=currency, member=member)
    due = dt.datetime(2030, 1, 2, 3, 4, tzinfo=dt.UTC)
    made = {
        status: get("loyalty", "Transaction").objects.create(
            public_id=f"tx_{status}",
            loyalty_currency=currency,
            type="accrual",
            status=status,
            amount=amount,
            origin_account=origin,
            destination_account=destination,
            release_date=due if status in ("pending", "cancelled") else None,
        )
        for status, amount in (("pending", 25), ("completed", 40), ("cancelled", 10))
    }

    apps = migrate(AFTER)

    schedule = apps.get_model("loyalty", "PendingRelease").objects.values_list(
        "transaction_id", "release_date", "amount"
    )
    assert list(schedule) == [(made["pending"].pk, due, 25)]
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = 'loyalty_transaction'")
        assert cursor.fetchone()[0] == ["fillfactor=90"]
