"""Purchase rules through the partner API: simulate, trigger, read and cancel an execution."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connections
from django.utils import timezone

from loyalty.models import (
    Account,
    ExecutionMode,
    Partnership,
    PurchaseRule,
    PurchaseRuleExecution,
    PurchaseRuleMetadataMatch,
    RuleAward,
    Transaction,
)
from loyalty.selectors import member_account, mint_account
from loyalty.services.purchase_rules import purchase_rules_trigger
from tests.factories import MemberFactory, PartnerFactory, partner_account
from tests.partners.api.conftest import signed_client_for

SIMULATE = "/accruals/purchase-rules/simulate"
TRIGGER = "/accruals/purchase-rules/trigger"


def executions(public_id: str, action: str = "") -> str:
    return f"/accruals/purchase-rules/executions/{public_id}" + (f"/{action}" if action else "")


@pytest.fixture
def rules(currency):
    """Two rules fire for 20 EUR with tag promo at store 42; the third needs 100 EUR."""
    per_euro = PurchaseRule.objects.create(
        loyalty_currency=currency,
        name="Points per euro",
        reason="Purchase",
        fiat_currency="EUR",
        points_per_unit=Decimal(10),
    )
    promo = PurchaseRule.objects.create(
        loyalty_currency=currency,
        name="Promo bonus",
        reason="Promo",
        fiat_currency="EUR",
        tags=["promo"],
        fixed_bonus=50,
        is_bonus=True,
    )
    PurchaseRuleMetadataMatch.objects.create(rule=promo, key="store", value="42")
    big = PurchaseRule.objects.create(
        loyalty_currency=currency,
        name="Big basket",
        fiat_currency="EUR",
        min_amount=Decimal(100),
        fixed_bonus=500,
    )
    return per_euro, promo, big


def purchase(member=None, **extra) -> dict:
    body = {
        "fiat_amount": "20.00",
        "fiat_currency": "EUR",
        "loyalty_currency": "EXAMPLE_POINTS",
        "tags": ["promo"],
        "metadata": {"store": 42},
        **extra,
    }
    if member is not None:
        body["member"] = member.loyalty_program_identifiers
    return body


def issuer_account(issuer, currency) -> Account:
    return Account.objects.get(partner=issuer, loyalty_currency=currency, is_default=True)


class TestSimulate:
    def test_fired_rules_total_and_why_the_others_did_not(self, issuer_client, member, rules):
        per_euro, promo, big = rules
        response = issuer_client.post(SIMULATE, purchase(member))
        assert response.status_code == 200, response.content
        assert response.json() == {
            "total": 250,
            "rules": [
                {
                    "amount_issued": 200,
                    "rule": {"id": per_euro.public_id, "name": "Points per euro"},
                },
                {"amount_issued": 50, "rule": {"id": promo.public_id, "name": "Promo bonus"}},
            ],
            "not_fired": [
                {
                    "rule": {"id": big.public_id, "name": "Big basket"},
                    "reasons": [
                        {
                            "code": "below_minimum",
                            "message": "minimum purchase 100.00 EUR not reached",
                        }
                    ],
                }
            ],
        }
        assert Transaction.objects.count() == PurchaseRuleExecution.objects.count() == 0

    def test_without_member_or_tags(self, owner_client, rules):
        body = purchase(tags=[])
        response = owner_client.post(SIMULATE, body)
        assert response.status_code == 200, response.content
        assert response.json()["total"] == 200
        assert {r["rule"]["name"] for r in response.json()["not_fired"]} == {
            "Promo bonus",
            "Big basket",
        }

    def test_a_partner_without_issuing_partnership_is_refused(self, stranger_client, rules):
        response = stranger_client.post(SIMULATE, purchase())
        assert response.status_code == 403, response.content


class TestTrigger:
    def test_one_transaction_per_rule_from_the_issuer(
        self, issuer_client, issuer, currency, member, member_acc, rules, ledger_balances
    ):
        per_euro, promo, _ = rules
        response = issuer_client.post(TRIGGER, purchase(member, external_reference="B-1"))
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["id"].startswith("pre_")
        assert body["total"] == 250
        assert [(r["amount_issued"], r["rule"]["id"]) for r in body["rules"]] == [
            (200, per_euro.public_id),
            (50, promo.public_id),
        ]
        txs = body["transactions"]
        assert [(t["amount"], t["reason"], t["bonus"]) for t in txs] == [
            (200, "Purchase", False),
            (50, "Promo", True),
        ]
        assert {(t["type"], t["sub-type"], t["status"]) for t in txs} == {
            ("accrual", "purchase_rule", "completed")
        }
        assert txs[1]["origin_account"]["owner"] == {"id": issuer.public_id, "type": "partner"}
        assert txs[1]["external_reference"] == "B-1"
        assert txs[1]["related_data"] == {
            "type": "purchase_rule",
            "purchase_fiat_amount": "20.0000",
            "purchase_fiat_currency": "EUR",
            "purchase_rule_execution_id": body["id"],
            "purchase_rules": [{"id": promo.public_id, "name": "Promo bonus", "tags": ["promo"]}],
            "purchase_tags": ["promo"],
        }
        assert body["rules"][1]["transaction"]["id"] == txs[1]["id"]
        member_acc.refresh_from_db()
        assert member_acc.balance == 250
        assert issuer_account(issuer, currency).balance == -250
        assert RuleAward.objects.filter(member=member).count() == 2
        ledger_balances()

    def test_single_mode_joins_the_reasons(self, issuer_client, member, member_acc, rules):
        response = issuer_client.post(
            TRIGGER, purchase(member, preferred_execution_mode="single_transaction")
        )
        assert response.status_code == 200, response.content
        [tx] = response.json()["transactions"]
        assert (tx["amount"], tx["reason"], tx["bonus"]) == (250, "Purchase; Promo", False)
        assert len(tx["related_data"]["purchase_rules"]) == 2
        assert len(response.json()["rules"]) == 2

    def test_a_single_transaction_partnership_overrides_the_preference(
        self, issuer_client, issuer, member, member_acc, rules
    ):
        Partnership.objects.filter(partner=issuer).update(
            loyalty_rules_execution_mode=ExecutionMode.SINGLE_TRANSACTION
        )
        response = issuer_client.post(
            TRIGGER,
            purchase(member, preferred_execution_mode="multiple_transactions", reason="Order 7"),
        )
        assert response.status_code == 200, response.content
        [tx] = response.json()["transactions"]
        assert (tx["amount"], tx["reason"]) == (250, "Order 7")

    def test_the_owner_issues_from_the_mint(
        self, owner_client, currency, member, member_acc, rules, ledger_balances
    ):
        response = owner_client.post(TRIGGER, purchase(member, tags=[]))
        assert response.status_code == 200, response.content
        [tx] = response.json()["transactions"]
        assert tx["origin_account"]["id"] == mint_account(loyalty_currency=currency).public_id
        ledger_balances()

    def test_no_rule_fires_no_transaction(self, issuer_client, member, member_acc, rules):
        response = issuer_client.post(TRIGGER, purchase(member, fiat_currency="USD", tags=[]))
        assert response.status_code == 200, response.content
        assert response.json()["total"] == 0
        assert response.json()["transactions"] == []
        assert Transaction.objects.count() == 0

    def test_simulate_equals_trigger(self, issuer_client, member, member_acc, rules):
        body = purchase(member, fiat_amount="123.45")
        simulated = issuer_client.post(SIMULATE, body).json()
        triggered = issuer_client.post(TRIGGER, body).json()
        assert triggered["total"] == simulated["total"] == 1234 + 50 + 500
        assert [(r["rule"], r["amount_issued"]) for r in triggered["rules"]] == [
            (r["rule"], r["amount_issued"]) for r in simulated["rules"]
        ]

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"fiat_amount": "0"}, "fiat_amount"),
            ({"fiat_amount": "-1"}, "fiat_amount"),
            ({"fiat_amount": "NaN"}, "fiat_amount"),
            ({"fiat_amount": "abc"}, "fiat_amount"),
            ({"fiat_currency": "eur"}, "fiat_currency"),
            ({"loyalty_currency": "NOPE"}, "loyalty_currency"),
            ({"member": {"id": "NOPE"}}, "member"),
            ({"tags": "promo"}, "tags"),
            ({"metadata": []}, "metadata"),
            ({"preferred_execution_mode": "both"}, "preferred_execution_mode"),
            ({"release_date": "2020-01-01T00:00"}, "release_date"),
        ],
    )
    def test_bad_input_is_refused_and_writes_nothing(
        self, issuer_client, member, member_acc, rules, change, field
    ):
        response = issuer_client.post(TRIGGER, {**purchase(member), **change})
        assert response.status_code == 400, response.content
        assert field in {e["field"] for e in response.json()["errors"]}
        assert Transaction.objects.count() == PurchaseRuleExecution.objects.count() == 0
        assert RuleAward.objects.count() == 0

    def test_member_is_required(self, issuer_client, rules):
        response = issuer_client.post(TRIGGER, purchase())
        assert response.status_code == 400
        assert "member" in {e["field"] for e in response.json()["errors"]}

    def test_an_overdraft_leaves_nothing_behind(
        self, issuer_client, issuer, currency, member, rules
    ):
        member_account(member=member)
        Account.objects.filter(partner=issuer).update(credit_limit=0)
        response = issuer_client.post(TRIGGER, purchase(member))
        assert response.status_code == 400, response.content
        assert Transaction.objects.count() == PurchaseRuleExecution.objects.count() == 0
        assert RuleAward.objects.count() == 0

    def test_a_stranger_is_refused(self, stranger_client, member, rules):
        response = stranger_client.post(TRIGGER, purchase(member))
        assert response.status_code == 403, response.content
        assert Transaction.objects.count() == 0


def release_date() -> str:
    return (timezone.now() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")


class TestExecution:
    def test_read_back_by_its_creator_and_the_owner_only(
        self, issuer_client, owner_client, stranger_client, currency, member, member_acc, rules
    ):
        created = issuer_client.post(TRIGGER, purchase(member)).json()
        other = PartnerFactory(company_name="Other", api_identifier="other")
        partner_account(partner=other, loyalty_currency=currency, credit_limit=1000)
        Partnership.objects.create(partner=other, loyalty_currency=currency, type="issuing")

        for client in (issuer_client, owner_client):
            response = client.get(executions(created["id"]))
            assert response.status_code == 200, response.content
            assert response.json() == created
        for client in (stranger_client, signed_client_for(other)):
            assert client.get(executions(created["id"])).status_code == 404
        assert issuer_client.get(executions("pre_unknown")).status_code == 404

    def test_release_date_holds_and_cancel_gives_back(
        self, issuer_client, issuer, currency, member, member_acc, rules, ledger_balances
    ):
        created = issuer_client.post(TRIGGER, purchase(member, release_date=release_date()))
        assert created.status_code == 200, created.content
        assert {t["status"] for t in created.json()["transactions"]} == {"pending"}
        member_acc.refresh_from_db()
        assert (member_acc.balance, member_acc.pending_balance) == (0, 250)

        response = issuer_client.post(executions(created.json()["id"], "cancel"))
        assert response.status_code == 200, response.content
        assert {t["status"] for t in response.json()["transactions"]} == {"cancelled"}
        assert response.json()["total"] == 0
        member_acc.refresh_from_db()
        assert (member_acc.balance, member_acc.pending_balance) == (0, 0)
        assert issuer_account(issuer, currency).balance == 0
        ledger_balances()

        again = issuer_client.post(executions(created.json()["id"], "cancel"))
        assert again.status_code == 400
        assert again.json()["errors"][0]["code"] == "invalid_execution_state"

    def test_a_completed_execution_cannot_be_cancelled(
        self, issuer_client, member, member_acc, rules
    ):
        created = issuer_client.post(TRIGGER, purchase(member)).json()
        response = issuer_client.post(executions(created["id"], "cancel"))
        assert response.status_code == 400
        member_acc.refresh_from_db()
        assert member_acc.balance == 250

    def test_cancel_by_a_stranger_is_404(self, issuer_client, stranger_client, member, rules):
        created = issuer_client.post(TRIGGER, purchase(member, release_date=release_date()))
        response = stranger_client.post(executions(created.json()["id"], "cancel"))
        assert response.status_code == 404
        assert {t.status for t in Transaction.objects.all()} == {"pending"}

    def test_cancelled_awards_no_longer_count_toward_the_cap(
        self, issuer_client, member, member_acc, rules
    ):
        PurchaseRule.objects.filter(name="Points per euro").update(
            max_points_per_member=300, member_cap_period="month"
        )
        body = purchase(member, tags=[], release_date=release_date())
        first = issuer_client.post(TRIGGER, body).json()
        assert first["total"] == 200
        issuer_client.post(executions(first["id"], "cancel"))
        assert issuer_client.post(TRIGGER, body).json()["total"] == 200


@pytest.mark.django_db(transaction=True)
def test_concurrent_triggers_never_exceed_the_member_cap(
    issuer, currency, run_concurrently, ledger_balances
):
    member = MemberFactory(loyalty_currency=currency)
    member_account(member=member)
    rule = PurchaseRule.objects.create(
        loyalty_currency=currency,
        name="Capped",
        fiat_currency="EUR",
        points_per_unit=Decimal(10),
        max_points_per_member=300,
        member_cap_period="month",
    )

    def trigger():
        return purchase_rules_trigger(
            partner=issuer,
            loyalty_currency=currency,
            member=member.loyalty_program_identifiers,
            fiat_amount=Decimal(20),
            fiat_currency="EUR",
        )

    results = run_concurrently([trigger] * 6)

    assert not [r for r in results if isinstance(r, Exception)], results
    awarded = sorted(a.points for a in RuleAward.objects.filter(purchase_rule=rule))
    assert awarded == [100, 200]
    assert member_account(member=member).balance == 300
    ledger_balances()
    connections.close_all()


def test_execution_body_is_the_serializers_own_answer(issuer_client, currency, member):
    """The execution's answer is built directly (execution_body); it is exactly what the
    documented serializer makes of the same execution, for a pending one too."""
    from loyalty.selectors import execution_record
    from partners.api.purchase_rules import PurchaseRuleTriggerResponse, execution_body

    PurchaseRule.objects.create(
        loyalty_currency=currency, name="Per euro", fiat_currency="EUR", points_per_unit=1
    )
    PurchaseRule.objects.create(
        loyalty_currency=currency, name="Bonus", fiat_currency="EUR", fixed_bonus=5
    )
    release = (timezone.now() + dt.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    for extra in ({}, {"release_date": release}):
        answer = issuer_client.post(TRIGGER, {**purchase(member), **extra}).json()
        record = execution_record(PurchaseRuleExecution.objects.get(public_id=answer["id"]))
        documented = PurchaseRuleTriggerResponse(
            {
                "id": record.execution.public_id,
                "status": answer["status"],
                "total": answer["total"],
                "transactions": record.transactions,
                "rules": record.awards,
            }
        ).data
        assert execution_body(record) == documented == answer
