"""The staff admin: pages load, searches find, ledger actions move units or report refusals."""

import datetime as dt

import pytest
import time_machine
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission, User
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from loyalty import ledger
from loyalty.models import (
    Account,
    LoyaltyCurrency,
    Member,
    Partnership,
    PartnershipType,
    Transaction,
    TransactionStatus,
    TransactionSubType,
    TransactionType,
)
from loyalty.selectors import member_account, mint_account
from partners.services.credentials import credential_create
from tests.factories import MemberFactory, PartnerFactory, TierFactory


def url(name: str, *args) -> str:
    return reverse(f"admin:loyalty_{name}", args=args)


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def credit(account: Account, amount: int) -> Transaction:
    mint = mint_account(loyalty_currency=account.loyalty_currency)
    return ledger.post(
        origin=mint, destination=account, amount=amount, type=TransactionType.ACCRUAL
    )


def hold(account: Account, amount: int) -> Transaction:
    mint = mint_account(loyalty_currency=account.loyalty_currency)
    return ledger.hold(
        origin=mint,
        destination=account,
        amount=amount,
        type=TransactionType.ACCRUAL,
        release_date=timezone.now() + dt.timedelta(days=30),
    )


def balances(account: Account) -> tuple[int, int]:
    account.refresh_from_db()
    return account.balance, account.pending_balance


def run_action(client, action: str, transactions: list[Transaction], **extra):
    return client.post(
        url("transaction_changelist"),
        {
            "action": action,
            "index": 0,
            "_selected_action": [tx.pk for tx in transactions],
            **extra,
        },
    )


@pytest.fixture
def tier(currency):
    return TierFactory(loyalty_currency=currency, code="gold", name="Gold", level=2)


# Every page loads ---------------------------------------------------------------------------


def test_every_changelist_change_and_add_page_loads(
    admin_client, currency, member, member_acc, partner, partner_acc, tier, ledger_balances
):
    completed = credit(member_acc, 1_500)
    hold(member_acc, 200)
    ledger.reverse(transaction=completed, reason="duplicate")
    objects = {
        "loyaltycurrency": currency,
        "tier": tier,
        "partner": partner,
        "member": member,
        "account": partner_acc,
        "transaction": completed,
    }
    for model, obj in objects.items():
        assert admin_client.get(url(f"{model}_changelist")).status_code == 200, model
        assert admin_client.get(url(f"{model}_change", obj.pk)).status_code == 200, model
    for model in ["loyaltycurrency", "tier", "partner", "member", "account"]:
        assert admin_client.get(url(f"{model}_add")).status_code == 200, model
    assert admin_client.get(url("account_change", member_acc.pk)).status_code == 200
    assert admin_client.get(url("account_change", mint_account(loyalty_currency=currency).pk))
    assert admin_client.get(url("member_adjust_balance", member.pk)).status_code == 200
    ledger_balances()


def test_lists_show_amounts_with_thousands_separators(admin_client, member, member_acc):
    credit(member_acc, 1_234_567)
    assert "1,234,567" in admin_client.get(url("member_changelist")).content.decode()
    assert "1,234,567" in admin_client.get(url("transaction_changelist")).content.decode()
    assert "1,234,567" in admin_client.get(url("account_changelist")).content.decode()


# Members ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "term", ["M900001", "Ada", "Lovelace", "ada.lovelace@example.com", "Analytical Engines"]
)
def test_member_search_finds_the_member(admin_client, currency, term):
    wanted = MemberFactory(
        loyalty_currency=currency,
        loyalty_program_identifiers={"id": "M900001"},
        first_name="Ada",
        last_name="Lovelace",
        email="ada.lovelace@example.com",
        company_name="Analytical Engines",
    )
    other = MemberFactory(
        loyalty_currency=currency,
        first_name="Grace",
        last_name="Hopper",
        email="grace@example.com",
        company_name="",
    )
    response = admin_client.get(url("member_changelist"), {"q": term})
    assert response.status_code == 200
    found = list(response.context["cl"].result_list)
    assert found == [wanted]
    assert other not in found


def test_member_filters_by_status_tier_and_currency(admin_client, currency, tier):
    gold = MemberFactory(loyalty_currency=currency, tier=tier)
    blocked = MemberFactory(loyalty_currency=currency, status="blocked")
    elsewhere = MemberFactory()

    def listed(**params):
        return set(admin_client.get(url("member_changelist"), params).context["cl"].result_list)

    assert listed(tier__id__exact=tier.pk) == {gold}
    assert listed(status__exact="blocked") == {blocked}
    assert listed(loyalty_currency__id__exact=currency.pk) == {gold, blocked}
    assert elsewhere in listed()


def test_member_page_shows_balance_pending_tier_and_transactions(
    admin_client, member, member_acc, tier, ledger_balances
):
    member.tier = tier
    member.save(update_fields=["tier"])
    posted = credit(member_acc, 12_500)
    pending = hold(member_acc, 3_000)

    response = admin_client.get(url("member_change", member.pk))

    page = response.content.decode()
    assert "12,500" in page
    assert "3,000" in page
    assert "Gold" in page
    history = [row.transaction for row in response.context["history"]]
    assert history == [pending, posted]
    assert url("transaction_change", posted.pk) in page
    assert f"{url('transaction_changelist')}?member={member.public_id}" in page
    ledger_balances()


def test_member_page_lists_only_the_latest_fifty_transactions(admin_client, member, member_acc):
    for _ in range(52):
        credit(member_acc, 1)
    history = admin_client.get(url("member_change", member.pk)).context["history"]
    assert len(history) == 50
    newest = Transaction.objects.order_by("-created_at", "-id")[:50]
    assert [row.transaction for row in history] == list(newest)


def test_adding_a_member_goes_through_member_create(admin_client, currency, tier):
    response = admin_client.post(
        url("member_add"),
        {
            "loyalty_currency": currency.pk,
            "membership_id": "M555",
            "type": "individual",
            "status": "active",
            "tier": tier.pk,
            "first_name": "Alan",
            "last_name": "Turing",
            "email": "alan@example.com",
        },
    )

    assert response.status_code == 302
    member = Member.objects.get(membership_id="M555")
    assert member.loyalty_program_identifiers == {"id": "M555"}
    assert member.tier == tier
    assert member_account(member=member).balance == 0
    assert LogEntry.objects.filter(object_id=str(member.pk)).exists()


def test_adding_a_member_refuses_a_tier_of_another_currency(admin_client, currency):
    foreign_tier = TierFactory()
    response = admin_client.post(
        url("member_add"),
        {
            "loyalty_currency": currency.pk,
            "membership_id": "M556",
            "type": "individual",
            "status": "active",
            "tier": foreign_tier.pk,
        },
    )
    assert response.status_code == 200
    assert "tier" in response.context["adminform"].form.errors
    assert not Member.objects.filter(membership_id="M556").exists()


def test_adding_a_member_refuses_a_membership_id_already_taken(admin_client, member):
    response = admin_client.post(
        url("member_add"),
        {
            "loyalty_currency": member.loyalty_currency_id,
            "membership_id": member.membership_id,
            "type": "individual",
            "status": "active",
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert Member.objects.filter(membership_id=member.membership_id).count() == 1


def test_editing_a_member_changes_profile_but_not_membership_id(admin_client, member, tier):
    original_id = member.membership_id
    response = admin_client.post(
        url("member_change", member.pk),
        {
            "membership_id": "HACKED",
            "type": "individual",
            "status": "blocked",
            "tier": tier.pk,
            "first_name": "New",
            "last_name": "Name",
            "email": "new@example.com",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    member.refresh_from_db()
    assert (member.membership_id, member.status, member.tier, member.first_name) == (
        original_id,
        "blocked",
        tier,
        "New",
    )
    change = member.tier_changes.get()
    assert (change.to_tier, change.changed_by.username, change.reason) == (
        tier,
        "admin",
        "set by staff",
    )


def test_a_member_carries_only_the_fields_of_its_type(admin_client, currency):
    response = admin_client.post(
        url("member_add"),
        {
            "loyalty_currency": currency.pk,
            "membership_id": "C1",
            "type": "company",
            "status": "active",
            "company_name": "Acme",
            "first_name": "Wile",
        },
    )
    assert response.status_code == 200
    assert "first_name" in response.context["adminform"].form.errors
    assert not Member.objects.filter(membership_id="C1").exists()


def test_members_cannot_be_deleted(admin_client, member):
    assert admin_client.post(url("member_delete", member.pk), {"post": "yes"}).status_code == 403
    assert Member.objects.filter(pk=member.pk).exists()


# Manual credit and debit ----------------------------------------------------------------------


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


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"direction": "credit", "amount": "100", "reason": ""}, "reason"),
        ({"direction": "credit", "amount": "100", "reason": "   "}, "reason"),
        ({"direction": "credit", "amount": "0", "reason": "x"}, "amount"),
        ({"direction": "credit", "amount": "-5", "reason": "x"}, "amount"),
        ({"direction": "credit", "amount": "1.5", "reason": "x"}, "amount"),
        ({"direction": "sideways", "amount": "10", "reason": "x"}, "direction"),
    ],
)
def test_adjustment_form_refuses_bad_input(admin_client, member, member_acc, data, field):
    response = admin_client.post(url("member_adjust_balance", member.pk), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Transaction.objects.exists()
    assert balances(member_acc) == (0, 0)


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


def test_member_list_action_opens_the_form_for_one_member(admin_client, member, ledger_balances):
    other = MemberFactory(loyalty_currency=member.loyalty_currency)
    changelist = url("member_changelist") + "?status__exact=active"
    action = {"action": "adjust_balance", "index": 0}

    too_many = admin_client.post(changelist, {**action, "_selected_action": [member.pk, other.pk]})
    assert messages_of(too_many) == ["Select exactly one member to credit or debit."]

    response = admin_client.post(changelist, {**action, "_selected_action": [member.pk]})
    form_url = response["Location"]
    assert form_url.startswith(url("member_adjust_balance", member.pk))
    page = admin_client.get(form_url)
    assert page.context["next_url"] == changelist

    done = admin_client.post(
        form_url, {"direction": "credit", "amount": "5", "reason": "x", "next": changelist}
    )
    assert done["Location"] == changelist
    ledger_balances()


def test_adjustment_ignores_a_next_url_off_site(admin_client, member, member_acc):
    response = admin_client.post(
        url("member_adjust_balance", member.pk),
        {"direction": "credit", "amount": "5", "reason": "x", "next": "https://evil.example/"},
    )
    assert response["Location"] == url("member_change", member.pk)


def test_staff_without_the_ledger_permissions_cannot_adjust_or_act(client, member, member_acc):
    staff = User.objects.create_user("agent", password="pw", is_staff=True)
    staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_member", "view_transaction"])
    )
    client.force_login(staff)
    held = hold(member_acc, 10)

    assert client.get(url("member_adjust_balance", member.pk)).status_code == 403
    page = client.get(url("member_change", member.pk)).content.decode()
    assert url("member_adjust_balance", member.pk) not in page
    assert client.get(url("transaction_changelist")).context["action_form"] is None  # no actions
    run_action(client, "release_now", [held])
    held.refresh_from_db()
    assert held.status == TransactionStatus.PENDING

    staff.user_permissions.add(Permission.objects.get(codename="add_transaction"))
    staff = User.objects.get(pk=staff.pk)  # a fresh object: permissions are cached per instance
    client.force_login(staff)
    assert client.get(url("member_adjust_balance", member.pk)).status_code == 200


# Transactions ---------------------------------------------------------------------------------


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
        f"{tx.public_id} was not reversed: Account {member_acc.public_id} does not hold 100 "
        "units to spend.",
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


def test_transaction_list_filtered_on_a_member_or_account(admin_client, member, member_acc):
    mine = credit(member_acc, 10)
    other_member = MemberFactory(loyalty_currency=member.loyalty_currency)
    credit(member_account(member=other_member), 10)

    def listed(**params):
        return list(
            admin_client.get(url("transaction_changelist"), params).context["cl"].result_list
        )

    assert listed(member=member.public_id) == [mine]
    assert listed(account=member_acc.public_id) == [mine]
    assert listed(member="mp_unknown") == []


def test_transaction_created_at_range_filter(admin_client, member_acc):
    made = {}
    for day in (1, 10, 20):
        with time_machine.travel(dt.datetime(2025, 3, day, 12, tzinfo=dt.UTC), tick=False):
            made[day] = credit(member_acc, day)

    def listed(**params):
        response = admin_client.get(url("transaction_changelist"), params)
        return {tx.amount for tx in response.context["cl"].result_list}

    assert listed(created_at__from="2025-03-05") == {10, 20}
    assert listed(created_at__to="2025-03-10") == {1, 10}
    assert listed(created_at__from="2025-03-10", created_at__to="2025-03-10") == {10}
    assert listed(created_at__from="2025-03-02", created_at__to="2025-03-19", type="accrual") == {
        10
    }
    page = admin_client.get(url("transaction_changelist"), {"created_at__from": "2025-03-05"})
    assert 'name="created_at__from" value="2025-03-05"' in page.content.decode()

    for bad in (
        {"created_at__from": "not-a-date"},
        {"created_at__from": "2025-03-09", "created_at__to": "2025-03-01"},
    ):
        response = admin_client.get(url("transaction_changelist"), bad)
        assert response.status_code == 302
        assert response["Location"].endswith("?e=1")


# Accounts and partners ------------------------------------------------------------------------


def test_account_form_changes_the_credit_limit_but_never_the_balance(
    admin_client, partner_acc, mint, ledger_balances
):
    ledger.post(origin=partner_acc, destination=mint, amount=300, type=TransactionType.TRANSFER)

    response = admin_client.post(
        url("account_change", partner_acc.pk),
        {"credit_limit": "5000", "balance": "999999", "pending_balance": "7"},
    )

    assert response.status_code == 302
    partner_acc.refresh_from_db()
    assert (partner_acc.balance, partner_acc.pending_balance) == (-300, 0)
    assert partner_acc.credit_limit == 5_000
    ledger_balances()


def test_credit_limit_cannot_go_below_what_the_partner_owes(
    admin_client, partner_acc, mint, ledger_balances
):
    ledger.post(origin=partner_acc, destination=mint, amount=300, type=TransactionType.TRANSFER)
    response = admin_client.post(url("account_change", partner_acc.pk), {"credit_limit": "200"})
    assert response.status_code == 200
    assert "credit_limit" in response.context["adminform"].form.errors
    partner_acc.refresh_from_db()
    assert partner_acc.credit_limit == 1_000
    ledger_balances()


def test_member_accounts_and_the_mint_are_read_only(
    admin_client, member_acc, mint, ledger_balances
):
    credit(member_acc, 50)
    for account in (member_acc, mint):
        before = balances(account)
        response = admin_client.post(
            url("account_change", account.pk), {"credit_limit": "10", "balance": "1"}
        )
        assert response.status_code == 403
        account.refresh_from_db()
        assert balances(account) == before
    mint.refresh_from_db()
    assert mint.credit_limit is None
    assert (
        admin_client.post(url("account_delete", member_acc.pk), {"post": "yes"}).status_code == 403
    )
    ledger_balances()


def test_adding_a_partner_account(admin_client, partner, currency):
    response = admin_client.post(
        url("account_add"),
        {"partner": partner.pk, "loyalty_currency": currency.pk, "credit_limit": "2500"},
    )
    assert response.status_code == 302
    account = Account.objects.get(partner=partner, loyalty_currency=currency)
    assert (account.is_default, account.credit_limit, account.balance) == (True, 2_500, 0)

    again = admin_client.post(
        url("account_add"),
        {"partner": partner.pk, "loyalty_currency": currency.pk, "credit_limit": "1"},
    )
    assert again.status_code == 200
    assert again.context["adminform"].form.non_field_errors()
    assert Account.objects.filter(partner=partner, loyalty_currency=currency).count() == 1


def test_partner_page_lists_its_accounts_with_balances(admin_client, partner, partner_acc, mint):
    ledger.post(origin=mint, destination=partner_acc, amount=4_200, type=TransactionType.TRANSFER)
    page = admin_client.get(url("partner_change", partner.pk)).content.decode()
    assert partner_acc.public_id in page
    assert "4,200" in page
    assert "1,000" in page  # credit limit
    assert "EXAMPLE_POINTS" in page


def empty_inline(prefix: str) -> dict:
    """The management form of an inline the page shows with no rows."""
    return {
        f"{prefix}-TOTAL_FORMS": "0",
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "0",
    }


def test_editing_a_partner_keeps_its_accounts(admin_client, partner, partner_acc):
    response = admin_client.post(
        url("partner_change", partner.pk),
        {
            "company_name": "Example Airways",
            "api_identifier": partner.api_identifier,
            "status": "suspended",
            "logo": "",
            "api_rate_limit": "120",
            "accounts-TOTAL_FORMS": "1",
            "accounts-INITIAL_FORMS": "1",
            "accounts-MIN_NUM_FORMS": "0",
            "accounts-MAX_NUM_FORMS": "0",
            "accounts-0-id": partner_acc.pk,
            "accounts-0-partner": partner.pk,
            **empty_inline("partnerships"),
            **empty_inline("credentials"),
        },
    )
    assert response.status_code == 302
    partner.refresh_from_db()
    assert (partner.company_name, partner.status) == ("Example Airways", "suspended")
    assert partner.api_rate_limit == 120
    assert partner.accounts.get() == partner_acc


# Currencies and tiers -------------------------------------------------------------------------


def test_adding_a_currency_creates_its_mint_and_tiers(admin_client):
    owner = PartnerFactory()
    response = admin_client.post(
        url("loyaltycurrency_add"),
        {
            "code": "SKY_MILES",
            "name": "Sky Miles",
            "owner": owner.pk,
            "is_hosted": "on",
            "fiat_currency": "USD",
            "base_economic_value": "0.01",
            "customers_perceived_value": "0.012",
            "issuing_partners_cost": "0.008",
            "default_rounding": "bankers_rounding",
            "tier_window_days": "365",
            "tiers-TOTAL_FORMS": "1",
            "tiers-INITIAL_FORMS": "0",
            "tiers-0-code": "silver",
            "tiers-0-name": "Silver",
            "tiers-0-level": "1",
            "tiers-0-threshold": "5000",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    currency = LoyaltyCurrency.objects.get(code="SKY_MILES")
    mint = mint_account(loyalty_currency=currency)
    assert (mint.partner, mint.credit_limit) == (owner, None)
    assert [t.code for t in currency.tiers.all()] == ["silver"]


# Query counts ---------------------------------------------------------------------------------


def test_member_changelist_query_count_is_bounded(
    admin_client, currency, tier, django_assert_max_num_queries
):
    for _ in range(35):
        MemberFactory(loyalty_currency=currency, tier=tier)
    admin_client.get(url("member_changelist"))
    with django_assert_max_num_queries(8):
        response = admin_client.get(url("member_changelist"))
    assert len(response.context["cl"].result_list) == 35


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


def test_other_changelists_query_count_is_bounded(
    admin_client, currency, partner, django_assert_max_num_queries
):
    for _ in range(35):
        MemberFactory(loyalty_currency=currency)
        TierFactory(loyalty_currency=currency)
    for model in ["account", "tier", "partner", "loyaltycurrency"]:
        admin_client.get(url(f"{model}_changelist"))
        with django_assert_max_num_queries(8):
            assert admin_client.get(url(f"{model}_changelist")).status_code == 200


def test_partner_page_shows_its_partnerships_credentials_and_rate_limit(
    admin_client, partner, currency
):
    Partnership.objects.create(
        partner=partner, loyalty_currency=currency, type=PartnershipType.ISSUING
    )
    issued = credential_create(partner=partner, label="production")
    page = admin_client.get(f"/admin/loyalty/partner/{partner.pk}/change/")
    assert page.status_code == 200
    content = page.content.decode()
    assert "api_rate_limit" in content
    # The partnership and the credential are inlines of the partner's own page.
    assert "Issuing" in content and currency.code in content
    assert issued.public_key in content and "production" in content
    assert issued.secret_key not in content
    assert f"/admin/partners/partnercredential/add/?partner={partner.pk}" in content
    listing = admin_client.get(
        f"/admin/partners/partnercredential/?partner__id__exact={partner.pk}"
    )
    assert listing.status_code == 200
    assert b"?e=1" not in listing.content
