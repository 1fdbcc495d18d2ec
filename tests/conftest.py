"""Shared fixtures. Ledger scenarios end with ledger_check's invariants (`ledger_balances`)."""

import pytest

from loyalty.ledger_audit import ledger_report
from loyalty.services.accounts import member_account, mint_account
from tests.factories import LoyaltyCurrencyFactory, MemberFactory, PartnerFactory, partner_account


@pytest.fixture
def currency(db):
    return LoyaltyCurrencyFactory(code="EXAMPLE_POINTS", name="Example Points")


@pytest.fixture
def mint(currency):
    return mint_account(loyalty_currency=currency)


@pytest.fixture
def member(currency):
    return MemberFactory(loyalty_currency=currency)


@pytest.fixture
def member_acc(member):
    return member_account(member=member)


@pytest.fixture
def other_member_acc(currency):
    return member_account(member=MemberFactory(loyalty_currency=currency))


@pytest.fixture
def partner(db):
    return PartnerFactory(company_name="Example Air", api_identifier="example-air")


@pytest.fixture
def partner_acc(partner, currency):
    return partner_account(partner=partner, loyalty_currency=currency, credit_limit=1_000)


@pytest.fixture
def ledger_balances():
    """Call at the end of a ledger scenario: fails with ledger_check's report if books differ."""

    def check():
        report = ledger_report()
        assert report.ok, report.render()
        return report

    return check
