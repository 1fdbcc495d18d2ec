"""A rule built in the admin fires through the API as the admin's simulation said it would, and
the two simulations agree on the member's capped totals (they load them the same way)."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from loyalty.models import PurchaseRule
from loyalty.selectors import member_account
from tests.factories import MemberFactory, TierFactory
from tests.loyalty.admin.helpers import AT, purchase_post, simulate, url

FRIDAY_NOON = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)  # the admin simulation's AT


@time_machine.travel(FRIDAY_NOON, tick=False)
def test_admin_rule_simulated_then_triggered_through_the_api(
    admin_client, issuer_client, currency, ledger_balances
):
    gold = TierFactory(loyalty_currency=currency, code="gold", name="Gold")
    member = MemberFactory(loyalty_currency=currency, tier=gold)
    created = admin_client.post(
        url("purchaserule_add"),
        purchase_post(
            currency,
            name="Gold weekend",
            tags="online",
            min_amount="20",
            fixed_bonus="50",
            **{
                "tiers": [gold.pk],
                "tier_multipliers-TOTAL_FORMS": "1",
                "tier_multipliers-0-tier": gold.pk,
                "tier_multipliers-0-multiplier": "1.5",
            },
        ),
    )
    assert created.status_code == 302, created.context["adminform"].form.errors
    assert AT == {"at_0": "2026-11-20", "at_1": "12:00"}

    simulated = simulate(
        admin_client,
        currency,
        membership_id=member.membership_id,
        amount="40.50",
        tags="online",
    )
    rows = {row.rule.name: row.outcome for row in simulated.context["simulation"].rows}
    expected = rows["Gold weekend"].points
    assert rows["Gold weekend"].fired
    assert expected == 171  # 40.50 EUR x 2 points x 1.5 for gold = 121.5, down to 121, + 50

    triggered = issuer_client.post(
        "/accruals/purchase-rules/trigger",
        {
            "fiat_amount": "40.50",
            "fiat_currency": "EUR",
            "loyalty_currency": currency.code,
            "member": member.loyalty_program_identifiers,
            "tags": ["online"],
        },
    )
    assert triggered.status_code == 200, triggered.content
    assert triggered.json()["total"] == expected
    rule_id = PurchaseRule.objects.get(name="Gold weekend").public_id
    assert [r["rule"]["id"] for r in triggered.json()["rules"]] == [rule_id]
    assert member_account(member=member).balance == expected
    ledger_balances()


@pytest.mark.django_db
def test_a_cancelled_purchase_award_leaves_the_cap_in_both(
    owner_client, admin_client, currency, member
):
    PurchaseRule.objects.create(
        loyalty_currency=currency,
        name="Per euro",
        fiat_currency="EUR",
        points_per_unit=1,
        max_points_per_member=50,
        member_cap_period="month",
    )
    booking = {
        "fiat_amount": "40.00",
        "fiat_currency": "EUR",
        "loyalty_currency": "EXAMPLE_POINTS",
        "member": member.loyalty_program_identifiers,
    }
    release = (timezone.now() + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    paid = owner_client.post(
        "/accruals/purchase-rules/trigger", {**booking, "release_date": release}
    ).json()
    owner_client.post(f"/accruals/purchase-rules/executions/{paid['id']}/cancel")
    later = timezone.now() + dt.timedelta(minutes=1)

    api = owner_client.post("/accruals/purchase-rules/simulate", booking).json()
    response = admin_client.post(
        reverse("admin:loyalty_purchaserule_simulate"),
        {
            "loyalty_currency": currency.pk,
            "membership_id": member.membership_id,
            "amount": "40.00",
            "fiat_currency": "EUR",
            "at_0": later.strftime("%Y-%m-%d"),
            "at_1": later.strftime("%H:%M:%S"),
        },
    )
    assert api["total"] == 40
    assert response.context["simulation"].points == 40
