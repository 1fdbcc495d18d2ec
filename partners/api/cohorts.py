"""Cohorts (contract operations 48-60): a currency owner's groups of businesses, their accounts,
their rule switches and their own rule runs.

Scope: only a partner owning a loyalty currency has cohorts; any other partner gets 403 on every
operation here, including the list (an empty list would hide that the feature is not theirs). An
owner asking for a cohort or rule that is not its own gets 404.

The rule shapes add `enabled` to the contract's CohortPurchaseRule and CohortActivityRule: whether
the rule runs for this cohort (the rule is enabled and the cohort has not switched it off), so
that the answer to a PATCH shows its effect. The rule lists return the contract's envelope and,
unlike the contract, document `page` and `page_size`, since they page like every other list.

A cohort's rule runs (operations 54, 55, 58, 59: simulate and execute) are the ordinary purchase
and activity operations run for the cohort: the rules with no cohort or this cohort, less those
the cohort switched off, paid from the cohort's own default account. Their bodies are the
contract's trigger requests, even for the simulations (whose extra fields, such as
release_date, change nothing). The purchase responses are those of the ordinary purchase
simulate and trigger; the contract's activity responses are empty stubs, so they are the
ordinary activity simulate and trigger answers.
"""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from loyalty.models import Account, ActivityRule, Cohort, CohortStatus, PurchaseRule
from loyalty.selectors import (
    CohortRuleKind,
    cohort_accounts,
    cohort_rule_get,
    cohort_rules,
    currency_get,
)
from loyalty.services import cohort_rules as runs
from loyalty.services import cohorts as services
from partners.api.activity_rules import (
    ActivityRuleSimulationResponse,
    ActivityRuleTriggerRequest,
    ActivityRuleTriggerResponse,
    trigger_body,
)
from partners.api.exceptions import ERROR_RESPONSES
from partners.api.purchase_rules import (
    PurchaseRuleSimulationResponse,
    PurchaseRuleTriggerRequest,
    PurchaseRuleTriggerResponse,
    execution_body,
    purchase_booking,
    trigger_arguments,
)
from partners.api.views import PartnerAPIView

ACTIVITY_DETAILS = ("external_reference", "loyalty_system_data", "metadata")
COHORT_ID = OpenApiParameter("cohort_id", str, OpenApiParameter.PATH, description="Cohort id.")
RULE_ID = OpenApiParameter("rule_id", str, OpenApiParameter.PATH, description="Loyalty rule id.")


class CohortSerializer(serializers.Serializer):
    api_identifier = serializers.CharField(
        source="partner.api_identifier", help_text="Deprecated: use id."
    )
    id = serializers.CharField(source="partner.public_id")
    company_name = serializers.CharField(source="partner.company_name")
    # A plain string here: the request's `status` carries the enum, and one enum in two
    # components would need a settings-wide name override.
    status = serializers.CharField(help_text="enabled or disabled.")

    class Meta:
        ref_name = "Cohort"


class CohortCreateUpdateRequest(serializers.Serializer):
    company_name = serializers.CharField(max_length=200)
    status = serializers.ChoiceField(choices=CohortStatus.choices, required=False)


class AccountOwnerSerializer(serializers.Serializer):
    id = serializers.SerializerMethodField()
    type = serializers.ChoiceField(choices=["partner", "member"], source="owner_type")

    class Meta:
        ref_name = "DeprecatedAccountOwner"

    def get_id(self, account) -> str:
        return account.partner.public_id


class DeprecatedAccountSerializer(serializers.Serializer):
    id = serializers.CharField(source="public_id")
    balance = serializers.IntegerField()
    loyalty_currency = serializers.CharField(source="loyalty_currency.code")
    owner = AccountOwnerSerializer(source="*")

    class Meta:
        ref_name = "DeprecatedAccount"


class CohortRuleSerializer(serializers.Serializer):
    id = serializers.CharField(source="public_id")
    loyalty_currency = serializers.CharField(source="loyalty_currency.code")
    name = serializers.CharField()
    reason = serializers.CharField()
    enabled = serializers.BooleanField(
        source="enabled_for_cohort", help_text="Whether the rule runs for this cohort."
    )


class CohortPurchaseRuleSerializer(CohortRuleSerializer):
    tags = serializers.ListField(child=serializers.CharField())

    class Meta:
        ref_name = "CohortPurchaseRule"


class CohortActivityRuleSerializer(CohortRuleSerializer):
    activity_identifier = serializers.CharField(source="activity")

    class Meta:
        ref_name = "CohortActivityRule"


class CohortRuleUpdateRequest(serializers.Serializer):
    enabled = serializers.BooleanField(
        required=False, help_text="Run the rule for this cohort (true) or not (false)."
    )


class CohortPurchaseRuleUpdateRequest(CohortRuleUpdateRequest):
    class Meta:
        ref_name = "CohortPurchaseRuleUpdateRequest"


class CohortActivityRuleUpdateRequest(CohortRuleUpdateRequest):
    class Meta:
        ref_name = "CohortActivityRuleUpdateRequest"


class CohortsView(PartnerAPIView):
    queryset = Cohort.objects.none()  # names the model for the schema

    @extend_schema(
        operation_id="Cohorts_getList",
        tags=["Cohorts"],
        summary="List cohorts",
        description="Your cohorts; 403 unless you own a loyalty currency.",
        responses={200: CohortSerializer(many=True), **ERROR_RESPONSES},
    )
    def get(self, request):
        page = self.paginate_queryset(services.owner_cohorts(owner=self.partner))
        return self.get_paginated_response(CohortSerializer(page, many=True).data)

    @extend_schema(
        operation_id="Cohorts_createCohort",
        tags=["Cohorts"],
        summary="Create a cohort (Loyalty Currency owners only)",
        description="Creates the cohort and its default account in each currency you own. "
        "Answers 200, as the contract says.",
        request=CohortCreateUpdateRequest,
        responses={200: CohortSerializer, **ERROR_RESPONSES},
    )
    def post(self, request):
        data = self.validated(CohortCreateUpdateRequest)
        cohort = services.cohort_create(owner=self.partner, **data)
        return Response(CohortSerializer(cohort).data)


class CohortDetailView(PartnerAPIView):
    @extend_schema(
        operation_id="Cohorts_getCohort",
        tags=["Cohorts"],
        summary="Retrieve a cohort.",
        parameters=[COHORT_ID],
        responses={200: CohortSerializer, **ERROR_RESPONSES},
    )
    def get(self, request, cohort_id):
        cohort = services.owner_cohort_get(owner=self.partner, cohort_id=cohort_id)
        return Response(CohortSerializer(cohort).data)

    @extend_schema(
        operation_id="Cohorts_updateCohortInformation",
        tags=["Cohorts"],
        summary="Update a cohort",
        description="Renames the cohort and, when status is given, enables or disables it.",
        parameters=[COHORT_ID],
        request=CohortCreateUpdateRequest,
        responses={200: CohortSerializer, **ERROR_RESPONSES},
    )
    def patch(self, request, cohort_id):
        cohort = services.owner_cohort_get(owner=self.partner, cohort_id=cohort_id)
        data = self.validated(CohortCreateUpdateRequest)
        cohort = services.cohort_update(cohort=cohort, by=self.partner, **data)
        return Response(CohortSerializer(cohort).data)


class CohortAccountsView(PartnerAPIView):
    queryset = Account.objects.none()  # names the model for the schema

    @extend_schema(
        operation_id="CohortAccounts_listAccounts",
        tags=["Cohort Accounts"],
        summary="List a cohort's accounts",
        parameters=[COHORT_ID],
        responses={200: DeprecatedAccountSerializer(many=True), **ERROR_RESPONSES},
    )
    def get(self, request, cohort_id):
        cohort = services.owner_cohort_get(owner=self.partner, cohort_id=cohort_id)
        accounts = cohort_accounts(cohort=cohort).order_by("id")
        page = self.paginate_queryset(accounts)
        for account in page:
            account.partner = cohort.partner
        return self.get_paginated_response(DeprecatedAccountSerializer(page, many=True).data)


class CohortRuleListView(PartnerAPIView):
    kind: CohortRuleKind
    item: type[CohortRuleSerializer]

    def get(self, request, cohort_id):
        cohort = services.owner_cohort_get(owner=self.partner, cohort_id=cohort_id)
        page = self.paginate_queryset(cohort_rules(cohort=cohort, kind=self.kind))
        return self.get_paginated_response(self.item(page, many=True).data)


class CohortRuleDetailView(PartnerAPIView):
    kind: CohortRuleKind
    item: type[CohortRuleSerializer]
    request_serializer: type[CohortRuleUpdateRequest]

    def patch(self, request, cohort_id, rule_id):
        cohort = services.owner_cohort_get(owner=self.partner, cohort_id=cohort_id)
        rule = cohort_rule_get(cohort=cohort, kind=self.kind, rule_id=rule_id)
        data = self.validated(self.request_serializer)
        if "enabled" in data:
            rule = services.cohort_rule_switch(
                cohort=cohort, kind=self.kind, rule=rule, by=self.partner, enabled=data["enabled"]
            )
        return Response(self.item(rule).data)


class CohortPurchaseRulesView(CohortRuleListView):
    queryset = PurchaseRule.objects.none()  # names the model for the schema
    kind, item = services.PURCHASE, CohortPurchaseRuleSerializer

    @extend_schema(
        operation_id="CohortPurchases_listLoyaltyRules",
        tags=["Cohort Purchases"],
        summary="List a cohort's purchase loyalty rules",
        parameters=[COHORT_ID],
        responses={200: CohortPurchaseRuleSerializer(many=True), **ERROR_RESPONSES},
    )
    def get(self, request, cohort_id):
        return super().get(request, cohort_id)


class CohortPurchaseRuleView(CohortRuleDetailView):
    kind, item = services.PURCHASE, CohortPurchaseRuleSerializer
    request_serializer = CohortPurchaseRuleUpdateRequest

    @extend_schema(
        operation_id="CohortPurchases_updateLoyaltyRule",
        tags=["Cohort Purchases"],
        summary="Update a cohort's purchase loyalty rule",
        description="Switches the rule on or off for this cohort only.",
        parameters=[COHORT_ID, RULE_ID],
        request=CohortPurchaseRuleUpdateRequest,
        responses={200: CohortPurchaseRuleSerializer, **ERROR_RESPONSES},
    )
    def patch(self, request, cohort_id, rule_id):
        return super().patch(request, cohort_id, rule_id)


class CohortActivityRulesView(CohortRuleListView):
    queryset = ActivityRule.objects.none()  # names the model for the schema
    kind, item = services.ACTIVITY, CohortActivityRuleSerializer

    @extend_schema(
        operation_id="CohortActivities_listActivityLoyaltyRules",
        tags=["Cohort Activities"],
        summary="List a cohort's activity loyalty rules",
        parameters=[COHORT_ID],
        responses={200: CohortActivityRuleSerializer(many=True), **ERROR_RESPONSES},
    )
    def get(self, request, cohort_id):
        return super().get(request, cohort_id)


class CohortActivityRuleView(CohortRuleDetailView):
    kind, item = services.ACTIVITY, CohortActivityRuleSerializer
    request_serializer = CohortActivityRuleUpdateRequest

    @extend_schema(
        operation_id="CohortActivities_updateRule",
        tags=["Cohort Activities"],
        summary="Update a cohort's activity loyalty rule",
        description="Switches the rule on or off for this cohort only.",
        parameters=[COHORT_ID, RULE_ID],
        request=CohortActivityRuleUpdateRequest,
        responses={200: CohortActivityRuleSerializer, **ERROR_RESPONSES},
    )
    def patch(self, request, cohort_id, rule_id):
        return super().patch(request, cohort_id, rule_id)


# Rule runs ---------------------------------------------------------------------------------


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
        cohort = services.owner_cohort_get(owner=self.partner, cohort_id=cohort_id)
        data = self.validated(PurchaseRuleTriggerRequest)
        evaluation = runs.cohort_purchase_simulate(
            owner=self.partner,
            cohort=cohort,
            loyalty_currency=currency_get(code=data["loyalty_currency"]),
            member=data["member"],
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
        cohort = services.owner_cohort_get(owner=self.partner, cohort_id=cohort_id)
        data = self.validated(PurchaseRuleTriggerRequest)
        record = runs.cohort_purchase_execute(
            owner=self.partner, cohort=cohort, **trigger_arguments(data)
        )
        return Response(execution_body(record))


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
        cohort = services.owner_cohort_get(owner=self.partner, cohort_id=cohort_id)
        data = self.validated(ActivityRuleTriggerRequest)
        run = runs.cohort_activity_simulate(
            owner=self.partner,
            cohort=cohort,
            loyalty_currency=currency_get(code=data["loyalty_currency"]),
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
        cohort = services.owner_cohort_get(owner=self.partner, cohort_id=cohort_id)
        data = self.validated(ActivityRuleTriggerRequest)
        run = runs.cohort_activity_execute(
            owner=self.partner,
            cohort=cohort,
            loyalty_currency=currency_get(code=data["loyalty_currency"]),
            member_identifiers=data["member"],
            activity_ids=data["activity_ids"],
            release_date=data.get("release_date"),
            **{key: data[key] for key in ACTIVITY_DETAILS if key in data},
        )
        return Response(trigger_body(run))
