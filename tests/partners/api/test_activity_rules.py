import datetime as dt
import threading

import pytest
from django.db import transaction
from django.utils import timezone

from loyalty.models import ActivityRule, RuleAward, Transaction
from loyalty.selectors import mint_account
from loyalty.services.activity_rules import activity_rules_trigger
from tests.factories import MemberFactory, partner_account
from tests.partners.api.conftest import SignedClient, signed_client_for
from tests.partners.api.test_members import wait_for_a_lock_waiter

SIMULATE = "/accruals/activity-rules/simulate"
TRIGGER = "/accruals/activity-rules/trigger"


def activity_rule(currency, **fields) -> ActivityRule:
    values = {"name": "Birthday", "activity": "birthday", "points": 100, **fields}
    return ActivityRule.objects.create(loyalty_currency=currency, **values)


def body(member, *activity_ids, **extra):
    return {
        "activity_ids": list(activity_ids),
        "loyalty_currency": "EXAMPLE_POINTS",
        "member": member.loyalty_program_identifiers,
        **extra,
    }


def written() -> tuple[int, int]:
    return Transaction.objects.count(), RuleAward.objects.count()


def issued(response_body) -> list:
    """Simulate's and trigger's common part: the total and each rule's points."""
    return [
        response_body["total"],
        [{"amount_issued": r["amount_issued"], "rule": r["rule"]} for r in response_body["rules"]],
    ]


# Simulate -----------------------------------------------------------------------------------


def test_simulate_answers_the_full_shape_and_writes_nothing(issuer_client, currency, member):
    birthday = activity_rule(currency, reason="Happy birthday")
    review = activity_rule(currency, name="Review", activity="review", points=20)
    activity_rule(currency, name="Referral", activity="referral", points=500)
    response = issuer_client.post(SIMULATE, body(member, "birthday", "review", "no-such-activity"))
    assert response.status_code == 200, response.content
    assert response.json() == {
        "total": 120,
        "rules": [
            {"amount_issued": 100, "rule": {"id": birthday.public_id, "name": "Birthday"}},
            {"amount_issued": 20, "rule": {"id": review.public_id, "name": "Review"}},
        ],
        "not_fired": [],
    }
    assert written() == (0, 0)


def test_simulate_says_why_disabled_and_out_of_window_rules_do_not_fire(
    owner_client, currency, member
):
    now = timezone.now()
    disabled = activity_rule(currency, name="Off", enabled=False)
    expired = activity_rule(currency, name="Old", valid_to=now - dt.timedelta(days=1))
    future = activity_rule(currency, name="Soon", valid_from=now + dt.timedelta(days=1))
    response = owner_client.post(SIMULATE, body(member, "birthday"))
    assert response.status_code == 200, response.content
    result = response.json()
    assert (result["total"], result["rules"]) == (0, [])
    reasons = {r["rule"]["id"]: [x["code"] for x in r["reasons"]] for r in result["not_fired"]}
    assert reasons == {
        disabled.public_id: ["disabled"],
        expired.public_id: ["expired"],
        future.public_id: ["not_yet_valid"],
    }
    assert all(x["message"] for r in result["not_fired"] for x in r["reasons"])


def test_unknown_activity_fires_nothing(issuer_client, currency, member):
    activity_rule(currency)
    for path in (SIMULATE, TRIGGER):
        response = issuer_client.post(path, body(member, "no-such-activity"))
        assert response.status_code == 200, response.content
        assert (response.json()["total"], response.json()["rules"]) == (0, [])
    assert written() == (0, 0)


# Trigger ------------------------------------------------------------------------------------


def test_owner_trigger_pays_from_the_mint(
    owner_client, currency, member, member_acc, ledger_balances
):
    rule = activity_rule(currency, reason="Happy birthday")
    response = owner_client.post(
        TRIGGER, body(member, "birthday", external_reference="ext-1", metadata={"store": "42"})
    )
    assert response.status_code == 200, response.content
    result = response.json()
    assert result["total"] == 100
    [tx] = result["transactions"]
    assert result["rules"] == [
        {
            "amount_issued": 100,
            "rule": {"id": rule.public_id, "name": "Birthday"},
            "transaction": tx,
        }
    ]
    assert (tx["type"], tx["sub-type"], tx["status"], tx["amount"]) == (
        "accrual",
        "activity_rule",
        "completed",
        100,
    )
    assert tx["related_data"] == {
        "type": "activity_rule",
        "activity_id": "birthday",
        "id": rule.public_id,
        "name": "Birthday",
    }
    assert (tx["reason"], tx["external_reference"], tx["metadata"]) == (
        "Happy birthday",
        "ext-1",
        {"store": "42"},
    )
    assert tx["origin_account"]["id"] == mint_account(loyalty_currency=currency).public_id
    award = RuleAward.objects.get()
    assert (award.activity_rule, award.member, award.points) == (rule, member, 100)
    assert award.transaction.public_id == tx["id"]
    member_acc.refresh_from_db()
    assert member_acc.balance == 100
    ledger_balances()


def test_issuer_trigger_with_release_date_is_pending_from_its_account(
    issuer_client, issuer, currency, member, member_acc, ledger_balances
):
    activity_rule(currency)
    activity_rule(currency, name="Review", activity="review", points=20)
    release = (timezone.now() + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    response = issuer_client.post(TRIGGER, body(member, "birthday", "review", release_date=release))
    assert response.status_code == 200, response.content
    transactions = response.json()["transactions"]
    assert [tx["status"] for tx in transactions] == ["pending", "pending"]
    issuer_account = partner_account(partner=issuer, loyalty_currency=currency)
    assert {tx["origin_account"]["id"] for tx in transactions} == {issuer_account.public_id}
    member_acc.refresh_from_db()
    issuer_account.refresh_from_db()
    assert (member_acc.balance, member_acc.pending_balance) == (0, 120)
    assert issuer_account.balance == -120
    ledger_balances()


def test_simulate_equals_trigger_for_the_same_input(issuer_client, currency, member):
    activity_rule(currency)
    activity_rule(
        currency, name="Review", activity="review", points=20, max_per_member=1, limit_period="day"
    )
    activity_rule(currency, name="Off", activity="review", enabled=False)
    activity_rule(currency, name="Welcome", activity="signup", points=50, once_per_member=True)
    request = body(member, "review", "birthday", "signup", "review", "other")
    simulated = issuer_client.post(SIMULATE, request)
    triggered = issuer_client.post(TRIGGER, request)
    assert simulated.status_code == triggered.status_code == 200
    assert issued(simulated.json()) == issued(triggered.json())
    assert simulated.json()["total"] == 170
    # Now the limits are used up: both agree again, on less.
    again_simulated = issuer_client.post(SIMULATE, request)
    again_triggered = issuer_client.post(TRIGGER, request)
    assert issued(again_simulated.json()) == issued(again_triggered.json())
    assert again_simulated.json()["total"] == 100


# Limits -------------------------------------------------------------------------------------


def test_once_per_member_pays_once_ever(owner_client, currency, member, member_acc):
    rule = activity_rule(currency, name="Welcome", activity="signup", once_per_member=True)
    first = owner_client.post(TRIGGER, body(member, "signup"))
    second = owner_client.post(TRIGGER, body(member, "signup"))
    assert (first.json()["total"], second.json()["total"]) == (100, 0)
    assert second.json() == {"total": 0, "transactions": [], "rules": []}
    simulated = owner_client.post(SIMULATE, body(member, "signup")).json()
    assert simulated["not_fired"] == [
        {
            "rule": {"id": rule.public_id, "name": "Welcome"},
            "reasons": [{"code": "already_awarded", "message": "once per member, already awarded"}],
        }
    ]
    member_acc.refresh_from_db()
    assert member_acc.balance == 100


def test_n_per_period_counts_only_the_current_period(owner_client, currency, member, member_acc):
    rule = activity_rule(
        currency, name="Review", activity="review", points=10, max_per_member=2, limit_period="day"
    )
    RuleAward.objects.create(
        activity_rule=rule,
        member=member,
        points=10,
        created_at=timezone.now() - dt.timedelta(days=2),
    )
    totals = [owner_client.post(TRIGGER, body(member, "review")).json()["total"] for _ in range(3)]
    assert totals == [10, 10, 0]
    codes = owner_client.post(SIMULATE, body(member, "review")).json()["not_fired"][0]["reasons"]
    assert [reason["code"] for reason in codes] == ["limit_reached"]
    member_acc.refresh_from_db()
    assert member_acc.balance == 20


def test_a_cancelled_award_no_longer_counts(owner_client, currency, member):
    activity_rule(currency, once_per_member=True)
    release = (timezone.now() + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    first = owner_client.post(TRIGGER, body(member, "birthday", release_date=release)).json()
    assert owner_client.post(TRIGGER, body(member, "birthday")).json()["total"] == 0
    cancelled = owner_client.post(f"/transactions/{first['transactions'][0]['id']}/cancel")
    assert cancelled.status_code == 200, cancelled.content
    assert owner_client.post(TRIGGER, body(member, "birthday")).json()["total"] == 100


def test_awards_of_another_member_do_not_count(owner_client, currency, member):
    activity_rule(currency, once_per_member=True)
    other = MemberFactory(loyalty_currency=currency)
    assert owner_client.post(TRIGGER, body(other, "birthday")).json()["total"] == 100
    assert owner_client.post(TRIGGER, body(member, "birthday")).json()["total"] == 100


@pytest.mark.django_db(transaction=True)
def test_simultaneous_triggers_pay_a_once_per_member_rule_once(
    currency, member, run_concurrently, ledger_balances
):
    activity_rule(currency, once_per_member=True)
    keys = signed_client_for(currency.owner)
    # One Django test client per thread, all signing with the owner's key.
    clients = [SignedClient(keys.public_key, keys.secret_key) for _ in range(4)]
    responses = run_concurrently(
        [lambda c=client: c.post(TRIGGER, body(member, "birthday")) for client in clients]
    )
    assert [r.status_code for r in responses] == [200] * 4
    assert sorted(r.json()["total"] for r in responses) == [0, 0, 0, 100]
    assert written() == (1, 1)
    ledger_balances()


@pytest.mark.django_db(transaction=True)
def test_a_trigger_waits_for_the_member_lock_before_counting(
    currency, member, run_concurrently, ledger_balances
):
    """The first trigger has paid but not committed; the second must wait, then see its award."""
    activity_rule(currency, name="Review", activity="review", max_per_member=1, limit_period="day")
    owner_client = signed_client_for(currency.owner)
    paid = threading.Event()

    def first():
        with transaction.atomic():
            run = activity_rules_trigger(
                partner=currency.owner,
                loyalty_currency=currency,
                member_identifiers=member.loyalty_program_identifiers,
                activity_ids=["review"],
            )
            paid.set()
            wait_for_a_lock_waiter()
        return run

    def second():
        assert paid.wait(20)
        return owner_client.post(TRIGGER, body(member, "review"))

    run, response = run_concurrently([first, second])
    assert run.total == 100
    assert response.status_code == 200, response.content
    assert response.json()["total"] == 0
    assert written() == (1, 1)
    ledger_balances()


# Bad input and scope ------------------------------------------------------------------------


@pytest.mark.parametrize("path", [SIMULATE, TRIGGER])
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"activity_ids": "birthday"}, "activity_ids"),
        ({"activity_ids": [5]}, "activity_ids.0"),
        ({"activity_ids": [None]}, "activity_ids.0"),
        ({"activity_ids": [["birthday"]]}, "activity_ids.0"),
        ({"activity_ids": []}, "activity_ids"),
        ({"member": {"id": "NOPE"}}, "member"),
        ({"member": "M1"}, "member"),
        ({"loyalty_currency": "NOPE"}, "loyalty_currency"),
        ({"loyalty_system_data": []}, "loyalty_system_data"),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(
    issuer_client, currency, member, path, change, field
):
    activity_rule(currency)
    response = issuer_client.post(path, {**body(member, "birthday"), **change})
    assert response.status_code == 400, response.content
    assert field in {e["field"] for e in response.json()["errors"]}
    assert written() == (0, 0)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"release_date": "2020-01-01T00:00"}, "release_date"),
        ({"metadata": {"a": {"b": {"c": {"d": {"e": {"f": 1}}}}}}}, "metadata"),
    ],
)
def test_bad_trigger_details_are_refused(issuer_client, currency, member, change, field):
    activity_rule(currency)
    response = issuer_client.post(TRIGGER, {**body(member, "birthday"), **change})
    assert response.status_code == 400, response.content
    assert field in {e["field"] for e in response.json()["errors"]}
    assert written() == (0, 0)


@pytest.mark.parametrize("path", [SIMULATE, TRIGGER])
@pytest.mark.parametrize("missing", ["activity_ids", "loyalty_currency", "member"])
def test_each_required_field(issuer_client, currency, member, path, missing):
    request = body(member, "birthday")
    del request[missing]
    response = issuer_client.post(path, request)
    assert response.status_code == 400
    assert response.json()["errors"][0] == {
        "message": "This field is required.",
        "field": missing,
        "code": "required",
    }


@pytest.mark.parametrize("path", [SIMULATE, TRIGGER])
def test_stranger_is_forbidden_even_for_an_unknown_member(stranger_client, currency, member, path):
    activity_rule(currency)
    for identifiers in (member.loyalty_program_identifiers, {"id": "NOPE"}):
        response = stranger_client.post(path, {**body(member, "birthday"), "member": identifiers})
        assert response.status_code == 403, response.content
    assert written() == (0, 0)


def test_idempotent_repeat_of_a_trigger_returns_the_original(issuer_client, currency, member):
    activity_rule(currency)
    first = issuer_client.post(TRIGGER, body(member, "birthday"), idempotency_key="k1")
    again = issuer_client.post(TRIGGER, body(member, "birthday"), idempotency_key="k1")
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert again["Idempotency-Repeated"] == "true"
    assert written() == (1, 1)


def test_trigger_body_is_the_serializers_own_answer(owner_client, currency, member):
    """The trigger's answer is built directly (trigger_body); it is exactly what the documented
    serializer makes of the same run."""
    from loyalty.services.activity_rules import activity_rules_trigger
    from partners.api.activity_rules import ActivityRuleTriggerResponse, trigger_body

    activity_rule(currency)
    activity_rule(currency, name="Birthday bonus", points=50)
    activity_rule(currency, name="Review", activity="review", points=10)
    run = activity_rules_trigger(
        partner=currency.owner,
        loyalty_currency=currency,
        member_identifiers=member.loyalty_program_identifiers,
        activity_ids=["birthday", "review", "unknown"],
    )
    assert len(run.fired) == 3
    assert trigger_body(run) == ActivityRuleTriggerResponse(run).data
