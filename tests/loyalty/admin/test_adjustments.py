"""Crediting or debiting a member (loyalty.admin.adjustments): units move, or the refusal shows."""

from loyalty.models import (
    ReasonCode,
    Transaction,
    TransactionStatus,
    TransactionSubType,
    TransactionType,
)
from tests.loyalty.admin.helpers import balances, credit, messages_of, url

CODE = {"reason_code": "customer_service_issue"}


def tx_link(tx) -> str:
    return f'<a href="{url("transaction_change", tx.pk)}">{tx.public_id}</a>'


def test_credit_form_creates_a_completed_accrual(
    admin_client, admin_user, member, member_acc, ledger_balances
):
    response = admin_client.post(
        url("member_adjust_balance", member.pk),
        {"direction": "credit", "amount": "1500", "reason": "Ticket 42: lost flight", **CODE},
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
    assert (tx.created_by_user, tx.reason, tx.reason_code) == (
        admin_user,
        "Ticket 42: lost flight",
        "customer_service_issue",
    )
    assert balances(member_acc) == (1_500, 0)
    assert messages_of(response) == [
        f"Credited 1,500 EXAMPLE_POINTS to {member.membership_id} ({tx_link(tx)})."
    ]
    ledger_balances()


def test_debit_form_takes_units_back(admin_client, member, member_acc, ledger_balances):
    credit(member_acc, 800)
    response = admin_client.post(
        url("member_adjust_balance", member.pk),
        {"direction": "debit", "amount": "300", "reason": "Goodwill credited twice", **CODE},
    )
    assert response.status_code == 302
    tx = Transaction.objects.get(origin_account=member_acc)
    assert (tx.type, tx.sub_type) == (
        TransactionType.TRANSFER,
        TransactionSubType.ADJUSTMENT_DECREASE,
    )
    assert balances(member_acc) == (500, 0)
    assert messages_of(response) == [
        f"Debited 300 EXAMPLE_POINTS from {member.membership_id} ({tx_link(tx)})."
    ]
    ledger_balances()


def test_debit_beyond_the_balance_shows_the_ledger_error_and_changes_nothing(
    admin_client, member, member_acc, ledger_balances
):
    credit(member_acc, 100)
    before = Transaction.objects.count()

    response = admin_client.post(
        url("member_adjust_balance", member.pk),
        {"direction": "debit", "amount": "101", "reason": "Too much", **CODE},
    )

    assert response.status_code == 200
    name, currency = member.display_name, member.loyalty_currency.name
    assert (
        f"{name} has 100 {currency}; a debit of 101 would overdraw the balance."
        in response.context["form"].non_field_errors()
    )
    assert balances(member_acc) == (100, 0)
    assert Transaction.objects.count() == before
    ledger_balances()


def test_adjustment_of_a_blocked_member_is_refused(admin_client, member, member_acc):
    member.status = "blocked"
    member.save(update_fields=["status"])
    response = admin_client.post(
        url("member_adjust_balance", member.pk),
        {"direction": "credit", "amount": "10", "reason": "x", **CODE},
    )
    assert response.status_code == 200
    assert (
        response.context["form"]
        .non_field_errors()[0]
        .startswith(f"{member.display_name} is blocked: only active members")
    )
    assert not Transaction.objects.exists()


def test_adjustment_ignores_a_next_url_off_site(admin_client, member, member_acc):
    response = admin_client.post(
        url("member_adjust_balance", member.pk),
        {
            "direction": "credit",
            "amount": "5",
            "reason": "x",
            "next": "https://evil.example/",
            **CODE,
        },
    )
    assert response["Location"] == url("member_change", member.pk)


def test_a_reason_code_from_the_contract_list_is_required(admin_client, member, member_acc):
    form = admin_client.get(url("member_adjust_balance", member.pk)).context["form"]
    assert [code for code, _ in form.fields["reason_code"].choices][1:] == ReasonCode.values
    response = admin_client.post(
        url("member_adjust_balance", member.pk),
        {"direction": "credit", "amount": "10", "reason": "x", "reason_code": ""},
    )
    assert response.status_code == 200
    assert "reason_code" in response.context["form"].errors
    response = admin_client.post(
        url("member_adjust_balance", member.pk),
        {"direction": "credit", "amount": "10", "reason": "Survey", "reason_code": "gift"},
    )
    assert response.status_code == 302
    assert Transaction.objects.get(destination_account=member_acc).reason_code == "gift"
