"""A cohort's own rule runs: purchase and activity simulate/execute on behalf of one cohort.

The currency owner runs them for its cohort. They are the ordinary purchase and activity rule
services with the cohort passed on, so the rules are those with no cohort or this cohort, less
the ones the cohort switched off, and the points come from the cohort's own default account: a
cohort without the credit to issue them is refused by the ledger like any partner.

Only the owner of the request's currency may run it for its cohorts (a 403 otherwise): a
cohort's rules are the rules of the currencies its owner owns.
"""

from collections.abc import Sequence
from typing import Any

from loyalty.models import Cohort, LoyaltyCurrency, Partner
from loyalty.selectors import ExecutionRecord
from loyalty.services import activity_rules, purchase_rules
from loyalty.services.activity_rules import ActivityRuleRun
from loyalty.services.partnerships import require_owner
from loyalty.services.purchase_rules import PurchaseEvaluation

ACTION = "run its cohorts' rules"


def cohort_purchase_simulate(
    *,
    owner: Partner,
    cohort: Cohort,
    loyalty_currency: LoyaltyCurrency,
    member: dict,
    **purchase: Any,
) -> PurchaseEvaluation:
    """What the cohort's execute would issue now for the member named by its identifiers;
    nothing is written. `purchase` is the booking (fiat_amount, fiat_currency, tags, metadata)
    as purchase_rules_simulate takes it."""
    require_owner(owner, loyalty_currency, action=ACTION)
    return purchase_rules.purchase_rules_simulate(
        partner=owner, loyalty_currency=loyalty_currency, member=member, cohort=cohort, **purchase
    )


def cohort_purchase_execute(
    *, owner: Partner, cohort: Cohort, loyalty_currency: LoyaltyCurrency, **trigger: Any
) -> ExecutionRecord:
    """Issue the cohort's fired purchase rules from its account; `trigger` is what
    purchase_rules_trigger takes besides the partner, currency and cohort."""
    require_owner(owner, loyalty_currency, action=ACTION)
    return purchase_rules.purchase_rules_trigger(
        partner=owner, loyalty_currency=loyalty_currency, cohort=cohort, **trigger
    )


def cohort_activity_simulate(
    *,
    owner: Partner,
    cohort: Cohort,
    loyalty_currency: LoyaltyCurrency,
    member_identifiers: dict,
    activity_ids: Sequence[str],
) -> ActivityRuleRun:
    """What the cohort's activity execute would pay now; nothing is written."""
    require_owner(owner, loyalty_currency, action=ACTION)
    return activity_rules.activity_rules_simulate(
        partner=owner,
        loyalty_currency=loyalty_currency,
        member_identifiers=member_identifiers,
        activity_ids=activity_ids,
        cohort=cohort,
    )


def cohort_activity_execute(
    *, owner: Partner, cohort: Cohort, loyalty_currency: LoyaltyCurrency, **trigger: Any
) -> ActivityRuleRun:
    """Pay the cohort's fired activity rules from its account; `trigger` is what
    activity_rules_trigger takes besides the partner, currency and cohort."""
    require_owner(owner, loyalty_currency, action=ACTION)
    return activity_rules.activity_rules_trigger(
        partner=owner, loyalty_currency=loyalty_currency, cohort=cohort, **trigger
    )
