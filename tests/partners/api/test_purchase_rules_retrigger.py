"""Retriggering a pending purchase rule execution with an updated booking."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from loyalty import ledger
from loyalty.models import Partnership, PurchaseRule, PurchaseRuleExecution, RuleAward, Transaction
from tests.factories import PartnerFactory, partner_account
from tests.partners.api import test_purchase_rules
from tests.partners.api.conftest import signed_client_for
from tests.partners.api.test_purchase_rules import (
    TRIGGER,
    executions,
    issuer_account,
    purchase,
    release_date,
)

# The three rules of the trigger tests: per euro (10/EUR), promo bonus (50), big basket (500).
rules = test_purchase_rules.rules


def booking(**change) -> dict:
    """The retrigger body for the default purchase of test_purchase_rules, changed as given."""
    return {
        "fiat_amount": "20.00",
        "fiat_currency": "EUR",
        "tags": ["promo"],
        "metadata": {"store": 42},
        **change,
    }


@pytest.fixture
def pending(issuer_client, member, member_acc, rules):
    """A pending execution: 200 (per euro) and 50 (promo), held for two days."""
    response = issuer_client.post(TRIGGER, purchase(member, release_date=release_date()))
    assert response.status_code == 200, response.content
    return response.json()


def retrigger(client, execution: dict, body: dict):
    return client.post(executions(execution["id"], "retrigger"), body)


def amounts(body: dict) -> list[tuple[int, str]]:
    return [(t["amount"], t["status"]) for t in body["transactions"]]


def pending_balance(member_acc) -> tuple[int, int]:
    member_acc.refresh_from_db()
    return member_acc.balance, member_acc.pending_balance


class TestRetrigger:
    def test_a_bigger_then_smaller_booking_moves_the_pending_units(
        self, issuer_client, issuer, currency, member_acc, pending, ledger_balances
    ):
        bigger = retrigger(issuer_client, pending, booking(fiat_amount="30.00"))
        assert bigger.status_code == 200, bigger.content
        body = bigger.json()
        assert (body["id"], body["total"], body["status"]) == (pending["id"], 350, "pending")
        assert amounts(body) == [(300, "pending"), (50, "pending")]
        assert [r["amount_issued"] for r in body["rules"]] == [300, 50]
        assert body["transactions"][0]["related_data"]["purchase_fiat_amount"] == "30.0000"
        assert pending_balance(member_acc) == (0, 350)
        assert issuer_account(issuer, currency).balance == -350

        smaller = retrigger(issuer_client, pending, booking(fiat_amount="10.00"))
        assert smaller.status_code == 200, smaller.content
        assert amounts(smaller.json()) == [(100, "pending"), (50, "pending")]
        assert pending_balance(member_acc) == (0, 150)
        assert issuer_account(issuer, currency).balance == -150
        execution = PurchaseRuleExecution.objects.get(public_id=pending["id"])
        assert execution.fiat_amount == 10
        ledger_balances()

    def test_the_schedule_rows_are_locked_before_the_transactions(
        self, issuer_client, member_acc, pending, ledger_balances
    ):
        """The release sweep's lock order (loyalty.ledger): a retrigger that locked the
        transactions first could deadlock with a sweep holding their schedule rows."""
        with CaptureQueriesContext(connection) as captured:
            response = retrigger(issuer_client, pending, booking(fiat_amount="30.00"))
        assert response.status_code == 200, response.content
        locks = [
            table
            for query in captured.captured_queries
            if "FOR UPDATE" in query["sql"]
            for table in ("loyalty_pendingrelease", "loyalty_transaction")
            if query["sql"].split(" FROM ", 1)[-1].startswith(f'"{table}"')
        ]
        assert locks[:2] == ["loyalty_pendingrelease", "loyalty_transaction"], locks
        ledger_balances()

    def test_a_rule_that_no_longer_fires_is_cancelled(
        self, issuer_client, member, member_acc, pending, ledger_balances
    ):
        response = retrigger(issuer_client, pending, booking(tags=[], reason="Changed"))
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["total"] == 200
        assert amounts(body) == [(200, "pending"), (50, "cancelled")]
        assert pending_balance(member_acc) == (0, 200)
        promo = RuleAward.objects.get(member=member, purchase_rule__name="Promo bonus")
        assert promo.transaction.status == "cancelled"
        execution = PurchaseRuleExecution.objects.get(public_id=pending["id"])
        assert (execution.tags, execution.reason) == ([], "Changed")
        ledger_balances()

    def test_a_rule_that_now_fires_gets_a_new_pending_transaction(
        self, issuer_client, member, member_acc, rules, pending, ledger_balances
    ):
        big = rules[2]
        later = (timezone.now() + dt.timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")
        response = retrigger(issuer_client, pending, booking(fiat_amount="100", release_date=later))
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["total"] == 1000 + 50 + 500
        assert amounts(body) == [(1000, "pending"), (50, "pending"), (500, "pending")]
        assert {t["release_date"][:16] for t in body["transactions"]} == {later}
        added = body["transactions"][2]
        assert added["related_data"]["purchase_rule_execution_id"] == pending["id"]
        assert added["related_data"]["purchase_rules"][0]["id"] == big.public_id
        assert RuleAward.objects.get(purchase_rule=big, member=member).points == 500
        assert pending_balance(member_acc) == (0, 1550)
        ledger_balances()

    def test_a_released_transaction_is_left_as_it_is(
        self, issuer_client, member_acc, pending, ledger_balances
    ):
        promo_tx = Transaction.objects.get(public_id=pending["transactions"][1]["id"])
        ledger.release(transaction=promo_tx)
        response = retrigger(issuer_client, pending, booking(fiat_amount="30.00", tags=[]))
        assert response.status_code == 200, response.content
        assert amounts(response.json()) == [(300, "pending"), (50, "completed")]
        assert response.json()["total"] == 350
        assert pending_balance(member_acc) == (50, 300)
        ledger_balances()

    def test_single_mode_amends_the_one_transaction_to_the_new_total(
        self,
        issuer_client,
        member,
        member_acc,
        rules,
        ledger_balances,
    ):
        created = issuer_client.post(
            TRIGGER,
            purchase(
                member, release_date=release_date(), preferred_execution_mode="single_transaction"
            ),
        ).json()
        response = retrigger(issuer_client, created, booking(fiat_amount="100", tags=[]))
        assert response.status_code == 200, response.content
        body = response.json()
        assert amounts(body) == [(1500, "pending")]
        assert body["transactions"][0]["reason"] == "Big basket; Purchase"
        assert sorted((r["rule"]["name"], r["amount_issued"]) for r in body["rules"]) == [
            ("Big basket", 500),
            ("Points per euro", 1000),
        ]
        assert RuleAward.objects.filter(member=member).count() == 2
        assert pending_balance(member_acc) == (0, 1500)
        ledger_balances()

    def test_its_own_awards_do_not_count_toward_the_member_cap(
        self,
        issuer_client,
        member,
        member_acc,
        rules,
    ):
        PurchaseRule.objects.filter(name="Points per euro").update(
            max_points_per_member=300, member_cap_period="month"
        )
        created = issuer_client.post(
            TRIGGER, purchase(member, tags=[], release_date=release_date())
        ).json()
        response = retrigger(issuer_client, created, booking(fiat_amount="25", tags=[]))
        assert response.status_code == 200, response.content
        assert response.json()["total"] == 250
        capped = retrigger(issuer_client, created, booking(fiat_amount="45", tags=[]))
        assert capped.json()["total"] == 300

    def test_a_repeat_changes_nothing_more(
        self, issuer_client, member_acc, pending, ledger_balances
    ):
        body = booking(fiat_amount="30.00")
        first = retrigger(issuer_client, pending, body)
        again = retrigger(issuer_client, pending, body)
        assert again.status_code == 200, again.content
        assert again.json() == first.json()
        assert Transaction.objects.count() == 2
        assert pending_balance(member_acc) == (0, 350)
        ledger_balances()

    def test_the_owner_may_retrigger(self, owner_client, member_acc, pending):
        response = retrigger(owner_client, pending, booking(fiat_amount="30.00"))
        assert response.status_code == 200, response.content
        assert response.json()["total"] == 350


class TestRefused:
    def test_a_completed_execution(self, issuer_client, member, member_acc, rules):
        created = issuer_client.post(TRIGGER, purchase(member)).json()
        response = retrigger(issuer_client, created, booking(fiat_amount="30.00"))
        assert response.status_code == 400, response.content
        assert response.json()["errors"][0]["code"] == "invalid_execution_state"
        assert pending_balance(member_acc) == (250, 0)

    def test_once_the_sweep_released_everything(self, issuer_client, member_acc, pending):
        ledger.release_due(now=timezone.now() + dt.timedelta(days=3))
        read = issuer_client.get(executions(pending["id"]))
        assert read.json()["status"] == "completed"
        response = retrigger(issuer_client, pending, booking(fiat_amount="30.00"))
        assert response.status_code == 400, response.content
        assert response.json()["errors"][0]["code"] == "invalid_execution_state"
        assert pending_balance(member_acc) == (250, 0)

    def test_a_cancelled_execution(self, issuer_client, member_acc, pending):
        issuer_client.post(executions(pending["id"], "cancel"))
        response = retrigger(issuer_client, pending, booking(fiat_amount="30.00"))
        assert response.status_code == 400, response.content
        assert pending_balance(member_acc) == (0, 0)

    def test_another_partner_gets_404(self, stranger_client, currency, member_acc, pending):
        other = PartnerFactory(company_name="Other", api_identifier="other")
        partner_account(partner=other, loyalty_currency=currency, credit_limit=1000)
        Partnership.objects.create(partner=other, loyalty_currency=currency, type="issuing")
        for client in (stranger_client, signed_client_for(other)):
            response = retrigger(client, pending, booking(fiat_amount="30.00"))
            assert response.status_code == 404, response.content
        assert pending_balance(member_acc) == (0, 250)

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"fiat_amount": "0"}, "fiat_amount"),
            ({"fiat_amount": "abc"}, "fiat_amount"),
            ({"fiat_amount": None}, "fiat_amount"),
            ({"fiat_currency": "eur"}, "fiat_currency"),
            ({"tags": "promo"}, "tags"),
            ({"metadata": []}, "metadata"),
            ({"loyalty_system_data": "x"}, "loyalty_system_data"),
            ({"release_date": "2020-01-01T00:00"}, "release_date"),
        ],
    )
    def test_bad_input_changes_nothing(self, issuer_client, member_acc, pending, change, field):
        response = retrigger(issuer_client, pending, booking(**{"fiat_amount": "30.00", **change}))
        assert response.status_code == 400, response.content
        assert field in {e["field"] for e in response.json()["errors"]}
        assert issuer_client.get(executions(pending["id"])).json() == pending
        assert pending_balance(member_acc) == (0, 250)
        assert RuleAward.objects.count() == 2
