"""Earning rules in the admin (loyalty.admin.rules): the editors, their validation, the history."""

from decimal import Decimal

import pytest
from django.contrib.admin.models import LogEntry

from loyalty.admin.rules import ActivityRuleForm, PurchaseRuleForm
from loyalty.models import Account, PurchaseRule, PurchaseRuleMetadataMatch, RuleAward
from loyalty.services.cohorts import cohort_create
from tests.factories import LoyaltyCurrencyFactory, MemberFactory, TierFactory
from tests.loyalty.admin.helpers import activity_rule, purchase_post, purchase_rule, url

pytestmark = pytest.mark.django_db


def test_list_change_add_simulate_and_history_pages_load(admin_client, currency):
    purchase = purchase_rule(currency, tags=["online"], fixed_bonus=50)
    PurchaseRuleMetadataMatch.objects.create(rule=purchase, key="store", value="42")
    activity = activity_rule(currency, once_per_member=True)
    member = MemberFactory(loyalty_currency=currency)
    RuleAward.objects.create(activity_rule=activity, member=member, points=100)
    for model, obj in (("purchaserule", purchase), ("activityrule", activity)):
        changelist = admin_client.get(url(f"{model}_changelist")).content.decode()
        assert obj.public_id in changelist
        assert url(f"{model}_simulate") in changelist
        change = admin_client.get(url(f"{model}_change", obj.pk)).content.decode()
        assert url(f"{model}_history", obj.pk) in change
        assert f"{url(f'{model}_simulate')}?loyalty_currency={currency.pk}" in change
        assert admin_client.get(url(f"{model}_add")).status_code == 200
        assert admin_client.get(url(f"{model}_simulate")).status_code == 200
        assert admin_client.get(url(f"{model}_history", obj.pk)).status_code == 200
    changelist = admin_client.get(url("purchaserule_changelist")).content.decode()
    assert "1 pts per EUR, +50 pts" in changelist
    assert "online, summer" not in changelist
    assert (
        'value="online"'
        in admin_client.get(url("purchaserule_change", purchase.pk)).content.decode()
    )
    assert (
        "100 pts, once per member"
        in admin_client.get(url("activityrule_changelist")).content.decode()
    )
    assert admin_client.get(url("ruleaward_changelist")).status_code == 200


def test_search_finds_a_rule_by_its_id(admin_client, currency):
    wanted, other = purchase_rule(currency, name="Wanted"), purchase_rule(currency, name="Other")
    page = admin_client.get(url("purchaserule_changelist"), {"q": wanted.public_id})
    assert list(page.context["cl"].result_list) == [wanted]
    assert other.name not in page.content.decode()


def test_awards_are_read_only(admin_client, currency):
    award = RuleAward.objects.create(
        activity_rule=activity_rule(currency),
        member=MemberFactory(loyalty_currency=currency),
        points=100,
    )
    assert admin_client.get(url("ruleaward_add")).status_code == 403
    assert admin_client.post(url("ruleaward_delete", award.pk), {"post": "yes"}).status_code == 403
    assert RuleAward.objects.count() == 1


def test_a_rule_is_created_with_comma_separated_tags(admin_client, currency):
    response = admin_client.post(url("purchaserule_add"), purchase_post(currency))
    assert response.status_code == 302, response.context["adminform"].form.errors
    rule = PurchaseRule.objects.get()
    assert (rule.tags, rule.points_per_unit) == (["online", "summer"], Decimal(2))


def test_a_maximum_below_the_minimum_is_refused_with_a_clear_message(admin_client, currency):
    response = admin_client.post(
        url("purchaserule_add"), purchase_post(currency, min_amount="50", max_amount="20")
    )
    assert response.status_code == 200
    assert "The maximum amount cannot be below the minimum." in response.content.decode()
    assert not PurchaseRule.objects.exists()


def test_an_end_of_validity_before_its_start_is_refused(admin_client, currency):
    response = admin_client.post(
        url("purchaserule_add"),
        purchase_post(
            currency,
            valid_from_0="2026-12-01",
            valid_from_1="00:00",
            valid_to_0="2026-11-01",
            valid_to_1="00:00",
        ),
    )
    assert "The end of validity must come after its start." in response.content.decode()
    assert not PurchaseRule.objects.exists()


def test_a_tier_of_another_currency_is_refused(admin_client, currency):
    foreign = TierFactory(name="Foreign gold")
    response = admin_client.post(
        url("purchaserule_add"), purchase_post(currency, tiers=[foreign.pk])
    )
    assert f"Not tiers of {currency.code}: Foreign gold." in response.content.decode()
    assert not PurchaseRule.objects.exists()


def test_a_multiplier_for_a_tier_of_another_currency_is_refused(admin_client, currency):
    foreign = TierFactory(name="Foreign gold")
    data = purchase_post(
        currency,
        **{
            "tier_multipliers-TOTAL_FORMS": "1",
            "tier_multipliers-0-tier": foreign.pk,
            "tier_multipliers-0-multiplier": "2",
        },
    )
    response = admin_client.post(url("purchaserule_add"), data)
    assert "Choose a tier of the rule&#x27;s loyalty currency." in response.content.decode()
    assert not PurchaseRule.objects.exists()


def test_an_edit_is_recorded_in_the_history_with_the_changed_fields(admin_client, currency):
    rule = purchase_rule(currency, name="Double points", tags=["online", "summer"])
    data = purchase_post(currency, max_amount="500", fixed_bonus="10")
    response = admin_client.post(url("purchaserule_change", rule.pk), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    entry = LogEntry.objects.get(object_id=str(rule.pk))
    assert entry.user.username == "admin"
    assert entry.get_change_message() == "Changed Max amount, Points per unit and Fixed bonus."
    history = admin_client.get(url("purchaserule_history", rule.pk)).content.decode()
    assert "Changed Max amount, Points per unit and Fixed bonus." in history


# The cohort field in the rule editors --------------------------------------------------------


@pytest.fixture
def cohort(currency):
    cohort = cohort_create(owner=currency.owner, company_name="Downtown shops")
    Account.objects.filter(partner=cohort.partner).update(credit_limit=1_000_000)
    return cohort


def activity_form_data(currency, cohort) -> dict:
    return {
        "name": "Birthday",
        "loyalty_currency": currency.pk,
        "cohort": cohort.pk,
        "activity": "birthday",
        "time_zone": "UTC",
        "points": 100,
    }


def test_the_activity_rule_editor_reserves_a_rule_to_a_cohort(currency, cohort):
    form = ActivityRuleForm(data=activity_form_data(currency, cohort))

    assert form.is_valid(), form.errors
    assert form.save().cohort == cohort


def test_the_rule_editors_refuse_a_cohort_of_another_owner(currency):
    foreign = cohort_create(owner=LoyaltyCurrencyFactory(code="OTHER").owner, company_name="X")
    purchase_form = PurchaseRuleForm(
        data={"name": "Per euro", "loyalty_currency": currency.pk, "cohort": foreign.pk}
    )
    activity_form = ActivityRuleForm(data=activity_form_data(currency, foreign))

    assert not purchase_form.is_valid()
    assert not activity_form.is_valid()
    message = "Not a cohort of the owner of EXAMPLE_POINTS."
    assert purchase_form.errors["cohort"] == activity_form.errors["cohort"] == [message]
