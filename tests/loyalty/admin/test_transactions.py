"""Transactions in the admin (loyalty.admin.transactions): read-only, searched, acted on through the
ledger."""

from django.contrib.auth.models import Permission, User

from loyalty import ledger
from loyalty.models import Transaction, TransactionStatus, TransactionType
from loyalty.selectors import member_account, mint_account
from tests.factories import MemberFactory
from tests.loyalty.admin.helpers import balances, credit, hold, messages_of, run_action, url


def test_release_now_releases_pending_and_reports_refusals(
    admin_client, member_acc, ledger_balances
):
    pending = [hold(member_acc, 100), hold(member_acc, 50)]
    completed = credit(member_acc, 10)

    response = run_action(admin_client, "release_now", [*pending, completed])

    assert response.status_code == 302
    assert balances(member_acc) == (160, 0)
    for tx in pending:
        tx.refresh_from_db()
        assert tx.status == TransactionStatus.COMPLETED
    assert messages_of(response) == [
        f"{completed.public_id} was not released: Transaction {completed.public_id} is "
        "completed; only a pending transaction can be released.",
        f"Released 2 transactions: {pending[0].public_id}, {pending[1].public_id}.",
    ]
    ledger_balances()


def test_cancel_pending_returns_units_and_reports_refusals(
    admin_client, mint, member_acc, ledger_balances
):
    pending = hold(member_acc, 100)
    completed = credit(member_acc, 10)
    mint_before = balances(mint)

    response = run_action(admin_client, "cancel_pending", [pending, completed])

    pending.refresh_from_db()
    completed.refresh_from_db()
    assert (pending.status, completed.status) == (
        TransactionStatus.CANCELLED,
        TransactionStatus.COMPLETED,
    )
    assert balances(member_acc) == (10, 0)
    assert balances(mint)[0] == mint_before[0] + 100
    msgs = messages_of(response)
    assert f"Cancelled 1 transaction: {pending.public_id}." in msgs
    assert any(m.startswith(f"{completed.public_id} was not cancelled: ") for m in msgs)
    ledger_balances()


def test_an_action_where_everything_is_refused_says_so(admin_client, member_acc, ledger_balances):
    completed = credit(member_acc, 10)
    response = run_action(admin_client, "release_now", [completed])
    assert messages_of(response)[-1] == "No transaction was released."
    completed.refresh_from_db()
    assert completed.status == TransactionStatus.COMPLETED
    ledger_balances()


def test_reverse_asks_for_a_reason_then_reverses(
    admin_client, admin_user, member_acc, ledger_balances
):
    first, second = credit(member_acc, 100), credit(member_acc, 40)
    pending = hold(member_acc, 5)
    selection = [first, second, pending]

    confirm = run_action(admin_client, "reverse_transactions", selection)
    assert confirm.status_code == 200
    assert "admin/loyalty/transaction/reverse_confirmation.html" in [
        t.name for t in confirm.templates
    ]
    assert balances(member_acc) == (140, 5)

    no_reason = admin_client.post(
        url("transaction_changelist"),
        {
            "action": "reverse_transactions",
            "_selected_action": [tx.pk for tx in selection],
            "apply": "yes",
            "reason": "",
        },
    )
    assert no_reason.status_code == 200
    assert "reason" in no_reason.context["form"].errors
    assert balances(member_acc) == (140, 5)

    done = admin_client.post(
        url("transaction_changelist"),
        {
            "action": "reverse_transactions",
            "_selected_action": [tx.pk for tx in selection],
            "apply": "yes",
            "reason": "Ticket 7: booked twice",
        },
    )

    assert done.status_code == 302
    assert balances(member_acc) == (0, 5)
    reversals = Transaction.objects.filter(type=TransactionType.REVERSAL).order_by("id")
    assert [r.reverses for r in reversals] == [first, second]
    assert {(r.reason, r.created_by_user) for r in reversals} == {
        ("Ticket 7: booked twice", admin_user)
    }
    msgs = messages_of(done)
    assert (
        f"Reversed 2 transactions: {first.public_id} (by {reversals[0].public_id}), "
        f"{second.public_id} (by {reversals[1].public_id})."
    ) in msgs
    assert any(m.startswith(f"{pending.public_id} was not reversed: ") for m in msgs)
    ledger_balances()


def test_reverse_of_spent_units_is_refused_and_changes_nothing(
    admin_client, mint, member_acc, ledger_balances
):
    tx = credit(member_acc, 100)
    ledger.post(origin=member_acc, destination=mint, amount=60, type=TransactionType.REDEMPTION)

    response = run_action(admin_client, "reverse_transactions", [tx], apply="yes", reason="mistake")

    tx.refresh_from_db()
    assert tx.status == TransactionStatus.COMPLETED
    assert balances(member_acc) == (40, 0)
    assert messages_of(response) == [
        f"{tx.public_id} was not reversed: {tx.destination_account.member.display_name} has 40 "
        f"{tx.loyalty_currency.name}; a reversal of 100 would overdraw the balance.",
        "No transaction was reversed.",
    ]
    ledger_balances()


def test_transactions_cannot_be_changed_added_or_deleted(admin_client, member_acc, ledger_balances):
    tx = credit(member_acc, 100)
    change = url("transaction_change", tx.pk)

    page = admin_client.get(change)
    assert page.status_code == 200
    assert not page.context["has_change_permission"]
    assert admin_client.post(change, {"amount": "999", "status": "reversed"}).status_code == 403
    assert admin_client.post(url("transaction_delete", tx.pk), {"post": "yes"}).status_code == 403
    assert admin_client.get(url("transaction_add")).status_code == 403
    deleting = run_action(admin_client, "delete_selected", [tx], post="yes")
    assert messages_of(deleting) == ["No action selected."]  # no such action on this list

    tx.refresh_from_db()
    assert (tx.amount, tx.status) == (100, TransactionStatus.COMPLETED)
    assert balances(member_acc) == (100, 0)
    ledger_balances()


def test_transaction_search_by_id_reference_and_membership_id(admin_client, member, member_acc):
    tx = credit(member_acc, 10)
    mint = mint_account(loyalty_currency=member.loyalty_currency)
    by_ref = ledger.post(
        origin=mint,
        destination=member_account(member=MemberFactory(loyalty_currency=member.loyalty_currency)),
        amount=5,
        type=TransactionType.ACCRUAL,
        external_reference="ORDER-77",
    )

    def found(term):
        response = admin_client.get(url("transaction_changelist"), {"q": term})
        return list(response.context["cl"].result_list)

    assert found(tx.public_id) == [tx]
    assert found("ORDER-77") == [by_ref]
    assert found(member.membership_id) == [tx]
    assert found("nothing-like-this") == []


def test_transaction_changelist_query_count_is_bounded(
    admin_client, currency, partner_acc, django_assert_max_num_queries
):
    for _ in range(35):
        account = member_account(member=MemberFactory(loyalty_currency=currency))
        credit(account, 10)
        ledger.post(
            origin=account, destination=partner_acc, amount=5, type=TransactionType.REDEMPTION
        )
    admin_client.get(url("transaction_changelist"))
    with django_assert_max_num_queries(8):
        response = admin_client.get(url("transaction_changelist"))
    assert len(response.context["cl"].result_list) == 70


# One transaction, from its page ------------------------------------------------------------


def detail(tx, action: str) -> str:
    return url(f"transaction_{action}_one", tx.pk)


def test_a_transaction_page_offers_only_the_operations_that_apply(admin_client, member_acc):
    pending, completed = hold(member_acc, 5), credit(member_acc, 10)

    def buttons(tx):
        actions = admin_client.get(url("transaction_change", tx.pk)).context["actions_detail"]
        return [action["title"] for action in actions]

    assert buttons(pending) == ["Release now", "Cancel"]
    assert buttons(completed) == ["Reverse…"]
    ledger.reverse(transaction=completed, reason="x")
    assert buttons(completed) == []


def test_release_and_cancel_from_the_transaction_page(admin_client, member_acc, ledger_balances):
    first, second = hold(member_acc, 100), hold(member_acc, 7)

    confirm = admin_client.get(detail(first, "release"))
    assert confirm.status_code == 200
    assert "Release this transaction now" in confirm.content.decode()
    assert balances(member_acc) == (0, 107)  # a GET changes nothing

    released = admin_client.post(detail(first, "release"))
    assert released["Location"] == url("transaction_change", first.pk)
    assert messages_of(released) == [f"Released {first.public_id}."]
    cancelled = admin_client.post(detail(second, "cancel"))
    assert messages_of(cancelled)[-1] == f"Cancelled {second.public_id}."
    assert balances(member_acc) == (100, 0)

    again = admin_client.post(detail(first, "cancel"))
    assert messages_of(again)[-1] == (
        f"{first.public_id} was not cancelled: Transaction {first.public_id} is completed; only "
        "a pending transaction can be cancelled."
    )
    ledger_balances()


def test_reverse_from_the_transaction_page_asks_why_and_links_the_reversal(
    admin_client, admin_user, member_acc, ledger_balances
):
    tx = credit(member_acc, 100)

    no_reason = admin_client.post(detail(tx, "reverse"), {"reason": ""})
    assert "reason" in no_reason.context["form"].errors
    done = admin_client.post(detail(tx, "reverse"), {"reason": "Ticket 9: duplicate"})

    reversal = Transaction.objects.get(type=TransactionType.REVERSAL)
    assert (reversal.reverses, reversal.reason, reversal.created_by_user) == (
        tx,
        "Ticket 9: duplicate",
        admin_user,
    )
    assert messages_of(done) == [
        f'Reversed {tx.public_id} by the new transaction <a href="'
        f'{url("transaction_change", reversal.pk)}">{reversal.public_id}</a>.'
    ]
    assert balances(member_acc) == (0, 0)
    page = admin_client.get(url("transaction_change", reversal.pk)).content.decode()
    assert f"Reversal of {tx.public_id}" in page
    ledger_balances()


def test_staff_without_the_ledger_permission_get_no_buttons_and_cannot_post(client, member_acc):
    staff = User.objects.create_user("viewer", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_transaction"))
    client.force_login(staff)
    tx = hold(member_acc, 5)
    assert client.get(url("transaction_change", tx.pk)).context["actions_detail"] == []
    assert client.post(detail(tx, "release")).status_code == 403
    assert balances(member_acc) == (0, 5)


# The list ----------------------------------------------------------------------------------


def test_the_list_reads_from_the_members_side(admin_client, member, member_acc, partner_acc):
    earned = credit(member_acc, 1_500)
    spent = ledger.post(
        origin=member_acc,
        destination=partner_acc,
        amount=400,
        type=TransactionType.REDEMPTION,
        reason="Hotel night",
    )
    reversal = ledger.reverse(transaction=spent, reason="Cancelled stay")

    response = admin_client.get(url("transaction_changelist"), {"member": member.public_id})

    page = response.content.decode()
    heading = f"Transactions of {member.display_name} ({member.membership_id})"
    assert '<h1 id="member-heading"' in page and heading in page.split("member-heading")[1]
    assert [tx.pk for tx in response.context["cl"].result_list] == [
        reversal.pk,
        spent.pk,
        earned.pk,
    ]
    assert "+1,500" in page and "-400" in page
    assert f"Reversal of {spent.public_id}" in page
    assert "Hotel night" in page
    assert member_acc.public_id not in page  # account ids are on each transaction's page
    assert earned.created_at.strftime("%Y-%m-%d %H:%M:%S UTC") in page


def test_transaction_search_by_member_and_by_part_of_an_id(admin_client, member, member_acc):
    tx = credit(member_acc, 10)
    other = member_account(member=MemberFactory(loyalty_currency=member.loyalty_currency))
    mint = mint_account(loyalty_currency=member.loyalty_currency)
    by_ref = ledger.post(
        origin=mint,
        destination=other,
        amount=5,
        type=TransactionType.ACCRUAL,
        external_reference="ORDER-2026-0077",
    )

    def found(term):
        response = admin_client.get(url("transaction_changelist"), {"q": term})
        return list(response.context["cl"].result_list)

    assert found(member.email) == [tx]
    assert found(member.email.split("@")[0].upper()) == [tx]
    assert found(f"{member.first_name[:3]} {member.last_name}") == [tx]
    assert found(tx.public_id[:12]) == [tx]
    assert found(member_acc.public_id[4:16]) == [tx]
    assert found("0077") == [by_ref]
    assert found("tx") == []  # too short to match part of an id
