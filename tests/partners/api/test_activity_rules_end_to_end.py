"""An activity rule simulated in the admin and through the API: both read the member's awards
through loyalty.rules.loading, so they agree (a cancelled award counts in neither)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from loyalty.models import ActivityRule

pytestmark = pytest.mark.django_db

SIMULATE = "/accruals/activity-rules/simulate"
TRIGGER = "/accruals/activity-rules/trigger"


def activity_body(member, **extra) -> dict:
    return {
        "activity_ids": ["birthday"],
        "loyalty_currency": "EXAMPLE_POINTS",
        "member": member.loyalty_program_identifiers,
        **extra,
    }


def admin_activity_outcome(admin_client, currency, member, at: dt.datetime):
    response = admin_client.post(
        reverse("admin:loyalty_activityrule_simulate"),
        {
            "loyalty_currency": currency.pk,
            "membership_id": member.membership_id,
            "activity_ids": "birthday",
            "at_0": at.strftime("%Y-%m-%d"),
            "at_1": at.strftime("%H:%M:%S"),
        },
    )
    assert response.status_code == 200, response.content
    (row,) = response.context["simulation"].rows
    return row.outcome


def test_a_cancelled_once_per_member_award_fires_again_in_both(
    owner_client, admin_client, currency, member
):
    ActivityRule.objects.create(
        loyalty_currency=currency,
        name="Birthday",
        activity="birthday",
        points=100,
        once_per_member=True,
    )
    release = (timezone.now() + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    paid = owner_client.post(TRIGGER, activity_body(member, release_date=release)).json()
    later = timezone.now() + dt.timedelta(minutes=1)

    # While the award stands, both say it was already given.
    assert admin_activity_outcome(admin_client, currency, member, later).codes == (
        "already_awarded",
    )
    api = owner_client.post(SIMULATE, activity_body(member)).json()
    assert api["total"] == 0
    assert [r["code"] for r in api["not_fired"][0]["reasons"]] == ["already_awarded"]

    cancelled = owner_client.post(f"/transactions/{paid['transactions'][0]['id']}/cancel")
    assert cancelled.status_code == 200, cancelled.content

    # Once its transaction is cancelled, the award gave nothing: both fire the rule again.
    outcome = admin_activity_outcome(admin_client, currency, member, later)
    assert (outcome.fired, outcome.points) == (True, 100)
    assert owner_client.post(SIMULATE, activity_body(member)).json()["total"] == 100
