"""Loyalty currencies and tiers in the admin (loyalty.admin.currencies)."""

from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from loyalty.models import LoyaltyCurrency, Member
from loyalty.selectors import member_account, mint_account
from tests.factories import MemberFactory, PartnerFactory
from tests.loyalty.admin.helpers import url
from tests.loyalty.helpers import accrue


def test_adding_a_currency_creates_its_mint_and_tiers(admin_client):
    owner = PartnerFactory()
    response = admin_client.post(
        url("loyaltycurrency_add"),
        {
            "code": "SKY_MILES",
            "name": "Sky Miles",
            "owner": owner.pk,
            "is_hosted": "on",
            "fiat_currency": "USD",
            "base_economic_value": "0.01",
            "customers_perceived_value": "0.012",
            "issuing_partners_cost": "0.008",
            "default_rounding": "bankers_rounding",
            "tier_window_days": "365",
            "expiry_policy": "months",
            "expiry_period": "36",
            "expiry_rounding": "end_of_year",
            "tiers-TOTAL_FORMS": "1",
            "tiers-INITIAL_FORMS": "0",
            "tiers-0-code": "silver",
            "tiers-0-name": "Silver",
            "tiers-0-level": "1",
            "tiers-0-threshold": "5000",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    currency = LoyaltyCurrency.objects.get(code="SKY_MILES")
    mint = mint_account(loyalty_currency=currency)
    assert (mint.partner, mint.credit_limit) == (owner, None)
    assert [t.code for t in currency.tiers.all()] == ["silver"]
    assert (currency.expiry_policy, currency.expiry_period) == ("months", 36)


def test_admin_action_recomputes_and_reports_the_changes(admin_client, tiers, currency):
    for amount in (10, 1_000, 6_000):
        accrue(
            member_account(member=MemberFactory(loyalty_currency=currency)),
            amount,
            at=timezone.now(),
        )
    response = admin_client.post(
        reverse("admin:loyalty_loyaltycurrency_changelist"),
        {"action": "recompute_tiers", "index": 0, "_selected_action": [currency.pk]},
    )
    assert response.status_code == 302
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert messages == [f"{currency.code}: 3 of 3 member(s) changed tier."]
    assert sorted(Member.objects.values_list("tier__code", flat=True)) == [
        "gold",
        "platinum",
        "silver",
    ]


def test_currencies_tiers_and_partners_have_no_delete_button_and_say_why(
    admin_client, currency, tier, partner
):
    for model, obj in (("loyaltycurrency", currency), ("tier", tier), ("partner", partner)):
        page = admin_client.get(url(f"{model}_change", obj.pk))
        html = page.content.decode()
        assert not page.context["has_delete_permission"], model
        assert url(f"{model}_delete", obj.pk) not in html, model
        assert "Why there is no Delete button" in html, model
        assert admin_client.post(url(f"{model}_delete", obj.pk), {"post": "yes"}).status_code == 403
