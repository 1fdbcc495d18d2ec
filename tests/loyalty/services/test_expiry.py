"""Expiry runs (loyalty.services.expiry): oldest first, pending and reversals, exactly once."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loyalty import ledger
from loyalty.expiry import expiring_by, expiry_schedule, run_cutoff
from loyalty.models import (
    Account,
    ExpiryPolicy,
    ExpiryRounding,
    PointsExpiration,
    Transaction,
    TransactionType,
)
from loyalty.selectors import member_account, mint_account
from loyalty.services.expiry import points_expire, points_expire_all
from loyalty.tasks import expire_points
from tests.factories import (
    LoyaltyCurrencyFactory,
    MemberFactory,
    PartnerFactory,
    partner_account,
)

NOW = timezone.now().replace(microsecond=0)


def days_ago(days: int) -> dt.datetime:
    return NOW - dt.timedelta(days=days)


def balance(account: Account) -> int:
    return Account.objects.values_list("balance", flat=True).get(pk=account.pk)


def expirations(account: Account) -> list[int]:
    return list(
        Transaction.objects.filter(
            origin_account=account, type=TransactionType.LOYALTY_CURRENCY_EXPIRATION
        )
        .order_by("id")
        .values_list("amount", flat=True)
    )


@pytest.fixture
def expiring(currency):
    """Example Points expire 90 days after they were earned."""
    currency.expiry_policy = ExpiryPolicy.DAYS
    currency.expiry_period = 90
    currency.save()
    return currency


def earn(mint, account, amount, when):
    return ledger.post(
        origin=mint,
        destination=account,
        amount=amount,
        type=TransactionType.ACCRUAL,
        created_at=when,
    )


def spend(account, partner_acc, amount, when):
    return ledger.post(
        origin=account,
        destination=partner_acc,
        amount=amount,
        type=TransactionType.REDEMPTION,
        created_at=when,
    )


def test_oldest_first_with_spends_in_between(
    expiring, mint, member_acc, partner_acc, ledger_balances
):
    earn(mint, member_acc, 100, days_ago(200))
    spend(member_acc, partner_acc, 30, days_ago(150))
    earn(mint, member_acc, 50, days_ago(120))
    spend(member_acc, partner_acc, 40, days_ago(100))  # 70 of the first 100 are gone
    earn(mint, member_acc, 80, days_ago(10))

    run = points_expire(loyalty_currency=expiring, now=NOW)

    # 150 earned more than 90 days ago, 70 spent: 80 expire; the recent 80 stay.
    assert (run.members, run.units) == (1, 80)
    assert expirations(member_acc) == [80]
    assert balance(member_acc) == 80
    tx = Transaction.objects.get(type=TransactionType.LOYALTY_CURRENCY_EXPIRATION)
    assert (tx.origin_account_id, tx.destination_account_id) == (member_acc.pk, mint.pk)
    ledger_balances()


def test_later_cutoff_expires_only_what_became_due(expiring, mint, member_acc, ledger_balances):
    earn(mint, member_acc, 100, days_ago(100))
    earn(mint, member_acc, 60, days_ago(60))

    assert points_expire(loyalty_currency=expiring, now=NOW).units == 100
    assert points_expire(loyalty_currency=expiring, now=NOW + dt.timedelta(days=10)).units == 0
    assert points_expire(loyalty_currency=expiring, now=NOW + dt.timedelta(days=31)).units == 60
    assert expirations(member_acc) == [100, 60]
    assert balance(member_acc) == 0
    ledger_balances()


def test_pending_units_never_expire_and_count_from_their_release(
    expiring, mint, member_acc, ledger_balances
):
    held = ledger.hold(
        origin=mint,
        destination=member_acc,
        amount=70,
        type=TransactionType.ACCRUAL,
        release_date=NOW + dt.timedelta(days=2),
        created_at=days_ago(300),
    )
    later = NOW + dt.timedelta(days=200)
    assert points_expire(loyalty_currency=expiring, now=later).units == 0

    ledger.release(transaction=held)  # earned at its release date, two days from now
    assert points_expire(loyalty_currency=expiring, now=NOW + dt.timedelta(days=80)).units == 0
    assert points_expire(loyalty_currency=expiring, now=later + dt.timedelta(days=1)).units == 70
    ledger_balances()


def test_reversals_cancel_out(expiring, mint, member_acc, partner_acc, ledger_balances):
    reversed_accrual = earn(mint, member_acc, 500, days_ago(200))
    ledger.reverse(transaction=reversed_accrual, reason="Fraudulent purchase")
    earn(mint, member_acc, 100, days_ago(150))
    redemption = spend(member_acc, partner_acc, 40, days_ago(140))
    ledger.reverse(transaction=redemption, reason="Order cancelled")  # the 40 come back

    assert points_expire(loyalty_currency=expiring, now=NOW).units == 100
    assert balance(member_acc) == 0
    ledger_balances()


def test_policy_never_expires_nothing(currency, mint, member_acc):
    earn(mint, member_acc, 100, days_ago(5000))
    assert points_expire(loyalty_currency=currency, now=NOW).units == 0
    assert points_expire_all(now=NOW) == []


def test_end_of_month_rounding(currency, mint, member_acc, ledger_balances):
    currency.expiry_policy = ExpiryPolicy.MONTHS
    currency.expiry_period = 1
    currency.expiry_rounding = ExpiryRounding.END_OF_MONTH
    currency.save()
    earn(mint, member_acc, 10, dt.datetime(2026, 1, 20, tzinfo=dt.UTC))  # expires end of Feb

    feb_28 = dt.datetime(2026, 2, 28, 12, tzinfo=dt.UTC)
    assert points_expire(loyalty_currency=currency, now=feb_28).units == 0
    assert points_expire(loyalty_currency=currency, now=feb_28 + dt.timedelta(days=1)).units == 10
    ledger_balances()


def test_rerun_and_marker_are_once_per_account_and_cutoff(
    expiring, mint, member_acc, ledger_balances
):
    earn(mint, member_acc, 100, days_ago(100))
    assert points_expire(loyalty_currency=expiring, now=NOW).units == 100
    earn(mint, member_acc, 5, days_ago(95))  # recorded late, with an old date
    # Same day: the marker stops a second expiry of this account at this cutoff.
    assert points_expire(loyalty_currency=expiring, now=NOW).units == 0
    assert PointsExpiration.objects.get(account=member_acc).amount == 100
    # The next day's cutoff finds the late 5.
    assert points_expire(loyalty_currency=expiring, now=NOW + dt.timedelta(days=1)).units == 5
    ledger_balances()


def test_blocked_members_are_left_alone(expiring, mint, member_acc, ledger_balances):
    earn(mint, member_acc, 100, days_ago(100))
    member = member_acc.member
    member.status = "blocked"
    member.save()
    assert points_expire(loyalty_currency=expiring, now=NOW).units == 0
    assert balance(member_acc) == 100


def test_expiring_soon_and_the_member_schedule(expiring, mint, member_acc, partner_acc):
    earn(mint, member_acc, 100, days_ago(80))  # expires in 10 days
    earn(mint, member_acc, 60, days_ago(40))  # in 50 days
    spend(member_acc, partner_acc, 30, days_ago(30))

    other = member_account(member=MemberFactory(loyalty_currency=expiring))
    earn(mint, other, 10, days_ago(1))

    soon = expiring_by(loyalty_currency=expiring, moment=NOW + dt.timedelta(days=14))
    assert soon == {member_acc.pk: 70}
    schedule = expiry_schedule(account=member_acc)
    assert [(lot.expires_at, lot.amount) for lot in schedule] == [
        (days_ago(80) + dt.timedelta(days=90), 70),
        (days_ago(40) + dt.timedelta(days=90), 60),
    ]


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_expire_once(run_concurrently, ledger_balances):
    currency = LoyaltyCurrencyFactory(expiry_policy=ExpiryPolicy.DAYS, expiry_period=30)
    mint = mint_account(loyalty_currency=currency)
    accounts = [member_account(member=MemberFactory(loyalty_currency=currency)) for _ in range(20)]
    for i, account in enumerate(accounts):
        earn(mint, account, 10 + i, days_ago(40))
        earn(mint, account, 5, days_ago(5))

    runs = run_concurrently([lambda: points_expire(loyalty_currency=currency, now=NOW)] * 2)

    assert all(not isinstance(run, Exception) for run in runs), runs
    assert sum(run.units for run in runs) == sum(10 + i for i in range(20))
    assert sum(run.members for run in runs) == 20
    for i, account in enumerate(accounts):
        assert expirations(account) == [10 + i]
        assert balance(account) == 5
    # A rerun after both: nothing more.
    assert points_expire(loyalty_currency=currency, now=NOW).units == 0
    ledger_balances()


def test_command_and_task(expiring, mint, member_acc, ledger_balances):
    earn(mint, member_acc, 100, days_ago(100))
    earn(mint, member_acc, 7, days_ago(1))
    out = StringIO()
    day = (NOW - dt.timedelta(days=5)).date()
    call_command(
        "expire_points", "--currency", expiring.code, "--date", day.isoformat(), stdout=out
    )
    assert "100 unit(s) of 1 member(s) expired" in out.getvalue()
    assert expire_points() == 0  # today: the 100 already went, the 7 are recent
    ledger_balances()


@pytest.mark.django_db
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    events=st.lists(
        st.tuples(st.booleans(), st.integers(1, 200), st.integers(0, 300)), max_size=25
    ),
    runs=st.lists(st.integers(0, 400), min_size=1, max_size=4),
)
def test_expiry_matches_a_first_in_first_out_model(events, runs, ledger_balances):
    """Random earnings and spends over 300 days, then runs at increasing cutoffs: each run
    expires exactly what a queue of lots, spent oldest first, says has expired; the member
    page's schedule agrees."""
    currency = LoyaltyCurrencyFactory(expiry_policy=ExpiryPolicy.DAYS, expiry_period=60)
    mint = mint_account(loyalty_currency=currency)
    account = member_account(member=MemberFactory(loyalty_currency=currency))
    shop = partner_account(partner=PartnerFactory(), loyalty_currency=currency)
    start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    lots: list[list] = []  # [earned_at, remaining], oldest first
    for is_earning, amount, day in sorted(events, key=lambda e: e[2]):
        when = start + dt.timedelta(days=day)
        if is_earning:
            earn(mint, account, amount, when)
            lots.append([when, amount])
            continue
        if sum(lot[1] for lot in lots) < amount:
            continue  # the ledger would refuse it too
        spend(account, shop, amount, when)
        for lot in lots:
            used = min(lot[1], amount)
            lot[1] -= used
            amount -= used

    for day in sorted(set(runs)):
        cutoff = start + dt.timedelta(days=day)
        schedule = expiry_schedule(account=account)
        due = sum(lot.amount for lot in schedule if lot.expires_at <= run_cutoff(cutoff))
        expected = 0
        for lot in lots:
            if lot[0] + dt.timedelta(days=60) <= run_cutoff(cutoff):
                expected += lot[1]
                lot[1] = 0
        assert due == expected
        assert points_expire(loyalty_currency=currency, now=cutoff).units == expected
    assert balance(account) == sum(lot[1] for lot in lots)
    ledger_balances()
