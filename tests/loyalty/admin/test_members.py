"""Members in the admin (loyalty.admin.members): search, filters, the member's page, add and
change through the services, the tier history."""

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import User
from django.urls import reverse

from loyalty.models import Member, Transaction
from loyalty.selectors import member_account
from loyalty.services.tiers import member_tier_set
from tests.factories import MemberFactory
from tests.loyalty.admin.helpers import credit, hold, messages_of, url


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


def test_members_cannot_be_deleted(admin_client, member):
    assert admin_client.post(url("member_delete", member.pk), {"post": "yes"}).status_code == 403
    assert Member.objects.filter(pk=member.pk).exists()


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
        form_url,
        {
            "direction": "credit",
            "amount": "5",
            "reason_code": "gift",
            "reason": "x",
            "next": changelist,
        },
    )
    assert done["Location"] == changelist
    ledger_balances()


def test_member_changelist_query_count_is_bounded(
    admin_client, currency, tier, django_assert_max_num_queries
):
    for _ in range(35):
        MemberFactory(loyalty_currency=currency, tier=tier)
    admin_client.get(url("member_changelist"))
    with django_assert_max_num_queries(8):
        response = admin_client.get(url("member_changelist"))
    assert len(response.context["cl"].result_list) == 35


def test_member_page_shows_the_tier_history_read_only(admin_client, gold, member):
    agent = User.objects.create_user("agent")
    member_tier_set(member=member, tier=gold, user=agent)
    response = admin_client.get(reverse("admin:loyalty_member_change", args=[member.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Tier history" in page
    assert "set by staff" in page
    assert 'name="tier_changes-0-reason"' not in page
