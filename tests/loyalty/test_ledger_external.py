"""The ledger's operations for a transaction awaiting a partner programme's answer:
await_external, confirm and reject; the release sweep leaves such transactions alone."""

import datetime as dt

import pytest
from django.db import transaction as db_transaction
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from loyalty import errors, ledger
from loyalty.ledger_audit import ledger_report
from loyalty.models import StatusMessageCode, Transaction, TransactionStatus, TransactionType
from loyalty.selectors import member_account, mint_account
from tests.factories import LoyaltyCurrencyFactory, MemberFactory, PartnerFactory, partner_account


@pytest.fixture
def external(db):
    """An external currency with the programme's account and one of its members' accounts."""
    programme = PartnerFactory(company_name="Avios", api_identifier="avios")
    currency = LoyaltyCurrencyFactory(code="AVIOS", owner=programme, is_hosted=False)
    return mint_account(loyalty_currency=currency), member_account(
        member=MemberFactory(loyalty_currency=currency)
    )


def holdings(account):
    account.refresh_from_db(fields=["balance", "pending_balance"])
    return account.balance, account.pending_balance


def awaiting(origin, destination, amount=300):
    return ledger.await_external(
        origin=origin, destination=destination, amount=amount, type=TransactionType.MEMBER_EXCHANGE
    )


def test_await_external_takes_the_units_and_keeps_them_pending(external, ledger_balances):
    mint, member_acc = external
    tx = Transaction.objects.get(pk=awaiting(mint, member_acc).pk)
    assert tx.status == TransactionStatus.PENDING_EXTERNAL_APPROVAL
    assert tx.status_message_code == StatusMessageCode.PENDING_EXTERNAL_APPROVAL
    assert (tx.release_date, tx.completed_at) == (None, None)
    assert holdings(mint) == (-300, 0)
    assert holdings(member_acc) == (0, 300)
    ledger_balances()


def test_confirm_completes_with_the_programmes_identifier(external, ledger_balances):
    mint, member_acc = external
    tx = awaiting(mint, member_acc)
    ledger.confirm(transaction=tx, loyalty_system_id="6425162290813")
    tx = Transaction.objects.get(pk=tx.pk)
    assert tx.status == TransactionStatus.COMPLETED
    assert tx.loyalty_system_id == "6425162290813"
    assert tx.completed_at is not None
    assert (tx.status_message, tx.status_message_code) == (None, None)
    assert holdings(member_acc) == (300, 0)
    ledger_balances()


def test_reject_returns_the_units_and_keeps_the_reason(external, ledger_balances):
    mint, member_acc = external
    tx = awaiting(mint, member_acc)
    ledger.reject(transaction=tx, reason="MEMBERSHIP_NUMBER_SURNAME_MISMATCH: surname differs")
    tx = Transaction.objects.get(pk=tx.pk)
    assert tx.status == TransactionStatus.REJECTED
    assert tx.status_message == "MEMBERSHIP_NUMBER_SURNAME_MISMATCH: surname differs"
    assert holdings(member_acc) == (0, 0)
    assert holdings(mint) == (0, 0)
    ledger_balances()


def test_a_member_origin_gets_its_units_back_on_reject(currency, member_acc, partner, external):
    issuer = partner_account(partner=partner, loyalty_currency=currency, credit_limit=0)
    ledger.post(
        origin=mint_account(loyalty_currency=currency),
        destination=member_acc,
        amount=500,
        type=TransactionType.ACCRUAL,
    )
    tx = awaiting(member_acc, issuer, amount=200)
    assert holdings(member_acc) == (300, 0)
    ledger.reject(transaction=tx, reason="No")
    assert holdings(member_acc) == (500, 0)
    assert holdings(issuer) == (0, 0)


@pytest.mark.parametrize("first", ["confirm", "reject"])
@pytest.mark.parametrize("second", ["confirm", "reject"])
def test_an_answer_is_applied_once(external, first, second, ledger_balances):
    mint, member_acc = external
    tx = awaiting(mint, member_acc)
    answer = {
        "confirm": lambda t: ledger.confirm(transaction=t),
        "reject": lambda t: ledger.reject(transaction=t, reason="No"),
    }
    answer[first](Transaction.objects.get(pk=tx.pk))
    with pytest.raises(errors.InvalidTransactionState):
        answer[second](Transaction.objects.get(pk=tx.pk))
    ledger_balances()


@pytest.mark.parametrize("status", ["completed", "pending"])
def test_confirm_and_reject_refuse_other_statuses(external, status, ledger_balances):
    mint, member_acc = external
    if status == "completed":
        tx = ledger.post(
            origin=mint, destination=member_acc, amount=5, type=TransactionType.ACCRUAL
        )
    else:
        tx = ledger.hold(
            origin=mint,
            destination=member_acc,
            amount=5,
            type=TransactionType.ACCRUAL,
            release_date=dt.datetime.now(dt.UTC) + dt.timedelta(hours=1),
        )
    with pytest.raises(errors.InvalidTransactionState):
        ledger.confirm(transaction=tx)
    with pytest.raises(errors.InvalidTransactionState):
        ledger.reject(transaction=tx, reason="No")
    ledger_balances()


def test_the_release_sweep_never_touches_an_awaiting_transaction(external, ledger_balances):
    mint, member_acc = external
    tx = awaiting(mint, member_acc)
    assert ledger.release_due(now=dt.datetime.now(dt.UTC) + dt.timedelta(days=3650)) == 0
    assert Transaction.objects.get(pk=tx.pk).status == TransactionStatus.PENDING_EXTERNAL_APPROVAL
    assert holdings(member_acc) == (0, 300)
    ledger_balances()


@hypothesis_settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from(["await", "confirm", "reject"]),
            st.integers(min_value=0, max_value=2),
            st.integers(min_value=1, max_value=500),
        ),
        max_size=12,
    )
)
def test_any_sequence_of_answers_keeps_the_books(external_accounts, steps):
    """Awaiting credits answered in any order: balances follow a model, the books balance, an
    answer applies once. Each example runs in a transaction it rolls back, so the fixture's
    accounts start at zero every time."""
    mint, members = external_accounts
    with db_transaction.atomic():
        model = {m.pk: [0, 0] for m in members}  # balance, pending
        open_txs, answered = [], []
        for kind, who, amount in steps:
            if kind == "await":
                tx = awaiting(mint, members[who], amount)
                open_txs.append(tx)
                model[members[who].pk][1] += amount
            elif open_txs:
                tx = open_txs.pop(who % len(open_txs))
                if kind == "confirm":
                    ledger.confirm(transaction=tx, loyalty_system_id="X1")
                    model[tx.destination_account_id][0] += tx.amount
                else:
                    ledger.reject(transaction=tx, reason="No")
                model[tx.destination_account_id][1] -= tx.amount
                answered.append(tx)
            elif answered:
                with pytest.raises(errors.InvalidTransactionState):
                    ledger.confirm(transaction=Transaction.objects.get(pk=answered[-1].pk))
            for member in members:
                assert list(holdings(member)) == model[member.pk]
            report = ledger_report()
            assert report.ok, report.render()
        db_transaction.set_rollback(True)


@pytest.fixture
def external_accounts(db):
    programme = PartnerFactory(company_name="Programme", api_identifier="programme")
    currency = LoyaltyCurrencyFactory(code="EXTERNAL", owner=programme, is_hosted=False)
    members = [member_account(member=MemberFactory(loyalty_currency=currency)) for _ in range(3)]
    return mint_account(loyalty_currency=currency), members
