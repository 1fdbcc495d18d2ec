"""Finance pages of the admin (loyalty.admin.finance): points expiring soon and its CSV, the
member page's expiry schedule, liability and settlement with their downloads, the exchanges CSV."""

import datetime as dt
import io

import pytest
import time_machine
from django.utils import timezone
from openpyxl import load_workbook

from loyalty import ledger
from loyalty.models import ExpiryPolicy, TransactionType
from loyalty.reports.liability import liability_report
from loyalty.selectors import member_account
from loyalty.services.exchanges import exchange_execute
from tests.factories import MemberFactory
from tests.loyalty.admin.helpers import page, url
from tests.loyalty.services.exchange_fixtures import *  # noqa: F403


@pytest.fixture
def expiring(currency):
    currency.expiry_policy = ExpiryPolicy.DAYS
    currency.expiry_period = 90
    currency.save()
    return currency


def earn(mint, account, amount, days_ago):
    return ledger.post(
        origin=mint,
        destination=account,
        amount=amount,
        type=TransactionType.ACCRUAL,
        created_at=timezone.now() - dt.timedelta(days=days_ago),
    )


def test_expiring_soon_lists_members_and_downloads_csv(admin_client, expiring, mint):
    soon = MemberFactory(
        loyalty_currency=expiring,
        loyalty_program_identifiers={"id": "M1"},
        first_name="Ada",
        last_name="Lovelace, Countess",
        email="ada@example.com",
    )
    later = MemberFactory(loyalty_currency=expiring, loyalty_program_identifiers={"id": "M2"})
    earn(mint, member_account(member=soon), 1_200, days_ago=80)
    earn(mint, member_account(member=soon), 300, days_ago=5)
    earn(mint, member_account(member=later), 50, days_ago=10)

    params = {"loyalty_currency": expiring.pk, "days": 30}
    html = page(admin_client.get(url("member_expiring"), params))
    assert "1 member with 1,200 Example Points expiring within 30 days" in html
    assert "M1" in html and "M2" not in html

    response = admin_client.get(url("member_expiring"), {**params, "format": "csv"})
    assert response.streaming
    assert b"".join(response.streaming_content) == (
        b"membership_id,name,email,expiring,balance,expires_within_days\r\n"
        b'M1,"Ada Lovelace, Countess",ada@example.com,1200,1500,30\r\n'
    )


def test_expiring_soon_without_a_policy_says_so(admin_client, currency):
    assert "No currency's points expire" in page(admin_client.get(url("member_expiring")))


def test_member_page_shows_what_expires_when(admin_client, expiring, mint, member, member_acc):
    earn(mint, member_acc, 100, days_ago=80)
    earn(mint, member_acc, 40, days_ago=1)
    html = page(admin_client.get(url("member_change", member.pk)))
    assert 'id="member-expiry"' in html
    first = (timezone.now() + dt.timedelta(days=10)).date()
    assert f'{first:%Y-%m-%d}</td><td class="px-3 py-2 text-right">100<' in html


def test_reports_page_shows_liability_and_settlement_and_downloads(
    admin_client, currency, mint, member_acc, partner_acc
):
    day = dt.datetime(2026, 3, 10, tzinfo=dt.UTC)
    ledger.post(origin=mint, destination=member_acc, amount=1_000, type="accrual", created_at=day)
    ledger.post(
        origin=partner_acc, destination=member_acc, amount=200, type="accrual", created_at=day
    )
    params = {"start": "2026-03-01", "end": "2026-03-31", "loyalty_currency": currency.pk}
    html = page(admin_client.get(url("loyaltycurrency_reports"), params))
    assert 'id="liability-EXAMPLE_POINTS"' in html
    assert "1,200" in html and "12.00" in html  # members' closing, units and EUR
    assert "Example Air" in html and "2.00 EUR" in html  # 200 x 0.01 owed by the partner

    response = admin_client.get(url("loyaltycurrency_reports"), {**params, "format": "csv"})
    body = b"".join(response.streaming_content).decode()
    assert body.startswith("loyalty_currency,holders,opening,issued,redeemed,expired,")
    assert "\r\nEXAMPLE_POINTS,members,0,1200,0,0,0,0,0,0,1200,EUR,0.00,12.00," in body

    response = admin_client.get(
        url("loyaltycurrency_reports"), {**params, "format": "csv", "report": "settlement"}
    )
    body = b"".join(response.streaming_content).decode()
    assert "EXAMPLE_POINTS,Example Air," in body and body.rstrip().endswith(",2.00")

    response = admin_client.get(url("loyaltycurrency_reports"), {**params, "format": "xlsx"})
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Liability", "Settlement"]
    members_row = [cell.value for cell in workbook["Liability"][2]]
    assert members_row[:4] == ["EXAMPLE_POINTS", "members", 0, 1200]


def test_reports_page_refuses_a_backwards_period(admin_client, currency):
    html = page(
        admin_client.get(
            url("loyaltycurrency_reports"), {"start": "2026-03-05", "end": "2026-03-01"}
        )
    )
    assert "The period ends before it starts." in html
    assert "report-downloads" not in html


def test_reports_page_defaults_to_last_month(admin_client, currency):
    html = page(admin_client.get(url("loyaltycurrency_reports")))
    assert 'id="liability-EXAMPLE_POINTS"' in html


def test_exchanges_csv_of_the_period_matches_the_liability_report(
    admin_client, currency, airline, to_miles, rich_member, flyer
):
    def exchange(amount, moment, reference):
        with time_machine.travel(moment, tick=False):
            exchange_execute(
                partner=airline,
                amount=amount,
                origin_loyalty_currency="EXAMPLE_POINTS",
                destination_loyalty_currency="EXAMPLE_MILES",
                origin_member=rich_member.loyalty_program_identifiers,
                destination_member=flyer.loyalty_program_identifiers,
                external_reference=reference,
            )

    exchange(40, dt.datetime(2026, 3, 1, 0, 0, tzinfo=dt.UTC), "first")
    exchange(60, dt.datetime(2026, 3, 31, 23, 59, 59, tzinfo=dt.UTC), "last")
    exchange(500, dt.datetime(2026, 4, 1, tzinfo=dt.UTC), "april")
    params = {"start": "2026-03-01", "end": "2026-03-31", "loyalty_currency": currency.pk}
    assert "report=exchanges" in page(admin_client.get(url("loyaltycurrency_reports"), params))

    response = admin_client.get(
        url("loyaltycurrency_reports"), {**params, "format": "csv", "report": "exchanges"}
    )
    assert response["Content-Disposition"].startswith('attachment; filename="exchanges-')
    rows = b"".join(response.streaming_content).decode().split("\r\n")[1:-1]
    assert [row.split(",")[5] for row in rows] == ["first", "last"]
    exchanged = sum(int(row.split(",")[6]) for row in rows)
    march = liability_report(
        start=dt.datetime(2026, 3, 1, tzinfo=dt.UTC),
        end=dt.datetime(2026, 4, 1, tzinfo=dt.UTC),
        loyalty_currency=currency,
    )[0]
    assert exchanged == 100 == -march.members.movements["redeemed"]
