"""Purchase rules (contract operations 2-6): simulate, trigger, read, retrigger and cancel.

Beyond the contract, a simulation also lists the rules that did not fire with the reasons
(`not_fired`), so a partner can tell a customer what would have earned more; and an execution
carries its `status`, worked out from its transactions.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from loyalty.models import (
    ExecutionMode,
    ExecutionStatus,
    TransactionStatus,
)
from loyalty.selectors import (
    ExecutionRecord,
    currency_get,
    execution_record,
    purchase_rule_execution_get,
)
from loyalty.services import purchase_rules as services
from partners.api.exceptions import ERROR_RESPONSES
from partners.api.fields import (
    FutureDateTimeField,
    JSONObjectField,
    MemberIdentifiersField,
    MetadataField,
)
from partners.api.transactions import TransactionSerializer, transaction_data
from partners.api.views import PartnerAPIView

TAG = "Purchase rules"


class PurchaseRuleSimulationRequest(serializers.Serializer):
    fiat_amount = serializers.DecimalField(max_digits=20, decimal_places=4)
    fiat_currency = serializers.RegexField(r"^[A-Z]{3}$", max_length=3)
    loyalty_currency = serializers.CharField(max_length=64)
    loyalty_system_data = JSONObjectField(required=False)
    member = MemberIdentifiersField(required=False)
    metadata = MetadataField(required=False, help_text="Matched against the rules' metadata.")
    tags = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False, max_length=100
    )

    def validate_fiat_amount(self, value):
        if value <= 0:
            raise serializers.ValidationError("The purchase amount must be greater than zero.")
        return value


class PurchaseRuleTriggerRequest(PurchaseRuleSimulationRequest):
    member = MemberIdentifiersField()
    external_reference = serializers.CharField(required=False, allow_blank=True, max_length=255)
    preferred_execution_mode = serializers.ChoiceField(choices=ExecutionMode.values, required=False)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=255)
    release_date = FutureDateTimeField(required=False)


class PurchaseRuleExecutionRetriggerRequest(serializers.Serializer):
    """The updated booking: it replaces the execution's amount, currency, tags, metadata and
    reason; release_date and loyalty_system_data change only when given."""

    fiat_amount = serializers.DecimalField(max_digits=20, decimal_places=4)
    fiat_currency = serializers.RegexField(r"^[A-Z]{3}$", max_length=3)
    loyalty_system_data = JSONObjectField(required=False)
    metadata = MetadataField(required=False, help_text="Matched against the rules' metadata.")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=255)
    release_date = FutureDateTimeField(required=False)
    tags = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False, max_length=100
    )

    validate_fiat_amount = PurchaseRuleSimulationRequest.validate_fiat_amount


class PurchaseRuleSerializer(serializers.Serializer):
    id = serializers.CharField(source="public_id")
    name = serializers.CharField()


class ReasonSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class SimulatedRuleSerializer(serializers.Serializer):
    amount_issued = serializers.IntegerField(source="points")
    rule = PurchaseRuleSerializer()


class NotFiredRuleSerializer(serializers.Serializer):
    rule = PurchaseRuleSerializer()
    reasons = ReasonSerializer(many=True)


class PurchaseRuleSimulationResponse(serializers.Serializer):
    total = serializers.IntegerField()
    rules = SimulatedRuleSerializer(many=True, source="fired")
    not_fired = NotFiredRuleSerializer(
        many=True, help_text="Beyond the contract: the rules that did not fire, and why."
    )


class TriggeredRuleSerializer(serializers.Serializer):
    amount_issued = serializers.IntegerField(source="points")
    rule = PurchaseRuleSerializer(source="purchase_rule")
    transaction = TransactionSerializer()


class PurchaseRuleTriggerResponse(serializers.Serializer):
    """The contract's PurchaseRuleTriggerResponse; also the body of an execution read back."""

    id = serializers.CharField()
    status = serializers.ChoiceField(
        choices=ExecutionStatus.choices,
        help_text="Beyond the contract: pending while a transaction is pending, completed once "
        "units were released (or when no rule fired), cancelled when none were issued.",
    )
    total = serializers.IntegerField(help_text="Units issued by the transactions not cancelled.")
    transactions = TransactionSerializer(many=True)
    rules = TriggeredRuleSerializer(many=True)


def execution_body(record: ExecutionRecord) -> dict:
    """The contract's PurchaseRuleTriggerResponse of an execution and what it wrote, built
    directly as transaction_data builds a Transaction: the same JSON as the serializer above
    (which documents it), at a fraction of the cost (a test holds the two equal)."""
    transactions = record.transactions
    return {
        "id": record.execution.public_id,
        "status": str(
            services.execution_status(
                stored=record.execution.status,
                transaction_statuses=[tx.status for tx in transactions],
            )
        ),
        "total": sum(tx.amount for tx in transactions if tx.status != TransactionStatus.CANCELLED),
        "transactions": [transaction_data(tx) for tx in transactions],
        "rules": [
            {
                "amount_issued": award.points,
                "rule": {"id": award.purchase_rule.public_id, "name": award.purchase_rule.name},
                "transaction": transaction_data(award.transaction),
            }
            for award in record.awards
        ],
    }


def purchase_booking(data: dict) -> dict:
    """The purchase itself from a validated request, as the purchase-rule services take it
    (shared with the cohort operations)."""
    return {
        "fiat_amount": data["fiat_amount"],
        "fiat_currency": data["fiat_currency"],
        "tags": frozenset(data.get("tags", ())),
        "metadata": data.get("metadata"),
    }


def trigger_arguments(data: dict) -> dict:
    """Everything a trigger request asks the purchase-rule services for, the currency looked up
    (shared with the cohort's execute)."""
    return {
        "loyalty_currency": currency_get(code=data["loyalty_currency"]),
        "member": data["member"],
        "preferred_execution_mode": data.get("preferred_execution_mode"),
        "reason": data.get("reason", ""),
        "release_date": data.get("release_date"),
        "external_reference": data.get("external_reference", ""),
        "loyalty_system_data": data.get("loyalty_system_data"),
        **purchase_booking(data),
    }


class PurchaseRuleSimulateView(PartnerAPIView):
    @extend_schema(
        operation_id="PurchaseRules_simulatePurchaseRules",
        tags=[TAG],
        summary="Simulate a purchase",
        request=PurchaseRuleSimulationRequest,
        responses={200: PurchaseRuleSimulationResponse, **ERROR_RESPONSES},
    )
    def post(self, request):
        data = self.validated(PurchaseRuleSimulationRequest)
        evaluation = services.purchase_rules_simulate(
            partner=self.partner,
            loyalty_currency=currency_get(code=data["loyalty_currency"]),
            member=data.get("member"),
            **purchase_booking(data),
        )
        return Response(PurchaseRuleSimulationResponse(evaluation).data)


class PurchaseRuleTriggerView(PartnerAPIView):
    @extend_schema(
        operation_id="PurchaseRules_triggerLoyaltyRules",
        tags=[TAG],
        summary="Trigger a purchase",
        request=PurchaseRuleTriggerRequest,
        responses={200: PurchaseRuleTriggerResponse, **ERROR_RESPONSES},
    )
    def post(self, request):
        data = self.validated(PurchaseRuleTriggerRequest)
        record = services.purchase_rules_trigger(partner=self.partner, **trigger_arguments(data))
        return Response(execution_body(record))


class PurchaseRuleExecutionView(PartnerAPIView):
    @extend_schema(
        operation_id="PurchaseRules_getExecution",
        tags=[TAG],
        summary="Retrieve a purchase rule execution",
        responses={200: PurchaseRuleTriggerResponse, **ERROR_RESPONSES},
    )
    def get(self, request, id):
        execution = purchase_rule_execution_get(partner=self.partner, public_id=id)
        return Response(execution_body(execution_record(execution)))


class PurchaseRuleExecutionRetriggerView(PartnerAPIView):
    @extend_schema(
        operation_id="PurchaseRules_retriggerExecution",
        tags=[TAG],
        summary="Retrigger a purchase rule execution (only if pending)",
        request=PurchaseRuleExecutionRetriggerRequest,
        responses={200: PurchaseRuleTriggerResponse, **ERROR_RESPONSES},
    )
    def post(self, request, id):
        execution = purchase_rule_execution_get(partner=self.partner, public_id=id)
        data = self.validated(PurchaseRuleExecutionRetriggerRequest)
        execution = services.purchase_rules_retrigger(
            partner=self.partner,
            execution=execution,
            reason=data.get("reason", ""),
            release_date=data.get("release_date"),
            loyalty_system_data=data.get("loyalty_system_data"),
            **purchase_booking(data),
        )
        return Response(execution_body(execution_record(execution)))


class PurchaseRuleExecutionCancelView(PartnerAPIView):
    @extend_schema(
        operation_id="PurchaseRules_cancelExecution",
        tags=[TAG],
        summary="Cancel a purchase rule execution (only if pending)",
        request=None,
        responses={200: PurchaseRuleTriggerResponse, **ERROR_RESPONSES},
    )
    def post(self, request, id):
        execution = purchase_rule_execution_get(partner=self.partner, public_id=id)
        execution = services.purchase_rule_execution_cancel(execution=execution)
        return Response(execution_body(execution_record(execution)))
