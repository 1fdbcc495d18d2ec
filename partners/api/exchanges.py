"""Exchanges (contract operations 9-12): simulate and execute an exchange between loyalty
currencies, plainly or through the member's linked account in the other programme.

An exchange into a partner programme answers with the destination transaction
`pending_external_approval`; its credit is delivered after the commit (partners.connectors).
"""

from drf_spectacular.utils import OpenApiExample, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from loyalty.errors import DomainError
from loyalty.services import exchanges as services
from partners.api.exceptions import ERROR_RESPONSES
from partners.api.fields import JSONObjectField, MemberIdentifiersField, PositiveAmountField
from partners.api.members import MemberVariants
from partners.api.transactions import TransactionSerializer, transaction_data
from partners.api.views import PartnerAPIView
from partners.connectors.delivery import deliver_after_commit

TAG = "Exchanges"
_CODE = {"max_length": 64}

# Requests ------------------------------------------------------------------------------------


class ExchangeSimulationRequest(serializers.Serializer):
    amount = PositiveAmountField()
    origin_loyalty_currency = serializers.CharField(**_CODE)
    destination_loyalty_currency = serializers.CharField(
        required=False, allow_null=True, allow_blank=True, **_CODE
    )
    origin_member = MemberIdentifiersField(required=False)
    destination_member = MemberIdentifiersField(required=False)
    loyalty_system_data = JSONObjectField(required=False)


class ExchangeRequest(serializers.Serializer):
    amount = PositiveAmountField()
    origin_loyalty_currency = serializers.CharField(**_CODE)
    destination_loyalty_currency = serializers.CharField(**_CODE)
    origin_member = MemberIdentifiersField()
    destination_member = MemberIdentifiersField()
    external_reference = serializers.CharField(required=False, allow_blank=True, max_length=255)
    loyalty_system_data = JSONObjectField(required=False)


class ExchangeLinkedAccountOutSimulation(serializers.Serializer):
    amount = PositiveAmountField()
    origin_member = MemberIdentifiersField()
    loyalty_system_data = JSONObjectField(required=False)


class ExchangeLinkedAccountInSimulation(serializers.Serializer):
    amount = PositiveAmountField()
    destination_member = MemberIdentifiersField()
    loyalty_system_data = JSONObjectField(required=False)


class ExchangeLinkedAccountOut(ExchangeLinkedAccountOutSimulation):
    destination_loyalty_currency = serializers.CharField(**_CODE)
    external_reference = serializers.CharField(required=False, allow_blank=True, max_length=255)


class ExchangeLinkedAccountIn(ExchangeLinkedAccountInSimulation):
    origin_loyalty_currency = serializers.CharField(**_CODE)
    external_reference = serializers.CharField(required=False, allow_blank=True, max_length=255)


class _Variants(serializers.Serializer):
    """The contract's "Exchange out" | "Exchange in" oneOf, told apart by its member field:
    origin_member (out) or destination_member (in), never both."""

    out_class: type[serializers.Serializer]
    in_class: type[serializers.Serializer]

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise serializers.ValidationError({"non_field_errors": ["Send a JSON object."]})
        has_out, has_in = "origin_member" in data, "destination_member" in data
        if has_out == has_in:
            raise DomainError(
                "Send origin_member to exchange out, or destination_member to exchange in "
                "(one of the two).",
                field="origin_member",
                code="required" if not has_out else "invalid",
            )
        variant = self.out_class if has_out else self.in_class
        return variant().run_validation(data)


class ExchangeLinkedAccountSimulationRequest(_Variants):
    out_class = ExchangeLinkedAccountOutSimulation
    in_class = ExchangeLinkedAccountInSimulation


class ExchangeLinkedAccountRequest(_Variants):
    out_class = ExchangeLinkedAccountOut
    in_class = ExchangeLinkedAccountIn


# Responses -----------------------------------------------------------------------------------

# The contract's ExchangeSimulationResponse: a map of currency code -> destination units.
AMOUNTS = {
    "type": "object",
    "additionalProperties": {"type": "integer"},
    "description": "Destination units per destination currency code.",
}
AMOUNTS_EXAMPLE = [OpenApiExample("Amounts", value={"SST": 100, "STS": 200})]


def _exchange_response(name: str) -> serializers.Serializer:
    return inline_serializer(
        name,
        {
            "origin_transaction": TransactionSerializer(),
            "destination_transaction": TransactionSerializer(),
        },
    )


def _executed(done: services.ExecutedExchange) -> Response:
    if done.forwarding is not None:
        deliver_after_commit(done.forwarding.pk)
    exchange = done.exchange
    return Response(
        {
            "origin_transaction": transaction_data(exchange.origin_transaction),
            "destination_transaction": transaction_data(exchange.destination_transaction),
        }
    )


def _variant_schema(name: str, out_class, in_class) -> MemberVariants:
    """The oneOf of the two variants, documented as drf-spectacular documents the members'."""
    return MemberVariants(name, [out_class, in_class])


# Views ---------------------------------------------------------------------------------------


class ExchangeSimulateView(PartnerAPIView):
    @extend_schema(
        operation_id="Exchanges_simulateCurrencyExchange",
        tags=[TAG],
        summary="Simulate currency exchange",
        description="Destination units for one destination currency, or for every enabled "
        "exchange partner when destination_loyalty_currency is null or absent. Writes nothing.",
        request=ExchangeSimulationRequest,
        responses={200: AMOUNTS, **ERROR_RESPONSES},
        examples=AMOUNTS_EXAMPLE,
    )
    def post(self, request):
        data = self.validated(ExchangeSimulationRequest)
        return Response(
            services.exchange_simulate(
                partner=self.partner,
                amount=data["amount"],
                origin_loyalty_currency=data["origin_loyalty_currency"],
                destination_loyalty_currency=data.get("destination_loyalty_currency") or None,
            )
        )


class ExchangeExecuteView(PartnerAPIView):
    @extend_schema(
        operation_id="Exchanges_executeCurrencyExchange",
        tags=[TAG],
        summary='Execute currency exchange (creates two "Member Exchange" transactions)',
        request=ExchangeRequest,
        responses={200: _exchange_response("ExchangeResponse"), **ERROR_RESPONSES},
    )
    def post(self, request):
        data = self.validated(ExchangeRequest)
        return _executed(
            services.exchange_execute(
                partner=self.partner,
                amount=data["amount"],
                origin_loyalty_currency=data["origin_loyalty_currency"],
                destination_loyalty_currency=data["destination_loyalty_currency"],
                origin_member=data["origin_member"],
                destination_member=data["destination_member"],
                external_reference=data.get("external_reference", ""),
                loyalty_system_data=data.get("loyalty_system_data"),
            )
        )


class LinkedAccountSimulateView(PartnerAPIView):
    @extend_schema(
        operation_id="Exchanges_simulateLinkedAccountCurrencyExchange",
        tags=[TAG],
        summary="Simulate linked account currency exchange",
        request=_variant_schema(
            "ExchangeLinkedAccountSimulationRequest",
            ExchangeLinkedAccountOutSimulation,
            ExchangeLinkedAccountInSimulation,
        ),
        responses={200: AMOUNTS, **ERROR_RESPONSES},
        examples=AMOUNTS_EXAMPLE,
    )
    def post(self, request):
        data = self.validated(ExchangeLinkedAccountSimulationRequest)
        return Response(
            services.linked_account_simulate(
                partner=self.partner,
                amount=data["amount"],
                origin_member=data.get("origin_member"),
                destination_member=data.get("destination_member"),
                loyalty_system_data=data.get("loyalty_system_data"),
            )
        )


class LinkedAccountExecuteView(PartnerAPIView):
    @extend_schema(
        operation_id="Exchanges_executeLinkedAccountCurrencyExchange",
        tags=[TAG],
        summary="Execute linked account currency exchange",
        request=_variant_schema(
            "ExchangeLinkedAccountRequest", ExchangeLinkedAccountOut, ExchangeLinkedAccountIn
        ),
        responses={200: _exchange_response("ExchangeLinkedAccountResponse"), **ERROR_RESPONSES},
    )
    def post(self, request):
        data = self.validated(ExchangeLinkedAccountRequest)
        return _executed(
            services.linked_account_execute(
                partner=self.partner,
                amount=data["amount"],
                origin_member=data.get("origin_member"),
                destination_member=data.get("destination_member"),
                destination_loyalty_currency=data.get("destination_loyalty_currency"),
                origin_loyalty_currency=data.get("origin_loyalty_currency"),
                external_reference=data.get("external_reference", ""),
                loyalty_system_data=data.get("loyalty_system_data"),
            )
        )
