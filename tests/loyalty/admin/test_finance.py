"""Finance pages of the admin (loyalty.admin.finance): points expiring soon and its CSV, the
member page's expiry schedule."""

import datetime as dt

import pytest
from django.utils import timezone

from loyalty import ledger
from loyalty.models import ExpiryPolicy, TransactionType
from loyalty.selectors import member_account
from tests.factories import MemberFactory
from tests.loyalty.admin.helpers import page, url


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
