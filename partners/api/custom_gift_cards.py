"""The retailer's side of custom gift card codes (contract operations 27-29): validate, redeem,
cancel. Only the card's retailer finds its codes; an unknown code answers as another retailer's
would, and failed lookups are throttled per partner (giftcards.throttle)."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers

from giftcards.models import Channel
from giftcards.services.redemption import code_cancel_by_retailer, code_redeem, code_validate
from partners.api.exceptions import ERROR_RESPONSES
from partners.api.fields import JSONObjectField, MemberIdentifiersField, MetadataField
from partners.api.gift_cards import (
    CARD_AND_CODE,
    TAG,
    FiatAmountField,
    bearer_response,
    card_and_code,
)
from partners.api.views import PartnerAPIView


class GiftCardCodeValidationRequest(serializers.Serializer):
    gift_card_code = serializers.CharField(max_length=200)
    channel = serializers.ChoiceField(choices=Channel.choices)
    brand_id = serializers.CharField(required=False, max_length=64)
    fiat_amount = FiatAmountField(required=False)
    custom_settings_data = JSONObjectField(required=False, default=dict)


class GiftCardCodeRedemptionRequest(GiftCardCodeValidationRequest):
    external_reference = serializers.CharField(max_length=255)
    member = MemberIdentifiersField(required=False)
    metadata = MetadataField(required=False, default=dict)


class GiftCardCodeCancelRequest(serializers.Serializer):
    gift_card_code = serializers.CharField(max_length=200)
    brand_id = serializers.CharField(required=False, max_length=64)


def _response(name: str):
    return {200: inline_serializer(name, CARD_AND_CODE), **ERROR_RESPONSES}


class CustomCodeValidateView(PartnerAPIView):
    @extend_schema(
        operation_id="GiftCards_validateCustomCode",
        tags=[TAG],
        summary="Validate a custom gift card code",
        request=GiftCardCodeValidationRequest,
        responses=_response("GiftCardCodeValidationResponse"),
    )
    def post(self, request):
        data = self.validated(GiftCardCodeValidationRequest)
        code = code_validate(
            partner=self.partner,
            gift_card_code=data["gift_card_code"],
            channel=data["channel"],
            brand_id=data.get("brand_id"),
            fiat_amount=data.get("fiat_amount"),
        )
        return bearer_response(card_and_code(code.gift_card, code))


class CustomCodeRedeemView(PartnerAPIView):
    @extend_schema(
        operation_id="GiftCards_redeemCustomGiftCardCode",
        tags=[TAG],
        summary="Redeem a custom gift card code",
        request=GiftCardCodeRedemptionRequest,
        responses=_response("GiftCardCodeRedemptionResponse"),
    )
    def post(self, request):
        data = self.validated(GiftCardCodeRedemptionRequest)
        code = code_redeem(
            partner=self.partner,
            gift_card_code=data["gift_card_code"],
            channel=data["channel"],
            external_reference=data["external_reference"],
            brand_id=data.get("brand_id"),
            fiat_amount=data.get("fiat_amount"),
            metadata=data["metadata"],
            custom_settings_data=data["custom_settings_data"],
        )
        return bearer_response(card_and_code(code.gift_card, code))


class CustomCodeCancelView(PartnerAPIView):
    @extend_schema(
        operation_id="GiftCards_cancelCustomCode",
        tags=[TAG],
        summary="Cancel a custom gift card code",
        request=GiftCardCodeCancelRequest,
        responses=_response("GiftCardCodeCancelResponse"),
    )
    def post(self, request):
        data = self.validated(GiftCardCodeCancelRequest)
        code = code_cancel_by_retailer(
            partner=self.partner,
            gift_card_code=data["gift_card_code"],
            brand_id=data.get("brand_id"),
        )
        return bearer_response(card_and_code(code.gift_card, code))
