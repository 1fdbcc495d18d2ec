"""Cohorts through the partner API: shapes, the owner-only scope, bad input and rule switches."""

import pytest

from loyalty.models import (
    Account,
    ActivityRule,
    Cohort,
    CohortChange,
    CohortRuleSetting,
    Partner,
    PurchaseRule,
)
from loyalty.services.cohorts import cohort_create
from tests.factories import LoyaltyCurrencyFactory
from tests.partners.api.conftest import signed_client_for

pytestmark = pytest.mark.django_db

COHORT_KEYS = {"api_identifier", "id", "company_name", "status"}
ENVELOPE_KEYS = {"count", "next", "previous", "results"}


@pytest.fixture
def cohort(currency):
    return cohort_create(owner=currency.owner, company_name="Downtown shops")


@pytest.fixture
def other_owner_client(db):
    """The owner of another currency: a currency owner, but not of our cohorts."""
    return signed_client_for(LoyaltyCurrencyFactory(code="OTHER_POINTS").owner)


def purchase_rule(currency, **fields) -> PurchaseRule:
    values = {"name": "Per euro", "fiat_currency": "EUR", "points_per_unit": 1, **fields}
    return PurchaseRule.objects.create(loyalty_currency=currency, **values)


def activity_rule(currency, **fields) -> ActivityRule:
    values = {"name": "Birthday", "activity": "birthday", "points": 100, **fields}
    return ActivityRule.objects.create(loyalty_currency=currency, **values)


def cohort_path(cohort, suffix="") -> str:
    return f"/cohorts/{cohort.partner.public_id}{suffix}"


def written() -> tuple[int, int, int]:
    return Cohort.objects.count(), Partner.objects.count(), CohortChange.objects.count()


# Create, read, update -----------------------------------------------------------------------


def test_create_answers_200_with_the_cohort_its_account_and_a_change(owner_client, currency):
    response = owner_client.post("/cohorts", {"company_name": "FooBar"})

    assert response.status_code == 200
    body = response.json()
    assert set(body) == COHORT_KEYS
    assert body["id"].startswith("part_")
    assert (body["company_name"], body["status"]) == ("FooBar", "enabled")
    cohort = Cohort.objects.get(partner__public_id=body["id"])
    assert cohort.owner == currency.owner
    account = Account.objects.get(partner=cohort.partner)
    assert (account.loyalty_currency, account.is_default, account.balance) == (currency, True, 0)
    change = CohortChange.objects.get(cohort=cohort)
    assert (change.partner, change.action) == (currency.owner, "created")
    assert change.changes == {"company_name": [None, "FooBar"], "status": [None, "enabled"]}


def test_create_disabled(owner_client):
    response = owner_client.post("/cohorts", {"company_name": "Paused", "status": "disabled"})

    assert response.status_code == 200
    assert response.json()["status"] == "disabled"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "company_name"),
        ({"company_name": ""}, "company_name"),
        ({"company_name": "x" * 201}, "company_name"),
        ({"company_name": "FooBar", "status": "paused"}, "status"),
    ],
)
def test_create_rejects_bad_input_and_writes_nothing(owner_client, payload, field):
    before = written()

    response = owner_client.post("/cohorts", payload)

    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert written() == before


def test_only_currency_owners_create_cohorts(issuer_client, stranger_client):
    before = written()
    for client in (issuer_client, stranger_client):
        response = client.post("/cohorts", {"company_name": "FooBar"})
        assert response.status_code == 403
        assert response.json()["errors"][0]["code"] == "permission_denied"
    assert written() == before


def test_list_shows_only_the_owners_cohorts(owner_client, other_owner_client, cohort):
    body = owner_client.get("/cohorts").json()
    assert set(body) == ENVELOPE_KEYS
    assert body["count"] == 1
    assert body["results"] == [
        {
            "api_identifier": cohort.partner.api_identifier,
            "id": cohort.partner.public_id,
            "company_name": "Downtown shops",
            "status": "enabled",
        }
    ]
    other = other_owner_client.get("/cohorts")
    assert other.status_code == 200
    assert other.json()["count"] == 0


def test_list_pages(owner_client, currency):
    for name in ("A", "B", "C"):
        cohort_create(owner=currency.owner, company_name=name)

    body = owner_client.get("/cohorts", {"page_size": 2}).json()

    assert (body["count"], len(body["results"]), body["next"]) == (3, 2, "?page_size=2&page=2")


def test_partners_that_own_no_currency_may_not_list_cohorts(issuer_client, stranger_client):
    for client in (issuer_client, stranger_client):
        assert client.get("/cohorts").status_code == 403


def test_retrieve(owner_client, cohort):
    response = owner_client.get(cohort_path(cohort))

    assert response.status_code == 200
    assert response.json()["id"] == cohort.partner.public_id
    assert set(response.json()) == COHORT_KEYS


def test_unknown_or_foreign_cohort_is_404(owner_client, other_owner_client, cohort):
    assert owner_client.get("/cohorts/part_nope").status_code == 404
    response = other_owner_client.get(cohort_path(cohort))
    assert response.status_code == 404
    assert response.json()["errors"][0]["field"] == "cohort_id"
    assert other_owner_client.patch(cohort_path(cohort), {"company_name": "Mine"}).status_code == (
        404
    )
    cohort.partner.refresh_from_db()
    assert cohort.partner.company_name == "Downtown shops"


def test_other_partners_get_403_on_a_cohort(issuer_client, cohort):
    assert issuer_client.get(cohort_path(cohort)).status_code == 403
    assert issuer_client.patch(cohort_path(cohort), {"company_name": "X"}).status_code == 403
    assert issuer_client.get(cohort_path(cohort, "/accounts")).status_code == 403


def test_update_renames_disables_and_records_what_changed(owner_client, cohort, currency):
    response = owner_client.patch(
        cohort_path(cohort), {"company_name": "Uptown shops", "status": "disabled"}
    )

    assert response.status_code == 200
    assert (response.json()["company_name"], response.json()["status"]) == (
        "Uptown shops",
        "disabled",
    )
    cohort.partner.refresh_from_db()
    assert (cohort.partner.company_name, cohort.partner.status) == ("Uptown shops", "suspended")
    change = CohortChange.objects.filter(cohort=cohort, action="updated").get()
    assert change.partner == currency.owner
    assert change.changes == {
        "company_name": ["Downtown shops", "Uptown shops"],
        "status": ["enabled", "disabled"],
    }


def test_update_without_status_keeps_it_and_records_nothing_unchanged(owner_client, cohort):
    response = owner_client.patch(cohort_path(cohort), {"company_name": "Downtown shops"})

    assert response.json()["status"] == "enabled"
    assert not CohortChange.objects.filter(cohort=cohort, action="updated").exists()


@pytest.mark.parametrize(
    "payload", [{}, {"company_name": "  "}, {"company_name": "Ok", "status": "on"}]
)
def test_update_rejects_bad_input_and_writes_nothing(owner_client, cohort, payload):
    before = written()

    response = owner_client.patch(cohort_path(cohort), payload)

    assert response.status_code == 400
    assert written() == before
    cohort.partner.refresh_from_db()
    assert (cohort.partner.company_name, cohort.partner.status) == ("Downtown shops", "active")


# Accounts -----------------------------------------------------------------------------------


def test_accounts_have_the_deprecated_account_shape(owner_client, cohort, currency):
    response = owner_client.get(cohort_path(cohort, "/accounts"))

    assert response.status_code == 200
    body = response.json()
    assert set(body) == ENVELOPE_KEYS
    account = Account.objects.get(partner=cohort.partner)
    assert body["results"] == [
        {
            "id": account.public_id,
            "balance": 0,
            "loyalty_currency": "EXAMPLE_POINTS",
            "owner": {"id": cohort.partner.public_id, "type": "partner"},
        }
    ]


def test_accounts_of_an_unknown_cohort_is_404(owner_client):
    assert owner_client.get("/cohorts/part_nope/accounts").status_code == 404


# Rules --------------------------------------------------------------------------------------


RULE_KINDS = [
    pytest.param(
        "purchases",
        purchase_rule,
        {"tags", "id", "loyalty_currency", "name", "reason", "enabled"},
        "purchase_rule",
        id="purchases",
    ),
    pytest.param(
        "activities",
        activity_rule,
        {"activity_identifier", "id", "loyalty_currency", "name", "reason", "enabled"},
        "activity_rule",
        id="activities",
    ),
]


@pytest.mark.parametrize(("kind", "make", "keys", "setting"), RULE_KINDS)
def test_rule_list_shows_the_owners_rules_except_other_cohorts(
    owner_client, cohort, currency, kind, make, keys, setting
):
    shared = make(currency, name="Everyone")
    own = make(currency, name="Only ours", cohort=cohort)
    other_cohort = cohort_create(owner=currency.owner, company_name="Elsewhere")
    make(currency, name="Only theirs", cohort=other_cohort)
    make(LoyaltyCurrencyFactory(code="OTHER_POINTS"), name="Another currency")

    response = owner_client.get(cohort_path(cohort, f"/loyalty-rules/{kind}"))

    assert response.status_code == 200
    body = response.json()
    assert set(body) == ENVELOPE_KEYS
    assert [r["id"] for r in body["results"]] == [shared.public_id, own.public_id]
    assert all(set(r) == keys for r in body["results"])
    assert body["results"][0]["loyalty_currency"] == "EXAMPLE_POINTS"
    assert body["results"][0]["enabled"] is True


@pytest.mark.parametrize(("kind", "make", "keys", "setting"), RULE_KINDS)
def test_rule_switch_is_per_cohort_and_recorded(
    owner_client, cohort, currency, kind, make, keys, setting
):
    rule = make(currency)
    other_cohort = cohort_create(owner=currency.owner, company_name="Elsewhere")
    path = cohort_path(cohort, f"/loyalty-rules/{kind}/{rule.public_id}")

    response = owner_client.patch(path, {"enabled": False})

    assert response.status_code == 200
    assert set(response.json()) == keys
    assert (response.json()["id"], response.json()["enabled"]) == (rule.public_id, False)
    listed = owner_client.get(cohort_path(cohort, f"/loyalty-rules/{kind}")).json()
    assert listed["results"][0]["enabled"] is False
    elsewhere = owner_client.get(cohort_path(other_cohort, f"/loyalty-rules/{kind}")).json()
    assert elsewhere["results"][0]["enabled"] is True
    rule.refresh_from_db()
    assert rule.enabled is True
    change = CohortChange.objects.get(cohort=cohort, action=setting)
    assert (change.rule_id, change.changes) == (rule.public_id, {"enabled": [True, False]})

    assert owner_client.patch(path, {"enabled": True}).json()["enabled"] is True
    assert CohortRuleSetting.objects.get(cohort=cohort).enabled is True
    assert CohortChange.objects.filter(cohort=cohort, action=setting).count() == 2


@pytest.mark.parametrize(("kind", "make", "keys", "setting"), RULE_KINDS)
def test_a_cohort_cannot_enable_a_rule_staff_disabled(
    owner_client, cohort, currency, kind, make, keys, setting
):
    rule = make(currency, enabled=False)

    response = owner_client.patch(
        cohort_path(cohort, f"/loyalty-rules/{kind}/{rule.public_id}"), {"enabled": True}
    )

    assert (response.status_code, response.json()["enabled"]) == (200, False)


@pytest.mark.parametrize(("kind", "make", "keys", "setting"), RULE_KINDS)
def test_rule_switch_scope_and_bad_input(
    owner_client, other_owner_client, issuer_client, cohort, currency, kind, make, keys, setting
):
    rule = make(currency)
    reserved = make(currency, cohort=cohort_create(owner=currency.owner, company_name="Other"))
    path = cohort_path(cohort, f"/loyalty-rules/{kind}/{rule.public_id}")
    before = (CohortRuleSetting.objects.count(), CohortChange.objects.count())

    assert owner_client.patch(path, {"enabled": "sometimes"}).status_code == 400
    assert issuer_client.patch(path, {"enabled": False}).status_code == 403
    assert other_owner_client.patch(path, {"enabled": False}).status_code == 404
    unknown = owner_client.patch(
        cohort_path(cohort, f"/loyalty-rules/{kind}/rl_nope"), {"enabled": False}
    )
    assert (unknown.status_code, unknown.json()["errors"][0]["field"]) == (404, "rule_id")
    foreign = cohort_path(cohort, f"/loyalty-rules/{kind}/{reserved.public_id}")
    assert owner_client.patch(foreign, {"enabled": False}).status_code == 404
    assert issuer_client.get(cohort_path(cohort, f"/loyalty-rules/{kind}")).status_code == 403
    assert (CohortRuleSetting.objects.count(), CohortChange.objects.count()) == before


@pytest.mark.parametrize(("kind", "make", "keys", "setting"), RULE_KINDS)
def test_rule_patch_without_enabled_changes_nothing(
    owner_client, cohort, currency, kind, make, keys, setting
):
    rule = make(currency)

    response = owner_client.patch(
        cohort_path(cohort, f"/loyalty-rules/{kind}/{rule.public_id}"), {}
    )

    assert (response.status_code, response.json()["enabled"]) == (200, True)
    assert not CohortRuleSetting.objects.exists()
