"""Liability, breakage and settlement (loyalty.reports.liability): the identity opening +
movements = closing over random histories, the closing against the stored balances, and each
category on a known history."""

import contextlib
import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import F, Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loyalty import errors, ledger
from loyalty.models import (
    Account,
    Transaction,
    TransactionStatus,
    TransactionSubType,
    TransactionType,
)
from loyalty.reports.liability import (
    MOVEMENTS,
    _category_sql,
    category,
    liability_report,
    liability_rows,
    settlement_report,
    settlement_rows,
)
from loyalty.selectors import member_account, mint_account
from tests.factories import LoyaltyCurrencyFactory, MemberFactory, PartnerFactory, partner_account

BASE = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
FAR = dt.datetime(2200, 1, 1, tzinfo=dt.UTC)

operations = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "accrue",
                "accrue_partner",
                "redeem",
                "credit",
                "debit",
                "transfer",
                "hold",
                "cancel",
                "release",
                "reverse",
                "expire",
            ]
        ),
        st.integers(min_value=0, max_value=2),  # which member
        st.integers(min_value=1, max_value=300),  # amount
        st.integers(min_value=0, max_value=400),  # day of the history
    ),
    max_size=30,
)


def apply(op, *, mint, members, partner_acc, created, now):
    kind, who, amount, day = op
    member = members[who]
    when = BASE + dt.timedelta(days=day)
    post = {"created_at": when}
    if kind == "accrue":
        ledger.post(origin=mint, destination=member, amount=amount, type="accrual", **post)
    elif kind == "accrue_partner":
        ledger.post(origin=partner_acc, destination=member, amount=amount, type="accrual", **post)
    elif kind == "redeem":
        ledger.post(
            origin=member, destination=partner_acc, amount=amount, type="redemption", **post
        )
    elif kind == "credit":
        ledger.post(
            origin=mint,
            destination=member,
            amount=amount,
            type=TransactionType.ACCRUAL,
            sub_type=TransactionSubType.ADJUSTMENT_INCREASE,
            **post,
        )
    elif kind == "debit":
        ledger.post(
            origin=member,
            destination=mint,
            amount=amount,
            type=TransactionType.TRANSFER,
            sub_type=TransactionSubType.ADJUSTMENT_DECREASE,
            **post,
        )
    elif kind == "transfer":
        other = members[(who + 1) % len(members)]
        ledger.post(origin=member, destination=other, amount=amount, type="transfer", **post)
    elif kind == "hold":
        ledger.hold(
            origin=mint,
            destination=member,
            amount=amount,
            type="accrual",
            release_date=now + dt.timedelta(days=3),
            **post,
        )
    elif kind == "expire":
        ledger.post(
            origin=member,
            destination=mint,
            amount=amount,
            type=TransactionType.LOYALTY_CURRENCY_EXPIRATION,
            **post,
        )
    else:
        wanted = TransactionStatus.PENDING if kind in {"cancel", "release"} else "completed"
        candidates = [tx for tx in created if tx.status == wanted and tx.type != "reversal"]
        if not candidates:
            return
        tx = candidates[amount % len(candidates)]
        if kind == "cancel":
            ledger.cancel(transaction=tx)
        elif kind == "release":
            ledger.release(transaction=tx)
        else:
            ledger.reverse(transaction=tx, reason="Test")


def held_by(currency, **owner) -> int:
    rows = Account.objects.filter(loyalty_currency=currency, **owner)
    total = rows.aggregate(total=Sum(F("balance") + F("pending_balance")))["total"]
    return int(total or 0)


@pytest.mark.django_db
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    ops=operations,
    cuts=st.lists(st.integers(min_value=-10, max_value=420), min_size=2, max_size=4),
)
def test_opening_plus_movements_is_closing_over_random_histories(ops, cuts, ledger_balances):
    currency = LoyaltyCurrencyFactory()
    mint = mint_account(loyalty_currency=currency)
    members = [member_account(member=MemberFactory(loyalty_currency=currency)) for _ in range(3)]
    partner_acc = partner_account(
        partner=PartnerFactory(), loyalty_currency=currency, credit_limit=2_000
    )
    now = dt.datetime.now(dt.UTC)
    for op in ops:
        # Cancellations, releases and reversals pick one of the transactions made so far.
        created = list(Transaction.objects.filter(loyalty_currency=currency).order_by("id"))
        # A refused operation (an overdraft, a spent reversal) writes nothing.
        with contextlib.suppress(errors.LedgerError):
            apply(op, mint=mint, members=members, partner_acc=partner_acc, created=created, now=now)

    moments = [*sorted({BASE + dt.timedelta(days=cut) for cut in cuts}), FAR]
    reports = [
        liability_report(start=start, end=end, loyalty_currency=currency)[0]
        for start, end in itertools.pairwise(moments)
    ]
    for report in reports:
        for side in (report.members, report.partners, report.total):
            assert side.opening + side.net_movement == side.closing
    for earlier, later in itertools.pairwise(reports):
        assert earlier.members.closing == later.members.opening
        assert earlier.partners.closing == later.partners.opening
    last = reports[-1]
    assert last.members.closing == held_by(currency, member__isnull=False)
    assert last.partners.closing == held_by(currency, partner__isnull=False) - held_by(
        currency, pk=mint.pk
    )
    assert last.total.closing == -Account.objects.get(pk=mint.pk).balance
    ledger_balances()


def at(day: int) -> dt.datetime:
    return BASE + dt.timedelta(days=day)


@pytest.fixture
def history(currency, mint, member_acc, other_member_acc, partner_acc):
    """Example Points at 0.01 EUR a unit (0.008 for issuing partners): a year of a member's life."""
    currency.issuing_partners_cost = Decimal("0.008")
    currency.save()
    post = ledger.post
    post(origin=mint, destination=member_acc, amount=1_000, type="accrual", created_at=at(0))
    post(origin=partner_acc, destination=member_acc, amount=500, type="accrual", created_at=at(40))
    post(
        origin=member_acc, destination=partner_acc, amount=300, type="redemption", created_at=at(50)
    )
    post(
        origin=member_acc,
        destination=other_member_acc,
        amount=100,
        type="transfer",
        sub_type=TransactionSubType.MEMBER_TO_MEMBER,
        created_at=at(55),
    )
    wrong = post(origin=mint, destination=member_acc, amount=70, type="accrual", created_at=at(60))
    ledger.reverse(transaction=wrong, reason="Duplicate")  # its reversal is created today
    post(
        origin=mint,
        destination=member_acc,
        amount=25,
        type="accrual",
        sub_type=TransactionSubType.ADJUSTMENT_INCREASE,
        created_at=at(70),
    )
    post(
        origin=member_acc,
        destination=mint,
        amount=200,
        type=TransactionType.LOYALTY_CURRENCY_EXPIRATION,
        created_at=at(80),
    )
    return currency


def test_each_movement_on_a_known_history(history, partner_acc, ledger_balances):
    report = liability_report(start=at(30), end=at(90), loyalty_currency=history)[0]
    members, partners = report.members, report.partners
    assert members.opening == 1_000
    assert members.movements == {
        "issued": 500 + 70,
        "redeemed": -300,
        "expired": -200,
        "adjusted": 25,
        "reversed": 0,  # created today, after the period
        "transferred": 0,  # member to member: nets out on the members' side
        "other": 0,
    }
    assert members.closing == 1_095
    assert (partners.opening, partners.movements["issued"], partners.movements["redeemed"]) == (
        0,
        -500,
        300,
    )
    assert partners.closing == -200
    assert report.total.closing == 895
    assert report.fiat(report.total.closing) == Decimal("8.95")
    # Breakage and redemption rate from the members' side.
    assert report.breakage_rate == Decimal("0.3509")  # 200 / 570
    assert report.redemption_rate == Decimal("0.5263")  # 300 / 570

    now = liability_report(start=at(30), end=FAR, loyalty_currency=history)[0]
    assert now.members.movements["reversed"] == -70
    ledger_balances()


def test_report_rows_have_units_fiat_and_rates(history):
    header, rows = liability_rows(liability_report(start=at(30), end=at(90)))
    assert header[:11] == ["loyalty_currency", "holders", "opening", *MOVEMENTS, "closing"]
    by_holder = {row[1]: dict(zip(header, row, strict=True)) for row in rows}
    assert by_holder["members"]["closing_fiat"] == Decimal("10.95")
    assert by_holder["members"]["breakage_rate"] == Decimal("0.3509")
    assert by_holder["total"]["closing"] == 895
    assert by_holder["partners"]["breakage_rate"] == ""


def test_partner_settlement(history, partner, partner_acc, mint, member_acc):
    # An exchange in from the partner's account and a reversed redemption (nets out).
    ledger.post(
        origin=partner_acc,
        destination=member_acc,
        amount=40,
        type=TransactionType.MEMBER_EXCHANGE,
        sub_type=TransactionSubType.IN,
        created_at=at(85),
    )
    spent = ledger.post(
        origin=member_acc, destination=partner_acc, amount=10, type="redemption", created_at=at(86)
    )
    ledger.reverse(transaction=spent, reason="Order cancelled")

    [settlement] = settlement_report(start=at(30), end=at(90), loyalty_currency=history)
    assert settlement.partner == partner
    assert (settlement.issued, settlement.redeemed) == (500, 300)
    assert (settlement.exchanged_in, settlement.exchanged_out) == (40, 0)
    assert settlement.issued_fiat == Decimal("4.00")  # 500 x 0.008
    assert settlement.redeemed_fiat == Decimal("3.00")
    assert settlement.partner_owes == Decimal("1.40")
    header, rows = settlement_rows([settlement])
    assert dict(zip(header, rows[0], strict=True))["partner_owes"] == Decimal("1.40")
    assert settlement_report(start=at(90), end=at(100)) == []


@pytest.mark.django_db
def test_category_in_python_and_in_sql_agree():
    pairs = [(t, s) for t in TransactionType.values for s in [*TransactionSubType.values, ""]]
    values = ", ".join(["(%s, %s)"] * len(pairs))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT t.type, t.sub_type, {_category_sql('t')} "
            f"FROM (VALUES {values}) AS t(type, sub_type)",
            [value for pair in pairs for value in pair],
        )
        rows = cursor.fetchall()
    assert len(rows) == len(pairs)
    assert all(name == category(type_, sub_type) for type_, sub_type, name in rows)
    assert category(TransactionType.REVERSAL, TransactionSubType.ADJUSTMENT_INCREASE) == "reversed"
    assert category(TransactionType.MEMBER_EXCHANGE, TransactionSubType.IN) == "issued"
    assert category(TransactionType.MEMBER_EXCHANGE, TransactionSubType.OUT) == "redeemed"
