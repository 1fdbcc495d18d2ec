"""Crediting or debiting a member (loyalty.admin.adjustments): units move, or the refusal shows."""

from loyalty.models import Transaction, TransactionStatus, TransactionSubType, TransactionType
from tests.loyalty.admin.helpers import balances, credit, messages_of, url


def test_credit_form_creates_a_completed_accrual(
    admin_client, admin_user, member, member_acc, ledger_balances
):
    response = admin_client.post(
        url("member_adjust_balance", member.pk),
        {"direction": "credit", "amount": "1500", "reason": "Ticket 42: lost flight"},
    )

    assert response.status_code == 302
    assert response["Location"] == url("member_change", member.pk)
    tx = Transaction.objects.get(destination_account=member_acc)
    assert (tx.type, tx.sub_type, tx.status, tx.amount) == (
        TransactionType.ACCRUAL,
        TransactionSubType.ADJUSTMENT_INCREASE,
        TransactionStatus.COMPLETED,
        1_500,
    )
    assert (tx.created_by_user, tx.reason) == (admin_user, "Ticket 42: lost flight")
    assert balances(member_acc) == (1_500, 0)
    assert messages_of(response) == [
        f"Credited 1,500 EXAMPLE_POINTS to {member.membership_id} ({tx.public_id})."
    ]
    ledger_balances()


def test_debit_form_takes_units_back(admin_client, member, member_acc, ledger_balances):
    credit(member_acc, 800)
    response = admin_client.post(
        url("member_adjust_balance", member.pk),
        {"direction": "debit", "amount": "300", "reason": "Goodwill credited twice"},
    )
    assert response.status_code == 302
    tx = Transaction.objects.get(origin_account=member_acc)
    assert (tx.type, tx.sub_type) == (
        TransactionType.TRANSFER,
        TransactionSubType.ADJUSTMENT_DECREASE,
    )
    assert balances(member_acc) == (500, 0)
    assert messages_of(response) == [
        f"Debited 300 EXAMPLE_POINTS from {member.membership_id} ({tx.public_id})."
    ]
    ledger_balances()


def test_debit_beyond_the_balance_shows_the_ledger_error_and_changes_nothing(
    admin_client, member, member_acc, ledger_balances
):
    credit(member_acc, 100)
    before = Transaction.objects.count()

    response = admin_client.post(
        url("member_adjust_balance", member.pk),
        {"direction": "debit", "amount": "101", "reason": "Too much"},
    )

    assert response.status_code == 200
    assert f"Account {member_acc.public_id} does not hold 101 units to spend." in (
        response.content.decode()
    )
    assert balances(member_acc) == (100, 0)
    assert Transaction.objects.count() == before
    ledger_balances()


def test_adjustment_of_a_blocked_member_is_refused(admin_client, member, member_acc):
    member.status = "blocked"
    member.save(update_fields=["status"])
    response = admin_client.post(
        url("member_adjust_balance", member.pk),
        {"direction": "credit", "amount": "10", "reason": "x"},
    )
    assert response.status_code == 200
    assert "is blocked" in response.context["form"].non_field_errors()[0]
    assert not Transaction.objects.exists()


def test_adjustment_ignores_a_next_url_off_site(admin_client, member, member_acc):
    response = admin_client.post(
        url("member_adjust_balance", member.pk),
        {"direction": "credit", "amount": "5", "reason": "x", "next": "https://evil.example/"},
    )
    assert response["Location"] == url("member_change", member.pk)
