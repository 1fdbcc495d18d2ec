"""Exchange services: amounts, scope, both sides in one transaction, external destinations."""

from decimal import Decimal

import pytest
from hypothesis import example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from loyalty import errors
from loyalty.models import (
    Exchange,
    ExchangeDirection,
    ExchangePartnership,
    ForwardingRecord,
    ForwardingStatus,
    LoyaltyCurrency,
    Transaction,
    TransactionStatus,
)
from loyalty.services.exchanges import exchange_amount, exchange_execute, exchange_simulate
from tests.loyalty.services.exchange_fixtures import *  # noqa: F403
from tests.loyalty.services.exchange_fixtures import balance


def execute(partner, member, to, destination_member, amount=1000):
    return exchange_execute(
        partner=partner,
        amount=amount,
        origin_loyalty_currency="EXAMPLE_POINTS",
        destination_loyalty_currency=to,
        origin_member=member.loyalty_program_identifiers,
        destination_member=destination_member,
    )


def test_hosted_exchange_completes_both_sides(
    currency, to_miles, rich_member, flyer, ledger_balances
):
    done = execute(currency.owner, rich_member, "EXAMPLE_MILES", flyer.loyalty_program_identifiers)
    exchange = Exchange.objects.get(pk=done.exchange.pk)
    assert exchange.origin_transaction.status == TransactionStatus.COMPLETED
    assert exchange.destination_transaction.status == TransactionStatus.COMPLETED
    assert (exchange.origin_transaction.amount, exchange.destination_transaction.amount) == (
        1000,
        500,
    )
    assert (exchange.origin_transaction.type, exchange.origin_transaction.sub_type) == (
        "member_exchange",
        "out",
    )
    assert balance(rich_member) == 4000
    assert balance(flyer) == 500
    assert done.forwarding is None
    ledger_balances()


@pytest.mark.parametrize(
    ("amount", "error"),
    [
        (9, errors.ExchangeAmountOutOfRange),
        (10_001, errors.ExchangeAmountOutOfRange),
        (1, errors.ExchangeAmountOutOfRange),
    ],
)
def test_amounts_outside_the_bounds_are_refused(
    currency, to_miles, rich_member, flyer, amount, error
):
    with pytest.raises(error):
        execute(
            currency.owner, rich_member, "EXAMPLE_MILES", flyer.loyalty_program_identifiers, amount
        )
    assert Transaction.objects.filter(type="member_exchange").count() == 0


def test_an_amount_that_gives_nothing_is_refused(currency, to_miles, rich_member, flyer):
    to_miles.minimum_member_transaction_amount = None
    to_miles.save()
    with pytest.raises(errors.ExchangeAmountTooSmall):
        execute(currency.owner, rich_member, "EXAMPLE_MILES", flyer.loyalty_program_identifiers, 1)


def test_a_stranger_learns_nothing(to_miles, rich_member, flyer, partner):
    with pytest.raises(errors.ExchangeNotAvailable):
        execute(partner, rich_member, "EXAMPLE_MILES", flyer.loyalty_program_identifiers)
    with pytest.raises(errors.ExchangeNotAvailable):
        execute(partner, rich_member, "EXAMPLE_MILES", {"id": "NOBODY"})


def test_insufficient_balance_writes_nothing(
    currency, to_miles, rich_member, flyer, ledger_balances
):
    with pytest.raises(errors.InsufficientFunds):
        execute(
            currency.owner, rich_member, "EXAMPLE_MILES", flyer.loyalty_program_identifiers, 6000
        )
    to_miles.maximum_member_transaction_amount = None
    to_miles.save()
    with pytest.raises(errors.InsufficientFunds):
        execute(
            currency.owner, rich_member, "EXAMPLE_MILES", flyer.loyalty_program_identifiers, 6000
        )
    assert Exchange.objects.count() == 0
    assert balance(rich_member) == 5000
    ledger_balances()


def test_simulate_every_partner_or_one(currency, to_miles, to_avios):
    owner = currency.owner
    assert exchange_simulate(
        partner=owner, amount=101, origin_loyalty_currency="EXAMPLE_POINTS"
    ) == {
        "AVIOS": 101,
        "EXAMPLE_MILES": 50,
    }
    assert exchange_simulate(
        partner=owner,
        amount=101,
        origin_loyalty_currency="EXAMPLE_POINTS",
        destination_loyalty_currency="EXAMPLE_MILES",
    ) == {"EXAMPLE_MILES": 50}
    assert Transaction.objects.count() == 0


def test_external_exchange_spends_now_and_queues_the_credit(
    currency, to_avios, rich_member, ledger_balances
):
    done = execute(
        currency.owner, rich_member, "AVIOS", {"id": "3081470000000001", "family_name": "Smith"}
    )
    record = ForwardingRecord.objects.get(pk=done.forwarding.pk)
    assert record.status == ForwardingStatus.QUEUED
    assert record.transaction.status == TransactionStatus.PENDING_EXTERNAL_APPROVAL
    assert record.exchange.origin_transaction.status == TransactionStatus.COMPLETED
    assert record.payload["account"] == "3081470000000001"
    assert record.reference in record.payload["description"]
    assert len(record.reference) <= 20
    assert balance(rich_member) == 4000
    ledger_balances()


def test_external_exchange_needs_the_required_fields(currency, to_avios, rich_member):
    with pytest.raises(errors.ExchangeFieldsMissing):
        execute(currency.owner, rich_member, "AVIOS", {"id": "3081470000000001"})
    assert Transaction.objects.filter(type="member_exchange").count() == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_exchanges_never_spend_the_units_twice(
    currency, to_avios, rich_member, run_concurrently, ledger_balances
):
    def spend_most():
        return execute(
            currency.owner,
            rich_member,
            "AVIOS",
            {"id": "3081470000000001", "family_name": "Andersen"},
            amount=4000,
        )

    results = run_concurrently([spend_most, spend_most])
    refused = [r for r in results if isinstance(r, errors.InsufficientFunds)]
    assert len(refused) == 1, results
    assert ForwardingRecord.objects.count() == 1
    assert Exchange.objects.count() == 1
    assert balance(rich_member) == 1000
    ledger_balances()


@hypothesis_settings(max_examples=200, deadline=None)
@given(
    amount=st.integers(min_value=1, max_value=10**12),
    ratio=st.decimals(
        min_value=Decimal("0.00000001"), max_value=Decimal(1000), places=8, allow_nan=False
    ),
)
@example(amount=1, ratio=Decimal("0.5"))  # half a unit: refused
@example(amount=3, ratio=Decimal("0.5"))  # 1.5: one unit
@example(amount=501, ratio=Decimal("0.5"))  # 250.5: 250
@example(amount=3, ratio=Decimal("0.33333334"))  # 1.00000002: one unit
def test_the_conversion_rounds_down_and_never_gives_nothing(amount, ratio):
    partnership = ExchangePartnership(
        direction=ExchangeDirection.EXCHANGE_OUT,
        conversion_ratio_per_unit=ratio,
        loyalty_currency=LoyaltyCurrency(code="ORIGIN"),
        partner_currency=LoyaltyCurrency(code="DESTINATION"),
    )
    # The floor in integer arithmetic: the ratio has 8 decimal places.
    expected = amount * int(ratio * 10**8) // 10**8
    if expected == 0:
        with pytest.raises(errors.ExchangeAmountTooSmall):
            exchange_amount(partnership, amount)
    else:
        converted = exchange_amount(partnership, amount)
        assert type(converted) is int
        assert converted == expected
