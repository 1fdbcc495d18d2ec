"""`manage.py seed_demo`: the demo programme, its idempotence and its JSON output."""

import datetime as dt
import json
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from loyalty import ledger
from loyalty.models import (
    Account,
    Cohort,
    FxRate,
    LoyaltyCurrency,
    Member,
    Partner,
    Partnership,
    RuleAward,
    Tier,
    TierChange,
    Transaction,
    TransactionStatus,
    TransactionType,
)
from loyalty.selectors import mint_account
from partners.models import PartnerCredential
from tests.partners.api.conftest import SignedClient

pytestmark = pytest.mark.django_db


def seed_demo(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def pending_due_within(minutes: int) -> int:
    return Transaction.objects.filter(
        status=TransactionStatus.PENDING,
        release_date__lte=timezone.now() + dt.timedelta(minutes=minutes),
    ).count()


def row_counts() -> dict[str, int]:
    models = (
        Partner,
        LoyaltyCurrency,
        Account,
        Tier,
        Member,
        Transaction,
        Partnership,
        PartnerCredential,
        get_user_model(),
    )
    return {model.__name__: model.objects.count() for model in models}


def test_creates_the_demo_programme(monkeypatch, ledger_balances):
    monkeypatch.setenv("DEMO_ADMIN_USERNAME", "boss")
    monkeypatch.setenv("DEMO_ADMIN_PASSWORD", "a-long-demo-password")

    summary = seed_demo()

    currency = LoyaltyCurrency.objects.get(code="EXAMPLE_POINTS")
    assert (currency.name, currency.fiat_currency) == ("Example Points", "EUR")
    assert currency.owner.api_identifier == "example-rewards"
    assert mint_account(loyalty_currency=currency).credit_limit is None
    air = Account.objects.get(
        partner__api_identifier="example-air", loyalty_currency=currency, is_default=True
    )
    assert air.loyalty_currency == currency
    assert air.credit_limit > 0
    assert Account.objects.filter(
        partner__api_identifier="example-hotels", loyalty_currency=currency, is_default=True
    ).exists()
    assert list(currency.tiers.values_list("code", "level")) == [
        ("bronze", 1),
        ("silver", 2),
        ("gold", 3),
    ]

    members = Member.objects.filter(loyalty_currency=currency)
    assert members.count() == 50
    assert set(members.values_list("tier__code", flat=True)) == {"bronze", "silver", "gold"}
    assert members.filter(
        membership_id="M100001", loyalty_program_identifiers={"id": "M100001"}
    ).exists()
    assert not members.filter(email="").exists()
    assert Account.objects.filter(member__in=members).count() == 50

    completed = Transaction.objects.filter(status=TransactionStatus.COMPLETED)
    mint = mint_account(loyalty_currency=currency)
    assert completed.filter(type=TransactionType.ACCRUAL, origin_account=mint).exists()
    assert completed.filter(type=TransactionType.ACCRUAL, origin_account=air).exists()
    assert completed.filter(
        type=TransactionType.REDEMPTION, origin_account__member__isnull=False
    ).exists()
    assert pending_due_within(minutes=5) >= 3
    pending_later = Transaction.objects.filter(
        status=TransactionStatus.PENDING,
        release_date__gt=timezone.now() + dt.timedelta(days=1),
    )
    assert pending_later.exists()

    admin = get_user_model().objects.get(username="boss")
    assert admin.is_staff and admin.is_superuser
    assert admin.check_password("a-long-demo-password")
    assert "boss / a-long-demo-password" in summary
    assert "/admin/" in summary
    assert_looks_like_a_real_programme(currency)
    ledger_balances()


def assert_looks_like_a_real_programme(currency):
    """Months of dated activity recorded as the API records it, tiers earned, rules that fire,
    FX rates, a cohort and a partnership of each kind."""

    months = Transaction.objects.dates("created_at", "month")
    assert len(months) >= 6
    assert Transaction.objects.values("created_at").distinct().count() > 100
    purchase = Transaction.objects.filter(type="accrual", sub_type="purchase_rule").first()
    assert purchase.related_data["type"] == "purchase_rule"
    assert purchase.related_data["purchase_rules"][0]["id"].startswith("rl_")
    assert purchase.related_data["purchase_rule_execution_id"].startswith("pre_")
    award = RuleAward.objects.get(transaction=purchase)
    assert award.created_at == purchase.created_at
    activity = Transaction.objects.filter(type="accrual", sub_type="activity_rule").first()
    assert activity.related_data["type"] == "activity_rule"
    assert RuleAward.objects.filter(activity_rule__activity="signup").count() == 50
    assert {"birthday", "review"} <= set(
        RuleAward.objects.values_list("activity_rule__activity", flat=True)
    )

    # Tiers are earned: each member's tier is the highest whose threshold their points reach.
    thresholds = dict(currency.tiers.values_list("code", "threshold"))
    assert thresholds == {"bronze": 0, "silver": 2_000, "gold": 6_000}
    assert TierChange.objects.filter(to_tier__code="gold").exists()

    kinds = set(Partnership.objects.values_list("type", flat=True))
    assert kinds == {"issuing", "redemption"}
    assert Cohort.objects.filter(owner=currency.owner).count() == 1
    assert FxRate.objects.filter(base="EUR", quote="USD").count() > 100
    statuses = set(Transaction.objects.values_list("status", flat=True))
    assert statuses >= {"completed", "pending", "cancelled", "reversed"}


def test_running_again_creates_no_duplicates_and_tops_up_due_transactions(ledger_balances):
    seed_demo()
    first = row_counts()
    admin = get_user_model().objects.get(username="admin")
    admin.set_password("changed-by-staff")
    admin.save()

    seed_demo()
    assert row_counts() == first
    assert pending_due_within(minutes=5) >= 3

    # Once the sweeper has released the due ones, the next run holds three new ones.
    assert ledger.release_due(now=timezone.now() + dt.timedelta(minutes=5)) >= 3
    assert pending_due_within(minutes=5) == 0
    seed_demo()
    assert row_counts() == {**first, "Transaction": first["Transaction"] + 3}
    assert pending_due_within(minutes=5) == 3

    admin.refresh_from_db()
    assert admin.check_password("changed-by-staff")
    ledger_balances()


def test_json_output_and_its_keys_sign_api_requests(ledger_balances):
    payload = json.loads(seed_demo("--json"))

    assert set(payload) >= {"admin", "loyalty_currency", "currency_owner", "partners", "members"}
    assert [tier["id"] for tier in payload["tiers"]] == ["bronze", "silver", "gold"]
    assert {rule["activity_id"] for rule in payload["activity_rules"]} >= {"signup", "birthday"}
    assert payload["urls"]["api_docs"] == "/public/v3.0/docs/"
    assert payload["urls"]["finance_reports"] == reverse("admin:loyalty_loyaltycurrency_reports")
    assert payload["urls"]["points_expiring"] == reverse("admin:loyalty_member_expiring")
    assert payload["admin"] == {"username": "admin", "password": "admin"}
    assert payload["loyalty_currency"] == "EXAMPLE_POINTS"
    partners = {p["api_identifier"]: p["partner_id"] for p in payload["partners"]}
    assert partners == dict(
        Partner.objects.filter(
            api_identifier__in=["example-air", "example-hotels", "example-shop"]
        ).values_list("api_identifier", "public_id")
    )
    assert all(partner_id.startswith("part_") for partner_id in partners.values())
    identifiers = [m["loyalty_program_identifiers"] for m in payload["members"]]
    assert len(identifiers) == 50
    assert identifiers[0] == {"id": "M100001"}
    assert sorted(identifiers, key=lambda i: i["id"]) == sorted(
        Member.objects.filter(loyalty_currency__code="EXAMPLE_POINTS").values_list(
            "loyalty_program_identifiers", flat=True
        ),
        key=lambda i: i["id"],
    )
    assert payload["programmes"] == [
        {"loyalty_currency": "AVIOS", "connector": "avios", "base_url": "http://127.0.0.1:8100"}
    ]
    linked = payload["members"][0]["linked_accounts"]
    assert {a["loyalty_currency"] for a in linked} == {"AVIOS", "EXAMPLE_MILES"}
    assert payload["members"][-1]["linked_accounts"] == []
    ledger_balances()

    # The printed keys work: each demo partner reads the API, the owner creates a member; on
    # an existing demo, --json prints the same keys and adds no transaction.
    transactions = Transaction.objects.count()
    assert payload == json.loads(seed_demo("--json"))  # the same keys on every run
    assert Transaction.objects.count() == transactions
    for partner in [payload["currency_owner"], *payload["partners"]]:
        assert partner["secret_key"].startswith("sec_")
        client = SignedClient(partner["public_key"], partner["secret_key"])
        assert client.get("/transactions").status_code == 200
    owner = payload["currency_owner"]
    created = SignedClient(owner["public_key"], owner["secret_key"]).post(
        "/members", {"loyalty_program_identifiers": {"id": "M999999"}, "first_name": "New"}
    )
    assert created.status_code == 201, created.content
    air = next(p for p in payload["partners"] if p["api_identifier"] == "example-air")
    accrual = SignedClient(air["public_key"], air["secret_key"]).post(
        "/accruals/standard",
        {
            "amount": 10,
            "loyalty_currency": payload["loyalty_currency"],
            "member": payload["members"][0]["loyalty_program_identifiers"],
            "origin": air["partner_id"],
        },
    )
    assert accrual.status_code == 201, accrual.content
    assert_gift_cards_work(payload)
    assert_redemptions_work(payload)
    ledger_balances()


def assert_gift_cards_work(payload):
    """The retailer's fixed 5/10/25 card and its open card, with codes in stock; a member buys
    a code with points through the owner's keys and the retailer validates and partly redeems
    it, and the inventory report moves."""
    shop = next(p for p in payload["partners"] if p["api_identifier"] == "example-shop")
    cards = {card["denomination_type"]: card for card in payload["gift_cards"]}
    assert cards["fixed"]["denominations"] == ["5.00", "10.00", "25.00"]
    assert cards["fixed"]["partner_id"] == cards["open"]["partner_id"] == shop["partner_id"]
    assert cards["fixed"]["fiat_currency"] == "EUR" and cards["open"]["denominations"] is None
    owner = payload["currency_owner"]
    owner_client = SignedClient(owner["public_key"], owner["secret_key"])
    shop_client = SignedClient(shop["public_key"], shop["secret_key"])
    inventory = f"/reports/gift-cards/custom/{cards['fixed']['id']}/inventory"
    before = shop_client.get(inventory).json()["denominations"]["5.00"]
    assert before["available"] == 20
    rich = next(
        m["loyalty_program_identifiers"]
        for m in payload["members"]
        if Account.objects.get(member__membership_id=m["loyalty_program_identifiers"]["id"]).balance
        >= 1000
    )
    issued = owner_client.post(
        f"/redemptions/gift-cards/{cards['fixed']['id']}/issue",
        {"fiat_amount": "5.00", "member": rich},
    )
    assert issued.status_code == 200, issued.content
    code = issued.json()["code"]["gift_card_code"]
    redeemed = shop_client.post(
        "/redemptions/gift-cards/custom/redeem",
        {
            "gift_card_code": code,
            "channel": "store",
            "external_reference": "demo-1",
            "fiat_amount": "2.00",
        },
    )
    assert redeemed.json()["code"]["fiat_balance"] == "3.00"
    after = shop_client.get(inventory).json()["denominations"]["5.00"]
    assert (after["available"], after["issued"]) == (19, 1)


def assert_redemptions_work(payload):
    """Example Hotels takes points: listed as a redemption partner, it simulates, executes,
    adjusts and cancels a stay for a demo member, who ends where they started."""
    owner = payload["currency_owner"]
    hotels = next(p for p in payload["partners"] if p["api_identifier"] == "example-hotels")
    hotels_client = SignedClient(hotels["public_key"], hotels["secret_key"])
    owner_client = SignedClient(owner["public_key"], owner["secret_key"])
    listed = owner_client.get("/partners/redemption").json()["results"]
    shop = next(p for p in payload["partners"] if p["api_identifier"] == "example-shop")
    assert {p["partner_id"]: p["partnership_details"] for p in listed} == {
        hotels["partner_id"]: {"adjustment_allowed": True},
        shop["partner_id"]: {"adjustment_allowed": False},
    }
    richest = Account.objects.filter(member__isnull=False).order_by("-balance").first()
    member, balance = richest.member.loyalty_program_identifiers, richest.balance
    stay = [{"fiat_amount": "10.00", "fiat_currency": "EUR", "category": "hotel"}]
    simulated = hotels_client.post(
        "/redemptions/standard/simulate",
        {"loyalty_currency": "EXAMPLE_POINTS", "member": member, "redemption_items": stay},
    )
    assert simulated.status_code == 200, simulated.content
    assert simulated.json()["adjustment_allowed"] is True
    executed = hotels_client.post(
        "/redemptions/standard",
        {
            "external_reference": "DEMO-1",
            "loyalty_currency": "EXAMPLE_POINTS",
            "member": member,
            "reason": "Hotel night",
            "redemption_items": stay,
        },
    )
    assert executed.status_code == 200, executed.content
    tx = executed.json()["transaction"]
    assert tx["amount"] == simulated.json()["total_loyalty_amount"]
    adjusted = hotels_client.post(
        "/redemptions/standard/adjust",
        {
            "member": member,
            "new_external_reference": "DEMO-1",
            "previous_external_reference": "DEMO-1",
            "previous_transaction_id": tx["id"],
            "reason": "Late checkout",
            "redemption_items": [*stay, {"loyalty_amount": 100, "category": "general"}],
        },
    )
    assert adjusted.status_code == 200, adjusted.content
    cancelled = hotels_client.post(
        "/redemptions/standard/cancel",
        {
            "previous_external_reference": "DEMO-1",
            "previous_transaction_id": adjusted.json()["transaction"]["id"],
            "reason": "Stay cancelled",
        },
    )
    assert cancelled.status_code == 200, cancelled.content
    assert Account.objects.get(member__membership_id=member["id"]).balance == balance


def test_creating_the_superuser_warns_on_stderr_once(ledger_balances):
    """The demo superuser has a known password: the run that creates it says so, on stderr
    (beside --json's output too); a run that finds it says nothing."""
    first_out, first_err = StringIO(), StringIO()
    call_command("seed_demo", "--json", stdout=first_out, stderr=first_err)
    json.loads(first_out.getvalue())  # stdout stays machine-readable
    warning = first_err.getvalue()
    assert "demo superuser 'admin'" in warning
    assert "never run seed_demo on a production database" in warning

    again = StringIO()
    call_command("seed_demo", stdout=StringIO(), stderr=again)
    assert again.getvalue() == ""
    ledger_balances()


def test_the_demo_exchanges_and_the_inbound_door(ledger_balances):
    """The second hosted currency, AVIOS behind the sandbox, the exchange partnerships, and a
    credit through the inbound door with the demo key."""
    payload = json.loads(seed_demo("--json"))
    assert LoyaltyCurrency.objects.get(code="EXAMPLE_MILES").is_hosted
    assert not LoyaltyCurrency.objects.get(code="AVIOS").is_hosted
    owner = payload["currency_owner"]
    client = SignedClient(owner["public_key"], owner["secret_key"])
    simulated = client.post(
        "/exchanges/simulate", {"amount": 1000, "origin_loyalty_currency": "EXAMPLE_POINTS"}
    )
    assert simulated.json() == {"AVIOS": 1000, "EXAMPLE_MILES": 500}
    # The exchange lists show the terms the exchanges run on.
    listed = client.get("/partners/exchange-out").json()["results"]
    assert [
        (
            item["company_name"],
            item["loyalty_currency"]["id"],
            item["partnership_details"]["conversion_ratio_per_unit"],
            item["partnership_details"]["minimum_member_transaction_amount"],
            item["partnership_details"]["maximum_member_transaction_amount"],
            [
                field["id"]
                for field in item["partnership_details"]["execute_action"]["required_fields"]
            ],
        )
        for item in listed
    ] == [
        ("Avios (sandbox programme)", "AVIOS", "1", 100, 100_000, ["id", "family_name"]),
        ("Example Air", "EXAMPLE_MILES", "0.5", 100, 100_000, []),
    ]
    coming_in = client.get("/partners/exchange-in").json()["results"]
    assert [(item["company_name"], item["loyalty_currency"]["id"]) for item in coming_in] == [
        ("Example Air", "EXAMPLE_MILES")
    ]
    member = payload["members"][0]
    avios = next(a for a in member["linked_accounts"] if a["loyalty_currency"] == "AVIOS")
    executed = client.post(
        "/exchanges/linked-account-execute",
        {
            "amount": 100,
            "destination_loyalty_currency": "AVIOS",
            "origin_member": member["loyalty_program_identifiers"],
        },
    )
    assert executed.status_code == 200, executed.content
    assert executed.json()["destination_transaction"]["status"] == "pending_external_approval"
    door = payload["inbound_door"]
    family_name = Member.objects.get(
        loyalty_currency__code="EXAMPLE_POINTS",
        membership_id=member["loyalty_program_identifiers"]["id"],
    ).last_name
    assert avios["family_name"] == family_name
    credited = Client().post(
        door["url"].format(membership_id=member["loyalty_program_identifiers"]["id"]),
        data=json.dumps(
            {
                "description": "666 Avios collected",
                "monetaryAmount": {"amount": 666, "currency": {"currencyCode": "AVIOS"}},
                "externalTransactionIdentifier": "ext",
                "externalTransactionDate": "2026-01-01T10:00:00.000Z",
                "externalSource": "EXT",
                "type": "COLLECTION",
                "person": {"name": {"familyName": family_name}},
            }
        ),
        content_type="application/json",
    )
    assert credited.status_code == 201, credited.content
    ledger_balances()
