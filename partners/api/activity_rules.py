"""Activity rules (contract operations 7 and 8): simulate and trigger.

The contract's responses for both are empty stubs; we answer with the full shapes it defines but
does not use (ActivityRuleSimulationResponse, ActivityRuleTriggerResponse), and simulate adds
`not_fired` so a partner sees why a rule of the requested activities would not pay.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from loyalty.selectors import currency_get
from loyalty.services import activity_rules as services
from partners.api.exceptions import ERROR_RESPONSES
from partners.api.fields import (
    FutureDateTimeField,
    JSONObjectField,
    MemberIdentifiersField,
    MetadataField,
)
from partners.api.transactions import TransactionSerializer, transaction_data
from partners.api.views import PartnerAPIView


class ActivityIdField(serializers.CharField):
    """An activity identifier such as birthday: a JSON string (DRF would turn 5 into "5")."""

    default_error_messages = {"invalid": "Not a valid string."}

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 64)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class ActivityRuleSimulationRequest(serializers.Serializer):
    activity_ids = serializers.ListField(child=ActivityIdField(), allow_empty=False)
    loyalty_currency = serializers.CharField(max_length=64)
    member = MemberIdentifiersField()
    loyalty_system_data = JSONObjectField(required=False)


class ActivityRuleTriggerRequest(ActivityRuleSimulationRequest):
    external_reference = serializers.CharField(required=False, allow_blank=True, max_length=255)
    metadata = MetadataField(required=False)
    release_date = FutureDateTimeField(required=False)


class ActivityRuleSerializer(serializers.Serializer):
    """The contract's ActivityRule: {id, name}."""

    id = serializers.CharField(source="public_id")
    name = serializers.CharField()

    class Meta:
        ref_name = "ActivityRule"


class ActivityRuleReasonSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()

    class Meta:
        ref_name = "ActivityRuleReason"


class ActivityRuleIssuedSerializer(serializers.Serializer):
    amount_issued = serializers.IntegerField(source="outcome.points")
    rule = ActivityRuleSerializer()

    class Meta:
        ref_name = "ActivityRuleIssued"


class ActivityRuleNotFiredSerializer(serializers.Serializer):
    rule = ActivityRuleSerializer()
    reasons = ActivityRuleReasonSerializer(source="outcome.reasons", many=True)

    class Meta:
        ref_name = "ActivityRuleNotFired"


class ActivityRuleSimulationResponse(serializers.Serializer):
    total = serializers.IntegerField()
    rules = ActivityRuleIssuedSerializer(source="fired", many=True)
    not_fired = ActivityRuleNotFiredSerializer(
        many=True, help_text="Rules of the requested activities that would not pay, and why."
    )


class ActivityRuleTriggeredSerializer(ActivityRuleIssuedSerializer):
    transaction = TransactionSerializer()

    class Meta:
        ref_name = "ActivityRuleTriggered"


class ActivityRuleTriggerResponse(serializers.Serializer):
    total = serializers.IntegerField()
    transactions = TransactionSerializer(many=True)
    rules = ActivityRuleTriggeredSerializer(source="fired", many=True)


def trigger_body(run) -> dict:
    """ActivityRuleTriggerResponse of a trigger's run, built directly as transaction_data
    builds a Transaction: the same JSON as the serializer above (which documents it; a test
    holds the two equal), at a fraction of the cost."""
    return {
        "total": int(run.total),
        "transactions": [transaction_data(tx) for tx in run.transactions],
        "rules": [
            {
                "amount_issued": int(result.outcome.points),
                "rule": {"id": result.rule.public_id, "name": str(result.rule.name)},
                "transaction": transaction_data(result.transaction),
            }
            for result in run.fired
        ],
    }


class ActivityRulesSimulateView(PartnerAPIView):
    @extend_schema(
        operation_id="ActivityRules_simulateRuleExecution",
        tags=["Activity rules"],
        summary="Simulate an activity rule",
        description="What a trigger with the same input would pay now; nothing is written. An "
        "activity id no rule rewards is not an error: it fires nothing.",
        request=ActivityRuleSimulationRequest,
        responses={200: ActivityRuleSimulationResponse, **ERROR_RESPONSES},
    )
    def post(self, request):
        """Simulate the rules of the requested activities; an unknown activity fires nothing."""
        data = self.validated(ActivityRuleSimulationRequest)
        run = services.activity_rules_simulate(
            partner=self.partner,
            loyalty_currency=currency_get(code=data["loyalty_currency"]),
            member_identifiers=data["member"],
            activity_ids=data["activity_ids"],
        )
        return Response(ActivityRuleSimulationResponse(run).data)


class ActivityRulesTriggerView(PartnerAPIView):
    @extend_schema(
        operation_id="ActivityRules_triggerRule",
        tags=["Activity rules"],
        summary="Trigger an activity rule",
        description="One accrual (sub-type activity_rule) per rule that fires, from your issuing "
        "account; pending until release_date when one is given. An activity id no rule rewards "
        "fires nothing.",
        request=ActivityRuleTriggerRequest,
        responses={200: ActivityRuleTriggerResponse, **ERROR_RESPONSES},
    )
    def post(self, request):
        """Pay the requested activities' rules that fire; an unknown activity fires nothing."""
        data = self.validated(ActivityRuleTriggerRequest)
        details = {
            key: data[key]
            for key in ("external_reference", "loyalty_system_data", "metadata")
            if key in data
        }
        run = services.activity_rules_trigger(
            partner=self.partner,
            loyalty_currency=currency_get(code=data["loyalty_currency"]),
            member_identifiers=data["member"],
            activity_ids=data["activity_ids"],
            release_date=data.get("release_date"),
            **details,
        )
        return Response(trigger_body(run))
