"""Currencies, partnerships and members for the exchange tests (services and API)."""

from decimal import Decimal

import pytest

from loyalty import ledger
from loyalty.models import ExchangeDirection, ExchangePartnership, TransactionType
from loyalty.selectors import member_account, mint_account
from loyalty.services.accounts import loyalty_currency_create
from tests.factories import MemberFactory, PartnerFactory


@pytest.fixture
def airline(db):
    return PartnerFactory(company_name="Example Airline", api_identifier="example-airline")


@pytest.fixture
def miles(airline):
    return loyalty_currency_create(
        code="EXAMPLE_MILES", name="Example Miles", owner=airline, fiat_currency="EUR"
    )


@pytest.fixture
def programme(db):
    return PartnerFactory(company_name="Avios", api_identifier="avios")


@pytest.fixture
def avios(programme):
    return loyalty_currency_create(
        code="AVIOS", name="Avios", owner=programme, fiat_currency="GBP", is_hosted=False
    )


@pytest.fixture
def to_miles(currency, miles, airline):
    """EXAMPLE_POINTS -> EXAMPLE_MILES at 0.5 mile per point, 10 to 10,000 points."""
    return ExchangePartnership.objects.create(
        partner=airline,
        loyalty_currency=currency,
        partner_currency=miles,
        direction=ExchangeDirection.EXCHANGE_OUT,
        conversion_ratio_per_unit=Decimal("0.5"),
        minimum_member_transaction_amount=10,
        maximum_member_transaction_amount=10_000,
    )


@pytest.fixture
def from_miles(currency, miles, airline):
    """EXAMPLE_MILES -> EXAMPLE_POINTS at 2 points per mile (exchange in)."""
    return ExchangePartnership.objects.create(
        partner=airline,
        loyalty_currency=currency,
        partner_currency=miles,
        direction=ExchangeDirection.EXCHANGE_IN,
        conversion_ratio_per_unit=Decimal("2"),
    )


@pytest.fixture
def to_avios(currency, avios, programme):
    """EXAMPLE_POINTS -> AVIOS one for one; Avios needs the family name."""
    return ExchangePartnership.objects.create(
        partner=programme,
        loyalty_currency=currency,
        partner_currency=avios,
        direction=ExchangeDirection.EXCHANGE_OUT,
        conversion_ratio_per_unit=Decimal("1"),
        execute_required_fields=[
            {"id": "id", "name": "Membership number"},
            {"id": "family_name", "name": "Family name"},
        ],
    )


@pytest.fixture
def rich_member(currency):
    """A member of EXAMPLE_POINTS with 5,000 points."""
    member = MemberFactory(loyalty_currency=currency, last_name="Smith")
    ledger.post(
        origin=mint_account(loyalty_currency=currency),
        destination=member_account(member=member),
        amount=5_000,
        type=TransactionType.ACCRUAL,
    )
    return member


@pytest.fixture
def flyer(miles):
    return MemberFactory(loyalty_currency=miles)


def balance(member) -> int:
    account = member_account(member=member)
    return account.balance


@pytest.fixture
def forwarded(currency, to_avios, rich_member):
    """Exchange points to AVIOS and answer its attempts: forwarded("transient", "confirmed",
    latencies=[...]) returns the record after one attempt per outcome; dead=True makes the
    first transient answer its last."""
    from loyalty.models import ForwardingRecord
    from loyalty.services.exchanges import exchange_execute
    from loyalty.services.forwarding import Answer, forwarding_claim, forwarding_finish

    def run(*outcomes: str, latencies=(), dead: bool = False, amount: int = 10):
        record = exchange_execute(
            partner=currency.owner,
            amount=amount,
            origin_loyalty_currency="EXAMPLE_POINTS",
            destination_loyalty_currency="AVIOS",
            origin_member=rich_member.loyalty_program_identifiers,
            destination_member={"id": "3081470000000001", "family_name": "Andersen"},
        ).forwarding
        if dead:
            ForwardingRecord.objects.filter(pk=record.pk).update(give_up_at=record.created_at)
        latencies = list(latencies) or [100] * len(outcomes)
        for outcome, latency in zip(outcomes, latencies, strict=True):
            claim = forwarding_claim(record_id=record.pk, now=record.next_attempt_at)
            record = forwarding_finish(
                claim=claim,
                answer=Answer(outcome, 200 if outcome == "confirmed" else 503, latency, outcome),
                now=record.next_attempt_at,
            )
        record.refresh_from_db()
        return record

    return run
