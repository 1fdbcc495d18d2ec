"""A cohort's rule runs (contract operations 54, 55, 58 and 59): simulate and execute.

The currency owner runs them for one of its cohorts: the rules with no cohort or this cohort,
less those the cohort switched off, paid from the cohort's own default account. Scope is that
of the other cohort operations: 403 unless the caller owns a loyalty currency, 404 for a cohort
that is not its own.

The bodies are the contract's trigger requests, even for the simulations (whose extra fields,
such as release_date, change nothing). Responses: the purchase ones are those of the ordinary
purchase simulate and trigger; the contract's activity responses are empty stubs, so they are
the ordinary activity simulate and trigger answers (total, rules with amount_issued, the
transactions, and the rules that did not fire).
"""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from loyalty.api.activity_rules import (
    ActivityRuleSimulationResponse,
    ActivityRuleTriggerRequest,
    ActivityRuleTriggerResponse,
)
from loyalty.api.cohorts import COHORT_ID
from loyalty.api.purchase_rules import (
    PurchaseRuleSimulationResponse,
    PurchaseRuleTriggerRequest,
    PurchaseRuleTriggerResponse,
    execution_body,
    purchase_booking,
)
from loyalty.services import cohort_rules as services
from loyalty.services.cohorts import cohort_get
from partners import scope
from partners.api.errors import ERROR_RESPONSES
from partners.api.views import PartnerAPIView

ACTIVITY_DETAILS = ("external_reference", "loyalty_system_data", "metadata")


class CohortPurchaseSimulateView(PartnerAPIView):
    @extend_schema(
        operation_id="CohortPurchases_simulateExecution",
        tags=["Cohort Purchases"],
        summary="Simulate a purchase (cohort)",
        description="What execute would issue for the cohort now; nothing is written.",
        parameters=[COHORT_ID],
        request=PurchaseRuleTriggerRequest,
        responses={200: PurchaseRuleSimulationResponse, **ERROR_RESPONSES},
    )
    def post(self, request, cohort_id):
        cohort = cohort_get(owner=self.partner, cohort_id=cohort_id)
        data = self.validated(PurchaseRuleTriggerRequest)
        currency = scope.currency_get(code=data["loyalty_currency"])
        scope.require_owner(self.partner, currency, action=services.ACTION)
        member = scope.member_get(loyalty_currency=currency, identifiers=data["member"])
        evaluation = services.cohort_purchase_simulate(
            owner=self.partner,
            cohort=cohort,
            loyalty_currency=currency,
            member=member,
            **purchase_booking(data),
        )
        return Response(PurchaseRuleSimulationResponse(evaluation).data)


class CohortPurchaseExecuteView(PartnerAPIView):
    @extend_schema(
        operation_id="CohortPurchases_executeLoyaltyRulesMatching",
        tags=["Cohort Purchases"],
        summary="Execute a purchase (cohort)",
        description="Issues the points of the cohort's rules that fire from the cohort's "
        "default account; refused when that account lacks the funds or credit.",
        parameters=[COHORT_ID],
        request=PurchaseRuleTriggerRequest,
        responses={200: PurchaseRuleTriggerResponse, **ERROR_RESPONSES},
    )
    def post(self, request, cohort_id):
        cohort = cohort_get(owner=self.partner, cohort_id=cohort_id)
        data = self.validated(PurchaseRuleTriggerRequest)
        currency = scope.currency_get(code=data["loyalty_currency"])
        scope.require_owner(self.partner, currency, action=services.ACTION)
        member = scope.member_get(loyalty_currency=currency, identifiers=data["member"])
        execution = services.cohort_purchase_execute(
            owner=self.partner,
            cohort=cohort,
            loyalty_currency=currency,
            member=member,
            preferred_execution_mode=data.get("preferred_execution_mode"),
            reason=data.get("reason", ""),
            release_date=data.get("release_date"),
            external_reference=data.get("external_reference", ""),
            loyalty_system_data=data.get("loyalty_system_data"),
            **purchase_booking(data),
        )
        return Response(execution_body(execution))


class CohortActivitySimulateView(PartnerAPIView):
    @extend_schema(
        operation_id="CohortActivities_triggerLoyaltyRuleSimulation",
        tags=["Cohort Activities"],
        summary="Simulate an activity rule execution",
        description="What execute would pay for the cohort now; nothing is written. The "
        "contract's response is an empty stub: this is the activity simulation's answer.",
        parameters=[COHORT_ID],
        request=ActivityRuleTriggerRequest,
        responses={200: ActivityRuleSimulationResponse, **ERROR_RESPONSES},
    )
    def post(self, request, cohort_id):
        cohort = cohort_get(owner=self.partner, cohort_id=cohort_id)
        data = self.validated(ActivityRuleTriggerRequest)
        run = services.cohort_activity_simulate(
            owner=self.partner,
            cohort=cohort,
            loyalty_currency=scope.currency_get(code=data["loyalty_currency"]),
            member_identifiers=data["member"],
            activity_ids=data["activity_ids"],
        )
        return Response(ActivityRuleSimulationResponse(run).data)


class CohortActivityExecuteView(PartnerAPIView):
    @extend_schema(
        operation_id="CohortActivities_executeActivityRule",
        tags=["Cohort Activities"],
        summary="Execute an activity rule",
        description="One accrual per rule that fires, from the cohort's default account. The "
        "contract's response is an empty stub: this is the activity trigger's answer.",
        parameters=[COHORT_ID],
        request=ActivityRuleTriggerRequest,
        responses={200: ActivityRuleTriggerResponse, **ERROR_RESPONSES},
    )
    def post(self, request, cohort_id):
        cohort = cohort_get(owner=self.partner, cohort_id=cohort_id)
        data = self.validated(ActivityRuleTriggerRequest)
        run = services.cohort_activity_execute(
            owner=self.partner,
            cohort=cohort,
            loyalty_currency=scope.currency_get(code=data["loyalty_currency"]),
            member_identifiers=data["member"],
            activity_ids=data["activity_ids"],
            release_date=data.get("release_date"),
            **{key: data[key] for key in ACTIVITY_DETAILS if key in data},
        )
        return Response(ActivityRuleTriggerResponse(run).data)
