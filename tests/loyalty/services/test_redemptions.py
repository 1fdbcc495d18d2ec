"""Standard redemptions in the domain: pricing, execute, adjust and cancel as one chain."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loyalty import errors
from loyalty.models import (
    Member,
    MemberStatus,
    RedemptionTierPrice,
    Transaction,
    TransactionStatus,
    TransactionSubType,
)
from loyalty.services.redemptions import (
    redemption_adjust,
    redemption_cancel,
    redemption_execute,
    redemption_simulate,
)
from tests.factories import PartnerFactory, partner_account, redemption_partnership
from tests.loyalty.helpers import accrue, holdings, rate

D = Decimal
FUNDS = 100_000


@pytest.fixture
def hotel(currency):
    """Example Hotels: accepts EXAMPLE_POINTS for hotels (a point worth 0.02 EUR) and in
    general (the currency's 0.01 EUR), adjustments and cancellations allowed."""
    partner = PartnerFactory(company_name="Example Hotels", api_identifier="example-hotels")
    partner_account(partner=partner, loyalty_currency=currency)
    redemption_partnership(
        partner=partner, loyalty_currency=currency, prices={"hotel": D("0.02"), "general": None}
    )
    return partner


@pytest.fixture
def funded(member_acc):
    accrue(member_acc, FUNDS)
    return member_acc


def fiat(amount, category="hotel", currency="EUR", **extra):
    return {"fiat_amount": D(amount), "fiat_currency": currency, "category": category, **extra}


def points(amount, category="general", **extra):
    return {"loyalty_amount": amount, "category": category, **extra}


def execute(hotel, currency, member, items, ref="BK-1", **extra):
    return redemption_execute(
        partner=hotel,
        loyalty_currency=currency,
        member=member.loyalty_program_identifiers,
        items=items,
        external_reference=ref,
        reason="Hotel booking",
        **extra,
    )


def adjust(hotel, member, link, items, ref="BK-1b", previous_ref=None):
    return redemption_adjust(
        partner=hotel,
        member=member.loyalty_program_identifiers,
        previous_transaction_id=link.public_id,
        previous_external_reference=link.external_reference
        if previous_ref is None
        else previous_ref,
        new_external_reference=ref,
        items=items,
        reason="Booking changed",
    )


def cancel(partner, link):
    return redemption_cancel(
        partner=partner,
        previous_transaction_id=link.public_id,
        previous_external_reference=link.external_reference,
        reason="Booking cancelled",
    )


def hotel_balance(hotel, currency):
    return partner_account(partner=hotel, loyalty_currency=currency).balance


# Pricing and execution -----------------------------------------------------------------------


def test_execute_prices_each_item_and_moves_the_total(
    hotel, currency, member, funded, ledger_balances
):
    record = execute(
        hotel,
        currency,
        member,
        [fiat("120.00", product_code="ROOM-1", sub_category="suite"), points(500)],
    )
    tx = record.transaction
    # 120.00 EUR at 0.02 a point, plus 500 points (worth 5.00 EUR at the general price)
    assert record.quote.total_loyalty_amount == tx.amount == 6_500
    assert (tx.type, tx.sub_type, tx.status) == ("redemption", "standard", "completed")
    assert tx.origin_account_id == funded.pk
    assert tx.related_data == {
        "type": "standard_redemption",
        "external_reference": "BK-1",
        "total_fiat_amount": "125.00",
        "redemption_items": [
            {
                "category": "hotel",
                "fiat_amount": "120.00",
                "fiat_currency": "EUR",
                "loyalty_amount": 6_000,
                "product_code": "ROOM-1",
                "sub_category": "suite",
            },
            {
                "category": "general",
                "fiat_amount": "5.00",
                "fiat_currency": "EUR",
                "loyalty_amount": 500,
            },
        ],
    }
    assert holdings(funded) == (FUNDS - 6_500, 0)
    assert hotel_balance(hotel, currency) == 6_500
    ledger_balances()


def test_fiat_in_another_currency_is_converted_at_the_days_rate(hotel, currency, member, funded):
    rate("USD", "EUR", "0.5", date=dt.date.today())
    record = execute(hotel, currency, member, [fiat("10.00", currency="USD")])
    # 10 USD = 5 EUR, at 0.02 EUR a point
    assert record.transaction.amount == 250
    assert record.quote.fiat_currency == "USD"
    assert record.transaction.related_data["total_fiat_amount"] == "10.00"


def test_a_tier_may_pay_fewer_points(hotel, currency, member, funded, gold):
    Member.objects.filter(pk=member.pk).update(tier=gold)
    price = hotel.partnerships.get().redemption_prices.get(category="hotel")
    RedemptionTierPrice.objects.create(price=price, tier=gold, unit_value=D("0.025"))
    assert execute(hotel, currency, member, [fiat("100")]).transaction.amount == 4_000
    simulation = redemption_simulate(partner=hotel, loyalty_currency=currency, items=[fiat("100")])
    assert simulation.quote.total_loyalty_amount == 5_000  # no member: the base price


def test_simulate_writes_nothing_and_tells_what_the_balance_covers(hotel, currency, member, funded):
    before = Transaction.objects.count()
    simulation = redemption_simulate(
        partner=hotel,
        loyalty_currency=currency,
        items=[fiat("3000")],
        member=member.loyalty_program_identifiers,
    )
    assert simulation.quote.total_loyalty_amount == 150_000
    assert simulation.sufficient_balance is False
    assert simulation.maximum_fiat_balance is None  # balances are not visible to partners
    assert Transaction.objects.count() == before
    currency.balances_visible_to_partners = True
    currency.save()
    simulation = redemption_simulate(
        partner=hotel,
        loyalty_currency=currency,
        items=[fiat("30")],
        member=member.loyalty_program_identifiers,
    )
    assert simulation.sufficient_balance is True
    assert simulation.maximum_fiat_balance == D("1000.00")  # 100 000 points at 0.01 (general)


@pytest.mark.parametrize(
    ("items", "error"),
    [
        ([fiat("10", category="flight")], errors.CategoryNotAllowed),
        ([fiat("10"), fiat("10", currency="USD")], errors.MixedFiatCurrencies),
        ([points(0)], errors.RedemptionAmountOutOfRange),
        ([points(1)] * 51, errors.TooManyRedemptionItems),
        ([points(FUNDS + 1)], errors.InsufficientFunds),
        ([fiat("10", currency="JPY")], errors.FxRateMissing),
    ],
)
def test_refused_redemptions_write_nothing(
    hotel, currency, member, funded, items, error, ledger_balances
):
    before = Transaction.objects.count()
    with pytest.raises(error):
        execute(hotel, currency, member, items)
    assert Transaction.objects.count() == before
    assert holdings(funded) == (FUNDS, 0)
    ledger_balances()


def test_minimum_and_maximum_per_redemption(currency, member, funded):
    shop = PartnerFactory()
    redemption_partnership(
        partner=shop,
        loyalty_currency=currency,
        minimum_member_transaction_amount=100,
        maximum_member_transaction_amount=1_000,
    )
    with pytest.raises(errors.RedemptionAmountOutOfRange, match="minimum"):
        execute(shop, currency, member, [points(99)])
    with pytest.raises(errors.RedemptionAmountOutOfRange, match="maximum"):
        execute(shop, currency, member, [points(1_001)])
    assert execute(shop, currency, member, [points(1_000)]).transaction.amount == 1_000


def test_an_inactive_member_cannot_redeem(hotel, currency, member, funded):
    Member.objects.filter(pk=member.pk).update(status=MemberStatus.BLOCKED)
    with pytest.raises(errors.InactiveAccountOwner):
        execute(hotel, currency, member, [points(10)])
    assert Transaction.objects.filter(type="redemption").count() == 0


def test_a_partner_without_a_redemption_partnership_is_refused(currency, member, funded):
    stranger = PartnerFactory()
    with pytest.raises(errors.Forbidden):
        execute(stranger, currency, member, [points(10)])
    with pytest.raises(errors.Forbidden):
        redemption_simulate(partner=stranger, loyalty_currency=currency, items=[points(10)])


# The chain -----------------------------------------------------------------------------------


def test_adjust_up_then_down_then_cancel(hotel, currency, member, funded, ledger_balances):
    original = execute(hotel, currency, member, [fiat("100")]).transaction  # 5 000
    up = adjust(hotel, member, original, [fiat("100"), fiat("20")])  # 6 000
    assert (up.loyalty_amount_difference, up.fiat_amount_difference) == (1_000, D("20"))
    assert up.transaction.sub_type == TransactionSubType.ADJUSTMENT_INCREASE
    assert up.transaction.previous_id == original.pk
    assert up.transaction.related_data["original_redemption_transaction_id"] == original.public_id
    assert up.transaction.related_data["total_loyalty_amount"] == 6_000
    assert up.transaction.related_data["transaction_fiat_amount"] == "20.00"
    original.refresh_from_db()
    assert original.status == TransactionStatus.ADJUSTED
    assert holdings(funded) == (FUNDS - 6_000, 0)

    down = adjust(hotel, member, up.transaction, [fiat("50")], ref="BK-1c")  # 2 500
    assert down.loyalty_amount_difference == -3_500
    assert down.transaction.sub_type == TransactionSubType.ADJUSTMENT_DECREASE
    assert down.transaction.origin_account.partner_id == hotel.pk
    assert holdings(funded) == (FUNDS - 2_500, 0)
    ledger_balances()

    cancelled = cancel(hotel, down.transaction)
    tx = cancelled.transaction
    assert (tx.sub_type, tx.amount, tx.destination_account_id) == ("cancellation", 2_500, funded.pk)
    assert tx.related_data == {
        "type": "standard_redemption_cancellation",
        "original_redemption_transaction_id": original.public_id,
        "previous_transaction_id": down.transaction.public_id,
        "total_fiat_amount": "50.00",
    }
    down.transaction.refresh_from_db()
    assert down.transaction.status == TransactionStatus.CANCELLED
    assert holdings(funded) == (FUNDS, 0)
    assert hotel_balance(hotel, currency) == 0
    report = ledger_balances()
    assert report.transactions_checked == 5  # the accrual and the four links


def test_only_the_latest_link_may_be_changed(hotel, currency, member, funded):
    original = execute(hotel, currency, member, [fiat("100")]).transaction
    latest = adjust(hotel, member, original, [fiat("120")]).transaction
    with pytest.raises(errors.NotLatestRedemption, match=latest.public_id) as refused:
        adjust(hotel, member, original, [fiat("130")])
    assert "BK-1b" in refused.value.message
    with pytest.raises(errors.NotLatestRedemption, match=latest.public_id):
        cancel(hotel, original)
    with pytest.raises(errors.NotLatestRedemption) as refused:
        adjust(hotel, member, latest, [fiat("130")], previous_ref="BK-1")
    assert refused.value.field == "previous_external_reference"
    cancel(hotel, latest)
    with pytest.raises(errors.RedemptionAlreadyCancelled):
        cancel(hotel, latest)
    with pytest.raises(errors.RedemptionAlreadyCancelled):
        adjust(hotel, member, latest, [fiat("10")])


def test_adjustments_need_the_partnership_to_allow_them(currency, member, funded):
    shop = PartnerFactory()
    redemption_partnership(partner=shop, loyalty_currency=currency, adjustment_allowed=False)
    original = execute(shop, currency, member, [points(100)]).transaction
    with pytest.raises(errors.AdjustmentNotAllowed):
        adjust(shop, member, original, [points(50)])
    with pytest.raises(errors.AdjustmentNotAllowed):
        cancel(shop, original)
    original.refresh_from_db()
    assert original.status == TransactionStatus.COMPLETED


def test_an_adjustment_must_change_the_total_and_name_the_member(
    hotel, currency, member, funded, other_member_acc
):
    original = execute(hotel, currency, member, [fiat("100")]).transaction
    with pytest.raises(errors.AdjustmentUnchanged):
        adjust(hotel, member, original, [fiat("60"), fiat("40")])
    with pytest.raises(errors.RedemptionMemberMismatch):
        adjust(hotel, other_member_acc.member, original, [fiat("60")])
    with pytest.raises(errors.MixedFiatCurrencies):
        rate("USD", "EUR", "0.5", date=dt.date.today())
        adjust(hotel, member, original, [fiat("60", currency="USD")])


def test_a_refund_reaches_a_member_blocked_since(hotel, currency, member, funded, ledger_balances):
    original = execute(hotel, currency, member, [fiat("100")]).transaction
    Member.objects.filter(pk=member.pk).update(status=MemberStatus.BLOCKED)
    with pytest.raises(errors.InactiveAccountOwner):
        adjust(hotel, member, original, [fiat("150")])
    adjust(hotel, member, original, [fiat("50")])
    assert holdings(funded) == (FUNDS - 2_500, 0)
    ledger_balances()


def test_scope_who_may_change_a_redemption(hotel, currency, member, funded, owner_partner):
    original = execute(hotel, currency, member, [fiat("100")]).transaction
    rival = PartnerFactory()
    redemption_partnership(partner=rival, loyalty_currency=currency)
    with pytest.raises(errors.TransactionNotFound):  # not visible to it: as if unknown
        cancel(rival, original)
    with pytest.raises(errors.Forbidden):  # no redemption partnership at all: before any lookup
        cancel(PartnerFactory(), original)
    with pytest.raises(errors.NotARedemption):
        accrual = accrue(funded, 5)
        cancel(currency.owner, accrual)
    assert cancel(currency.owner, original).transaction.amount == 5_000  # the owner may


@pytest.fixture
def owner_partner(currency):
    return currency.owner


# The chain's property ------------------------------------------------------------------------

operations = st.lists(
    st.one_of(
        st.tuples(st.just("adjust"), st.integers(min_value=1, max_value=3_000)),
        st.tuples(st.just("cancel"), st.just(0)),
    ),
    max_size=6,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(first=st.integers(min_value=1, max_value=3_000), steps=operations)
def test_the_member_is_charged_the_last_total(hotel, currency, member, funded, first, steps):
    """Any sequence of execute, adjust and cancel leaves the member charged exactly the chain's
    last total (zero after a cancellation); refused steps change nothing."""
    start = holdings(funded)[0]
    link = execute(hotel, currency, member, [points(first)], ref="P").transaction
    charged, cancelled = first, False
    for n, (kind, total) in enumerate(steps):
        try:
            if kind == "adjust":
                link = adjust(hotel, member, link, [points(total)], ref=f"P{n}").transaction
                charged = total
            else:
                link = cancel(hotel, link).transaction
                charged, cancelled = 0, True
        except errors.AdjustmentUnchanged:
            assert kind == "adjust" and total == charged and not cancelled
        except errors.RedemptionAlreadyCancelled:
            assert cancelled
        assert holdings(funded)[0] == start - charged
    from loyalty.ledger_audit import ledger_report

    assert ledger_report().ok


# Concurrency on PostgreSQL -------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_32_threads_redeeming_from_one_member_never_overdraw_it(
    hotel, currency, member, member_acc, run_concurrently, ledger_balances
):
    funds, cost, attempts = 10_000, 700, 32
    accrue(member_acc, funds)

    def redeem(n):
        return lambda: execute(hotel, currency, member, [points(cost)], ref=f"C{n}").transaction

    outcomes = run_concurrently([redeem(n) for n in range(attempts)])
    done = [o for o in outcomes if isinstance(o, Transaction)]
    refusals = [o for o in outcomes if not isinstance(o, Transaction)]
    assert len(done) == funds // cost
    assert all(type(r) is errors.InsufficientFunds for r in refusals), refusals
    assert holdings(member_acc) == (funds - len(done) * cost, 0)
    assert hotel_balance(hotel, currency) == len(done) * cost
    ledger_balances()


@pytest.mark.django_db(transaction=True)
def test_concurrent_changes_of_one_redemption_apply_one_at_a_time(
    hotel, currency, member, member_acc, run_concurrently, ledger_balances
):
    accrue(member_acc, FUNDS)
    original = execute(hotel, currency, member, [points(1_000)]).transaction
    calls = [lambda n=n: adjust(hotel, member, original, [points(2_000 + n)]) for n in range(6)]
    calls += [lambda: cancel(hotel, original)] * 2
    outcomes = run_concurrently(calls)
    won = [o for o in outcomes if not isinstance(o, Exception)]
    assert len(won) == 1, outcomes
    late = (errors.NotLatestRedemption, errors.RedemptionAlreadyCancelled)
    assert all(isinstance(o, late) for o in outcomes if o not in won), outcomes
    expected = 0 if won[0].quote is None else won[0].quote.total_loyalty_amount
    assert holdings(member_acc) == (FUNDS - expected, 0)
    ledger_balances()
