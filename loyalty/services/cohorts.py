"""Cohorts managed by a currency owner through the partner API.

Only a partner that owns a loyalty currency has cohorts (others are refused with a 403); an owner
asking for a cohort that is not its own gets a 404, as if it did not exist. Every change is
written to CohortChange in the same transaction as the change itself.

A cohort's rules are the purchase or activity rules of the currencies its owner owns, except
rules reserved to another cohort. A rule is enabled for a cohort when the rule itself is enabled
and the cohort has not switched it off: a cohort can only narrow what staff enabled.
"""

from django.db import transaction
from django.db.models import QuerySet

from loyalty.models import (
    ActivityRule,
    Cohort,
    CohortChange,
    CohortChangeAction,
    CohortRuleSetting,
    CohortStatus,
    LoyaltyCurrency,
    Partner,
    PartnerStatus,
    PurchaseRule,
)
from loyalty.selectors import CohortRuleKind, cohort_get, cohorts_of
from loyalty.services.accounts import partner_account_get_or_create
from loyalty.services.partnerships import require_currency_owner

PARTNER_STATUS = {
    CohortStatus.ENABLED: PartnerStatus.ACTIVE,
    CohortStatus.DISABLED: PartnerStatus.SUSPENDED,
}
PURCHASE = CohortRuleKind(PurchaseRule, "purchase_rule", CohortChangeAction.PURCHASE_RULE)
ACTIVITY = CohortRuleKind(ActivityRule, "activity_rule", CohortChangeAction.ACTIVITY_RULE)


def owner_cohorts(*, owner: Partner) -> QuerySet[Cohort]:
    """The caller's cohorts; a partner owning no currency has none and is refused (403)."""
    require_currency_owner(owner)
    return cohorts_of(owner=owner)


def owner_cohort_get(*, owner: Partner, cohort_id: str) -> Cohort:
    """One of the caller's cohorts (403 for a non-owner, 404 for a cohort not its own)."""
    require_currency_owner(owner)
    return cohort_get(owner=owner, cohort_id=cohort_id)


def _record(
    *, cohort: Cohort, partner: Partner, action: str, changes: dict, rule_id: str = ""
) -> None:
    CohortChange.objects.create(
        cohort=cohort, partner=partner, action=action, changes=changes, rule_id=rule_id
    )


@transaction.atomic
def cohort_create(
    *, owner: Partner, company_name: str, status: str = CohortStatus.ENABLED
) -> Cohort:
    """A cohort, its partner row and its default account in each currency the owner owns."""
    require_currency_owner(owner)
    partner = Partner(company_name=company_name, status=PARTNER_STATUS[status])
    # The contract deprecates api_identifier; the cohort's id keeps the column unique.
    partner.api_identifier = partner.public_id
    partner.full_clean()
    partner.save()
    cohort = Cohort.objects.create(partner=partner, owner=owner)
    for currency in LoyaltyCurrency.objects.filter(owner=owner).order_by("id"):
        partner_account_get_or_create(partner=partner, loyalty_currency=currency)
    _record(
        cohort=cohort,
        partner=owner,
        action=CohortChangeAction.CREATED,
        changes={"company_name": [None, company_name], "status": [None, str(status)]},
    )
    return cohort


@transaction.atomic
def cohort_update(
    *, cohort: Cohort, by: Partner, company_name: str, status: str | None = None
) -> Cohort:
    """Rename the cohort and, when given, enable or disable it; records what changed."""
    partner = cohort.partner
    before = {"company_name": partner.company_name, "status": cohort.status}
    partner.company_name = company_name
    if status is not None:
        partner.status = PARTNER_STATUS[status]
    partner.full_clean()
    partner.save(update_fields=["company_name", "status"])
    after = {"company_name": partner.company_name, "status": cohort.status}
    changes = {key: [before[key], after[key]] for key in before if before[key] != after[key]}
    if changes:
        _record(cohort=cohort, partner=by, action=CohortChangeAction.UPDATED, changes=changes)
    return cohort


@transaction.atomic
def cohort_rule_switch(*, cohort: Cohort, kind: CohortRuleKind, rule, by: Partner, enabled: bool):
    """Switch `rule` on or off for the cohort only; records the switch when it moves."""
    setting, created = CohortRuleSetting.objects.select_for_update().get_or_create(
        cohort=cohort, **{kind.setting_field: rule}, defaults={"enabled": enabled}
    )
    before = True if created else setting.enabled
    if setting.enabled != enabled:
        setting.enabled = enabled
        setting.save(update_fields=["enabled"])
    if before != enabled:
        _record(
            cohort=cohort,
            partner=by,
            action=kind.action,
            rule_id=rule.public_id,
            changes={"enabled": [before, enabled]},
        )
    rule.enabled_for_cohort = rule.enabled and enabled
    return rule
