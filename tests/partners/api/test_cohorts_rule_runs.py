"""A cohort's rule runs (operations 54, 55, 58, 59): which rules fire, whose account pays, scope."""

import pytest

from loyalty.models import (
    Account,
    ActivityRule,
    CohortRuleSetting,
    PurchaseRule,
    PurchaseRuleExecution,
    RuleAward,
    Transaction,
)
from loyalty.services.cohorts import cohort_create
from tests.factories import LoyaltyCurrencyFactory
from tests.partners.api.conftest import signed_client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort(currency):
    cohort = cohort_create(owner=currency.owner, company_name="Downtown shops")
    Account.objects.filter(partner=cohort.partner).update(credit_limit=1_000_000)
    return cohort


@pytest.fixture
def other_cohort(currency):
    return cohort_create(owner=currency.owner, company_name="Airport shops")


@pytest.fixture
def rules(currency, cohort, other_cohort):
    """One purchase and one activity rule for everyone, for the cohort, and for another cohort."""
    made = {}
    for key, reserved in (("all", None), ("cohort", cohort), ("other", other_cohort)):
        made[f"purchase_{key}"] = PurchaseRule.objects.create(
            loyalty_currency=currency,
            name=f"Per euro ({key})",
            fiat_currency="EUR",
            points_per_unit={"all": 1, "cohort": 2, "other": 4}[key],
            cohort=reserved,
        )
        made[f"activity_{key}"] = ActivityRule.objects.create(
            loyalty_currency=currency,
            name=f"Birthday ({key})",
            activity="birthday",
            points={"all": 100, "cohort": 200, "other": 400}[key],
            cohort=reserved,
        )
    return made


def purchase(member, **extra) -> dict:
    return {
        "fiat_amount": "10.00",
        "fiat_currency": "EUR",
        "loyalty_currency": "EXAMPLE_POINTS",
        "member": member.loyalty_program_identifiers,
        **extra,
    }


def activity(member, **extra) -> dict:
    return {
        "activity_ids": ["birthday"],
        "loyalty_currency": "EXAMPLE_POINTS",
        "member": member.loyalty_program_identifiers,
        **extra,
    }


def purchases_path(cohort, action) -> str:
    return f"/loyalty-rules/{cohort.partner.public_id}/purchases/{action}"


def activities_path(cohort, action) -> str:
    return f"/cohorts/{cohort.partner.public_id}/loyalty-rules/activities/{action}"


def fired_ids(body) -> set[str]:
    return {item["rule"]["id"] for item in body["rules"]}


def written() -> tuple[int, int, int]:
    return (
        Transaction.objects.count(),
        RuleAward.objects.count(),
        PurchaseRuleExecution.objects.count(),
    )


def switch_off(cohort, **rule) -> None:
    CohortRuleSetting.objects.create(cohort=cohort, enabled=False, **rule)


# Purchases ----------------------------------------------------------------------------------


def test_purchase_simulate_fires_the_cohorts_rules_and_writes_nothing(
    owner_client, cohort, member, member_acc, rules
):
    response = owner_client.post(purchases_path(cohort, "simulate"), purchase(member))

    assert response.status_code == 200, response.json()
    body = response.json()
    assert fired_ids(body) == {rules["purchase_all"].public_id, rules["purchase_cohort"].public_id}
    assert body["total"] == 10 + 20
    assert written() == (0, 0, 0)


def test_purchase_execute_pays_from_the_cohort_account(
    owner_client, currency, cohort, member, member_acc, rules, ledger_balances
):
    response = owner_client.post(purchases_path(cohort, "execute"), purchase(member))

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["total"] == 30
    assert fired_ids(body) == {rules["purchase_all"].public_id, rules["purchase_cohort"].public_id}
    assert len(body["transactions"]) == 2
    cohort_account = Account.objects.get(partner=cohort.partner, loyalty_currency=currency)
    assert {(tx.origin_account, tx.created_by_partner) for tx in Transaction.objects.all()} == {
        (cohort_account, currency.owner)
    }
    member_acc.refresh_from_db()
    cohort_account.refresh_from_db()
    assert (member_acc.balance, cohort_account.balance) == (30, -30)
    ledger_balances()


def test_a_cohort_reserved_purchase_rule_never_fires_through_the_ordinary_trigger(
    owner_client, member, member_acc, rules, ledger_balances
):
    response = owner_client.post("/accruals/purchase-rules/trigger", purchase(member))

    assert response.status_code == 200, response.json()
    assert fired_ids(response.json()) == {rules["purchase_all"].public_id}
    member_acc.refresh_from_db()
    assert member_acc.balance == 10
    ledger_balances()


def test_a_rule_switched_off_for_the_cohort_does_not_fire_for_it(
    owner_client, cohort, other_cohort, member, member_acc, rules
):
    switch_off(cohort, purchase_rule=rules["purchase_all"])
    switch_off(other_cohort, purchase_rule=rules["purchase_cohort"])  # another cohort's switch

    response = owner_client.post(purchases_path(cohort, "execute"), purchase(member))

    assert response.status_code == 200, response.json()
    assert fired_ids(response.json()) == {rules["purchase_cohort"].public_id}
    ordinary = owner_client.post("/accruals/purchase-rules/simulate", purchase(member))
    assert fired_ids(ordinary.json()) == {rules["purchase_all"].public_id}


def test_a_rule_staff_disabled_does_not_fire_for_the_cohort(
    owner_client, cohort, member, member_acc, rules
):
    PurchaseRule.objects.filter(pk=rules["purchase_cohort"].pk).update(enabled=False)

    response = owner_client.post(purchases_path(cohort, "simulate"), purchase(member))

    assert fired_ids(response.json()) == {rules["purchase_all"].public_id}


def test_a_cohort_without_credit_is_refused_by_the_ledger(
    owner_client, currency, cohort, member, member_acc, rules, ledger_balances
):
    Account.objects.filter(partner=cohort.partner).update(credit_limit=0)

    response = owner_client.post(purchases_path(cohort, "execute"), purchase(member))

    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "insufficient_funds"
    assert written() == (0, 0, 0)
    ledger_balances()


# Activities ---------------------------------------------------------------------------------


def test_activity_simulate_fires_the_cohorts_rules_and_writes_nothing(
    owner_client, cohort, member, member_acc, rules
):
    response = owner_client.post(activities_path(cohort, "simulate"), activity(member))

    assert response.status_code == 200, response.json()
    assert fired_ids(response.json()) == {
        rules["activity_all"].public_id,
        rules["activity_cohort"].public_id,
    }
    assert response.json()["total"] == 300
    assert written() == (0, 0, 0)


def test_activity_execute_pays_from_the_cohort_account(
    owner_client, currency, cohort, member, member_acc, rules, ledger_balances
):
    response = owner_client.post(activities_path(cohort, "execute"), activity(member))

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["total"] == 300
    assert len(body["transactions"]) == 2
    cohort_account = Account.objects.get(partner=cohort.partner, loyalty_currency=currency)
    assert {tx.origin_account for tx in Transaction.objects.all()} == {cohort_account}
    member_acc.refresh_from_db()
    cohort_account.refresh_from_db()
    assert (member_acc.balance, cohort_account.balance) == (300, -300)
    ledger_balances()


def test_a_cohort_reserved_activity_rule_never_fires_through_the_ordinary_trigger(
    owner_client, member, member_acc, rules, ledger_balances
):
    response = owner_client.post("/accruals/activity-rules/trigger", activity(member))

    assert response.status_code == 200, response.json()
    assert fired_ids(response.json()) == {rules["activity_all"].public_id}
    member_acc.refresh_from_db()
    assert member_acc.balance == 100
    ledger_balances()


def test_an_activity_rule_switched_off_for_the_cohort_does_not_fire_for_it(
    owner_client, cohort, member, member_acc, rules
):
    switch_off(cohort, activity_rule=rules["activity_cohort"])

    response = owner_client.post(activities_path(cohort, "execute"), activity(member))

    assert fired_ids(response.json()) == {rules["activity_all"].public_id}


def test_simulate_is_not_taken_for_a_rule_id(owner_client, cohort, member, rules):
    response = owner_client.patch(activities_path(cohort, "simulate"), {"enabled": False})

    assert not CohortRuleSetting.objects.exists()
    assert response.status_code == 405
    simulated = owner_client.post(activities_path(cohort, "simulate"), activity(member))
    assert simulated.status_code == 200, simulated.json()


# Scope and bad input ------------------------------------------------------------------------

OPERATIONS = [
    (purchases_path, "simulate", purchase),
    (purchases_path, "execute", purchase),
    (activities_path, "simulate", activity),
    (activities_path, "execute", activity),
]


@pytest.mark.parametrize(("path", "action", "body"), OPERATIONS)
def test_scope(path, action, body, stranger_client, issuer_client, cohort, member, rules):
    other_owner = signed_client_for(LoyaltyCurrencyFactory(code="OTHER_POINTS").owner)

    assert stranger_client.post(path(cohort, action), body(member)).status_code == 403
    assert issuer_client.post(path(cohort, action), body(member)).status_code == 403
    assert other_owner.post(path(cohort, action), body(member)).status_code == 404
    assert written() == (0, 0, 0)


@pytest.mark.parametrize(("path", "action", "body"), OPERATIONS)
def test_unknown_cohort_is_a_404(path, action, body, owner_client, member, cohort):
    cohort.partner.public_id = "part_unknown"

    response = owner_client.post(path(cohort, action), body(member))

    assert response.status_code == 404
    assert response.json()["errors"][0]["field"] == "cohort_id"


@pytest.mark.parametrize(
    ("path", "action", "body", "bad"),
    [
        (purchases_path, "execute", purchase, {"fiat_amount": "-1"}),
        (purchases_path, "simulate", purchase, {"member": None}),
        (purchases_path, "execute", purchase, {"member": {"id": "nobody"}}),
        (activities_path, "execute", activity, {"activity_ids": []}),
        (activities_path, "execute", activity, {"member": {"id": "nobody"}}),
        (activities_path, "simulate", activity, {"loyalty_currency": "NOPE"}),
    ],
)
def test_bad_input_is_a_400_and_writes_nothing(
    path, action, body, bad, owner_client, cohort, member, member_acc, rules
):
    response = owner_client.post(path(cohort, action), {**body(member), **bad})

    assert response.status_code == 400, response.json()
    assert written() == (0, 0, 0)


def test_a_currency_the_caller_does_not_own_is_a_403(owner_client, cohort, member, rules):
    LoyaltyCurrencyFactory(code="OTHER_POINTS")

    response = owner_client.post(
        purchases_path(cohort, "execute"), purchase(member, loyalty_currency="OTHER_POINTS")
    )

    assert response.status_code == 403
    assert written() == (0, 0, 0)
