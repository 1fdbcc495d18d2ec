"""Property: for any purchase, simulate predicts exactly what trigger then issues."""

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loyalty.models import PurchaseRule, RulePeriod
from tests.partners.api.test_purchase_rules import purchase, rules  # noqa: F401  (fixture)

purchases = st.fixed_dictionaries(
    {
        "fiat_amount": st.decimals(
            min_value=Decimal("0.01"), max_value=Decimal("500"), places=2
        ).map(str),
        "tags": st.lists(st.sampled_from(["promo", "summer", "online"]), max_size=2, unique=True),
        "metadata": st.sampled_from([{}, {"store": 42}, {"store": "7"}]),
    }
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(body=purchases)
def test_simulate_equals_trigger(issuer_client, member, member_acc, rules, body):  # noqa: F811
    # A monthly cap makes later examples depend on earlier triggers, as in production.
    PurchaseRule.objects.filter(name="Big basket").update(
        max_points_per_member=700, member_cap_period=RulePeriod.MONTH
    )
    simulated = issuer_client.post("/accruals/purchase-rules/simulate", purchase(member, **body))
    assert simulated.status_code == 200, simulated.content
    triggered = issuer_client.post("/accruals/purchase-rules/trigger", purchase(member, **body))
    assert triggered.status_code == 200, triggered.content
    assert triggered.json()["total"] == simulated.json()["total"]
    issued = {r["rule"]["id"]: r["amount_issued"] for r in triggered.json()["rules"]}
    predicted = {
        r["rule"]["id"]: r["amount_issued"] for r in simulated.json()["rules"] if r["amount_issued"]
    }
    assert issued == predicted
