"""Fiat to loyalty currency conversion (contract operation 16)."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from loyalty.models import PriceType, Rounding
from loyalty.selectors import currency_get
from loyalty.services.fx import partner_fiat_convert
from partners.api.exceptions import ERROR_RESPONSES
from partners.api.views import PartnerAPIView

_DECIMAL = {"max_digits": 24, "decimal_places": 8, "coerce_to_string": True}


class LoyaltyCurrencyConversionRequest(serializers.Serializer):
    amount = serializers.DecimalField(**_DECIMAL, min_value=0)
    fiat_currency = serializers.RegexField(
        r"^[A-Z]{3}$", error_messages={"invalid": "Use a three-letter ISO 4217 code, e.g. EUR."}
    )
    loyalty_currency = serializers.CharField(max_length=64)
    price_type = serializers.ChoiceField(
        choices=PriceType.choices, default=PriceType.CUSTOMERS_PERCEIVED_VALUE
    )
    rounding = serializers.ChoiceField(
        choices=Rounding.choices,
        required=False,
        help_text="Defaults to the loyalty currency's default rounding (bankers_rounding unless "
        "its owner chose another).",
    )
    custom_value = serializers.DecimalField(**_DECIMAL, required=False)
    custom_value_currency = serializers.RegexField(r"^[A-Z]{3}$", required=False)


CONVERSION_RESPONSE = inline_serializer(
    "LoyaltyCurrencyConversionResponse",
    {
        "loyalty_amount": serializers.IntegerField(),
        "exact_fiat_cost": serializers.DecimalField(max_digits=28, decimal_places=4),
        "loyalty_system_amount": serializers.DecimalField(max_digits=28, decimal_places=8),
    },
)


class FiatConvertView(PartnerAPIView):
    @extend_schema(
        operation_id="Conversions_fiatToLoyaltyCurrency",
        tags=["Conversions"],
        summary="Convert fiat to loyalty currency",
        request=LoyaltyCurrencyConversionRequest,
        responses={200: CONVERSION_RESPONSE, **ERROR_RESPONSES},
    )
    def post(self, request):
        data = self.validated(LoyaltyCurrencyConversionRequest)
        conversion = partner_fiat_convert(
            partner=self.partner,
            loyalty_currency=currency_get(code=data["loyalty_currency"]),
            amount=data["amount"],
            fiat_currency=data["fiat_currency"],
            price_type=data["price_type"],
            rounding=data.get("rounding"),
            custom_value=data.get("custom_value"),
            custom_value_currency=data.get("custom_value_currency"),
        )
        return Response(
            {
                "loyalty_amount": conversion.loyalty_amount,
                "exact_fiat_cost": str(conversion.exact_fiat_cost),
                "loyalty_system_amount": str(conversion.loyalty_system_amount),
            }
        )
