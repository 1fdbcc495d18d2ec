"""Gift cards (contract operations 21-26): the catalogue a partner may sell, simulate, issue
for points, direct issue, and the retrieval of an issued code; the GiftCard and GiftCardCode
shapes the custom code operations (partners.api.custom_gift_cards) answer with too."""

from decimal import Decimal

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from giftcards import secrets
from giftcards.models import (
    BarcodeFormat,
    DenominationType,
    GiftCard,
    GiftCardCode,
    GiftCardType,
    Provider,
    RedemptionStatus,
)
from giftcards.selectors import denominations_of, gift_card_sellable_get, gift_cards_sellable_by
from giftcards.services.issuance import gift_card_direct_issue, gift_card_issue, gift_card_simulate
from giftcards.services.redemption import code_retrieve
from partners.api.exceptions import ERROR_RESPONSES
from partners.api.fields import (
    JSONObjectField,
    MemberIdentifiersField,
    MetadataField,
    PositiveAmountField,
)
from partners.api.transactions import TransactionSerializer, transaction_data
from partners.api.views import PartnerAPIView

TAG = "Gift cards"
MONEY = {"max_digits": 12, "decimal_places": 2, "coerce_to_string": True}
BARCODE_FORMATS = [*BarcodeFormat.values]


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def _number(value: Decimal | None) -> float | None:
    # The contract types discount values as JSON numbers; DRF's encoder writes a Decimal as
    # its exact decimal text when given one, so the value is passed on unchanged.
    return value


# Responses -----------------------------------------------------------------------------------


class GiftCardSerializer(serializers.Serializer):
    """The contract's GiftCard (documentation; answers are built by gift_card_data)."""

    id = serializers.CharField()
    name = serializers.CharField()
    type = serializers.ChoiceField(choices=GiftCardType.choices)
    denomination_type = serializers.ChoiceField(choices=DenominationType.choices)
    denominations = serializers.ListField(child=serializers.DecimalField(**MONEY), allow_null=True)
    minimum_value = serializers.DecimalField(**MONEY, allow_null=True)
    maximum_value = serializers.DecimalField(**MONEY, allow_null=True)
    currency = serializers.CharField()
    countries = serializers.ListField(child=serializers.CharField())
    discount_value = serializers.DecimalField(
        max_digits=12, decimal_places=2, coerce_to_string=False, allow_null=True
    )
    expiration_policy = serializers.CharField()
    barcode_format = serializers.ChoiceField(choices=BARCODE_FORMATS, allow_null=True)
    image = serializers.CharField()
    description = serializers.CharField()
    redeem_instructions_html = serializers.CharField()
    terms_and_conditions_html = serializers.CharField()
    terms_and_conditions_url = serializers.CharField()
    provider = serializers.ChoiceField(choices=Provider.choices)
    custom_settings_data = JSONObjectField()

    class Meta:
        ref_name = "GiftCard"


def gift_card_data(card: GiftCard) -> dict:
    fixed = card.denomination_type == DenominationType.FIXED
    return {
        "id": card.public_id,
        "name": card.name,
        "type": card.type,
        "denomination_type": card.denomination_type,
        "denominations": [_money(v) for v in denominations_of(card)] if fixed else None,
        "minimum_value": _money(card.minimum_value),
        "maximum_value": _money(card.maximum_value),
        "currency": card.fiat_currency,
        "countries": list(card.countries),
        "discount_value": _number(card.discount_value),
        "expiration_policy": card.expiration_policy,
        "barcode_format": card.barcode_format or None,
        "image": card.image,
        "description": card.description,
        "redeem_instructions_html": card.redeem_instructions_html,
        "terms_and_conditions_html": card.terms_and_conditions_html,
        "terms_and_conditions_url": card.terms_and_conditions_url,
        "provider": card.provider,
        "custom_settings_data": {},
    }


LOYALTY_INFORMATION = inline_serializer(
    "GiftCardCodeLoyaltyInformation",
    {
        "loyalty_amount": serializers.IntegerField(allow_null=True),
        "loyalty_currency": serializers.CharField(allow_null=True),
        "member_id": serializers.CharField(),
        "partner_name": serializers.CharField(allow_null=True),
    },
)
ISSUANCE_DETAILS = inline_serializer(
    "GiftCardCodeIssuanceDetails",
    {
        "custom_settings_data": JSONObjectField(),
        "external_reference": serializers.CharField(),
        "loyalty_information": LOYALTY_INFORMATION,
        "metadata": MetadataField(),
        "original_external_reference": serializers.CharField(),
        "original_code": serializers.CharField(),
        "partner_code": serializers.CharField(),
    },
)
REDEMPTION_DETAIL = inline_serializer(
    "GiftCardCodeRedemptionDetail",
    {
        "custom_settings_data": JSONObjectField(),
        "external_reference": serializers.CharField(),
        "fiat_amount": serializers.DecimalField(**MONEY, allow_null=True),
        "metadata": MetadataField(),
        "redemption_date": serializers.DateField(),
    },
)


class GiftCardCodeSerializer(serializers.Serializer):
    """The contract's GiftCardCode (documentation; answers are built by code_data)."""

    id = serializers.CharField()
    gift_card_code = serializers.CharField()
    pin = serializers.CharField()
    barcode_format = serializers.ChoiceField(choices=BARCODE_FORMATS, allow_null=True)
    barcode_string = serializers.CharField()
    delivery_url = serializers.CharField()
    discount_amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, coerce_to_string=False, allow_null=True
    )
    expiration_date = serializers.DateField(allow_null=True)
    fiat_amount = serializers.DecimalField(**MONEY, allow_null=True)
    fiat_balance = serializers.DecimalField(**MONEY, allow_null=True)
    fiat_currency = serializers.CharField()
    redemption_status = serializers.ChoiceField(choices=RedemptionStatus.choices, allow_null=True)
    issuance_details = ISSUANCE_DETAILS
    redemption_details = serializers.ListField(child=REDEMPTION_DETAIL)

    class Meta:
        ref_name = "GiftCardCode"


def code_data(code: GiftCardCode) -> dict:
    """A code as its retailer, its seller and the currency owner see it: the code and PIN in
    clear (they are what the member was sold), never written to a log."""
    card = code.gift_card
    currency = code.loyalty_currency
    seller = code.issued_by_partner
    return {
        "id": code.public_id,
        "gift_card_code": secrets.unseal(code.code_encrypted),
        "pin": secrets.unseal(code.pin_encrypted),
        "barcode_format": card.barcode_format or None,
        "barcode_string": secrets.unseal(code.barcode_encrypted),
        "delivery_url": "",
        "discount_amount": _number(card.discount_value)
        if card.type == GiftCardType.DISCOUNT
        else None,
        "expiration_date": code.expiration_date.isoformat() if code.expiration_date else None,
        "fiat_amount": _money(code.fiat_amount),
        "fiat_balance": _money(code.fiat_balance),
        "fiat_currency": card.fiat_currency,
        "redemption_status": code.redemption_status or None,
        "issuance_details": {
            "custom_settings_data": code.custom_settings_data,
            "external_reference": code.external_reference,
            "loyalty_information": {
                "loyalty_amount": code.loyalty_amount,
                "loyalty_currency": currency.code if currency else None,
                "member_id": code.member_reference,
                "partner_name": seller.company_name if seller else None,
            },
            "metadata": code.metadata,
            "original_external_reference": code.external_reference,
            "original_code": "",
            "partner_code": code.partner_code,
        },
        "redemption_details": [
            {
                "custom_settings_data": r.custom_settings_data,
                "external_reference": r.external_reference,
                "fiat_amount": _money(r.fiat_amount),
                "metadata": r.metadata,
                "redemption_date": r.created_at.date().isoformat(),
            }
            for r in code.redemptions.order_by("created_at", "id")
        ],
    }


def bearer_response(data: dict) -> Response:
    """An answer carrying a code and its PIN: its idempotency record is kept encrypted."""
    response = Response(data)
    response.bearer_value = True
    return response


def card_and_code(card: GiftCard, code: GiftCardCode) -> dict:
    return {"gift_card": gift_card_data(card), "code": code_data(code)}


CARD_AND_CODE = {"gift_card": GiftCardSerializer(), "code": GiftCardCodeSerializer()}


# Requests ------------------------------------------------------------------------------------


class FiatAmountField(serializers.DecimalField):
    """A fiat amount as a decimal string such as "10.00" (a JSON number is accepted too)."""

    def __init__(self, **kwargs):
        super().__init__(max_digits=12, decimal_places=2, min_value=Decimal("0.01"), **kwargs)


class AmountChoice(serializers.Serializer):
    """Exactly one of fiat_amount and loyalty_amount (the contract's two variants)."""

    fiat_amount = FiatAmountField(required=False)
    loyalty_amount = PositiveAmountField(required=False)
    loyalty_system_data = JSONObjectField(required=False, default=dict)
    loyalty_currency = serializers.CharField(
        required=False,
        max_length=64,
        help_text="The loyalty currency to pay in, when you sell the card in several.",
    )

    def validate(self, attrs):
        if ("fiat_amount" in attrs) == ("loyalty_amount" in attrs):
            raise serializers.ValidationError(
                {"fiat_amount": ["Give either fiat_amount or loyalty_amount."]}
            )
        return attrs


def _currency_of(data: dict) -> str | None:
    named = data.get("loyalty_currency") or data["loyalty_system_data"].get("loyalty_currency")
    return named if isinstance(named, str) and named else None


class GiftCardSimulationRequest(AmountChoice):
    member = MemberIdentifiersField(required=False)


class GiftCardIssuanceRequest(AmountChoice):
    member = MemberIdentifiersField()
    external_reference = serializers.CharField(
        required=False, allow_blank=True, max_length=255, default=""
    )
    metadata = MetadataField(required=False, default=dict)


class GiftCardDirectIssuanceRequest(serializers.Serializer):
    external_reference = serializers.CharField(max_length=255)
    fiat_amount = FiatAmountField(required=False)
    loyalty_currency = serializers.CharField(required=False, max_length=64)
    loyalty_amount_exchanged = PositiveAmountField(required=False)
    member_id = serializers.CharField(required=False, max_length=200, default="")
    partner_code = serializers.CharField(
        required=False, max_length=255, default="", allow_blank=True
    )
    metadata = MetadataField(required=False, default=dict)
    custom_settings_data = JSONObjectField(required=False, default=dict)


class GiftCardCodeViewRequest(serializers.Serializer):
    gift_card_code = serializers.CharField(max_length=200)
    pin = serializers.CharField(required=False, max_length=200)


class GiftCardListQuery(serializers.Serializer):
    country = serializers.RegexField(
        r"^[A-Z]{3}$", required=False, help_text="ISO 3166-1 alpha-3, e.g. USA."
    )
    fiat_currency = serializers.RegexField(
        r"^[A-Z]{3}$", required=False, help_text="ISO 4217, e.g. EUR."
    )
    gift_card_type = serializers.ChoiceField(choices=GiftCardType.choices, required=False)


# Views ---------------------------------------------------------------------------------------


class GiftCardListView(PartnerAPIView):
    queryset = GiftCard.objects.none()  # for the schema: the list is gift_cards_sellable_by

    @extend_schema(
        operation_id="GiftCards_getEnabledList",
        tags=[TAG],
        summary="Retrieve the list of enabled gift cards",
        parameters=[GiftCardListQuery],
        responses={200: GiftCardSerializer(many=True), **ERROR_RESPONSES},
    )
    def get(self, request):
        query = GiftCardListQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        filters = query.validated_data
        cards = gift_cards_sellable_by(self.partner)
        if "country" in filters:
            cards = cards.filter(countries__icontains=f'"{filters["country"]}"')
        if "fiat_currency" in filters:
            cards = cards.filter(fiat_currency=filters["fiat_currency"])
        if "gift_card_type" in filters:
            cards = cards.filter(type=filters["gift_card_type"])
        page = self.paginate_queryset(cards)
        return self.get_paginated_response([gift_card_data(card) for card in page])


class GiftCardDetailView(PartnerAPIView):
    @extend_schema(
        operation_id="GiftCards_getDetails",
        tags=[TAG],
        summary="Retrieve a gift card",
        responses={200: GiftCardSerializer, **ERROR_RESPONSES},
    )
    def get(self, request, id: str):
        return Response(gift_card_data(gift_card_sellable_get(partner=self.partner, public_id=id)))


class GiftCardSimulateView(PartnerAPIView):
    @extend_schema(
        operation_id="GiftCards_simulateExchange",
        tags=[TAG],
        summary="Simulate a gift card exchange",
        request=GiftCardSimulationRequest,
        responses={
            200: inline_serializer(
                "GiftCardSimulationResponse",
                {
                    "code": inline_serializer(
                        "GiftCardSimulationCode",
                        {
                            "fiat_amount": serializers.DecimalField(**MONEY),
                            "fiat_currency": serializers.CharField(),
                            "loyalty_amount": serializers.IntegerField(),
                            "loyalty_currency": serializers.CharField(),
                        },
                    ),
                    "gift_card": GiftCardSerializer(),
                },
            ),
            **ERROR_RESPONSES,
        },
    )
    def post(self, request, id: str):
        data = self.validated(GiftCardSimulationRequest)
        card, quote = gift_card_simulate(
            partner=self.partner,
            gift_card_id=id,
            fiat_amount=data.get("fiat_amount"),
            loyalty_amount=data.get("loyalty_amount"),
            member=data.get("member"),
            loyalty_currency=_currency_of(data),
        )
        return Response(
            {
                "code": {
                    "fiat_amount": _money(quote.fiat_amount),
                    "fiat_currency": card.fiat_currency,
                    "loyalty_amount": quote.loyalty_amount,
                    "loyalty_currency": quote.price.loyalty_currency.code,
                },
                "gift_card": gift_card_data(card),
            }
        )


class GiftCardIssueView(PartnerAPIView):
    @extend_schema(
        operation_id="GiftCards_exchangeLoyaltyForGiftCard",
        tags=[TAG],
        summary="Exchange loyalty currency units for gift cards",
        request=GiftCardIssuanceRequest,
        responses={
            200: inline_serializer(
                "GiftCardIssuanceResponse",
                {**CARD_AND_CODE, "transaction": TransactionSerializer()},
            ),
            **ERROR_RESPONSES,
        },
    )
    def post(self, request, id: str):
        data = self.validated(GiftCardIssuanceRequest)
        issued = gift_card_issue(
            partner=self.partner,
            gift_card_id=id,
            member=data["member"],
            fiat_amount=data.get("fiat_amount"),
            loyalty_amount=data.get("loyalty_amount"),
            loyalty_currency=_currency_of(data),
            external_reference=data["external_reference"],
            metadata=data["metadata"],
            loyalty_system_data=data["loyalty_system_data"],
        )
        return bearer_response(
            {
                **card_and_code(issued.code.gift_card, issued.code),
                "transaction": transaction_data(issued.transaction),
            }
        )


class GiftCardDirectIssueView(PartnerAPIView):
    @extend_schema(
        operation_id="GiftCards_issueCode",
        tags=[TAG],
        summary="Direct issue a gift card code",
        request=GiftCardDirectIssuanceRequest,
        responses={
            200: inline_serializer("GiftCardDirectIssuanceResponse", CARD_AND_CODE),
            **ERROR_RESPONSES,
        },
    )
    def post(self, request, id: str):
        data = self.validated(GiftCardDirectIssuanceRequest)
        code = gift_card_direct_issue(
            partner=self.partner,
            gift_card_id=id,
            external_reference=data["external_reference"],
            fiat_amount=data.get("fiat_amount"),
            loyalty_currency=data.get("loyalty_currency"),
            loyalty_amount_exchanged=data.get("loyalty_amount_exchanged"),
            member_id=data["member_id"],
            partner_code=data["partner_code"],
            metadata=data["metadata"],
            custom_settings_data=data["custom_settings_data"],
        )
        return bearer_response(card_and_code(code.gift_card, code))


class GiftCardCodeView(PartnerAPIView):
    @extend_schema(
        operation_id="GiftCards_getIssuedCode",
        tags=[TAG],
        summary="Retrieve an issued gift card code (retrieval is done with POST)",
        request=GiftCardCodeViewRequest,
        responses={200: GiftCardCodeSerializer, **ERROR_RESPONSES},
    )
    def post(self, request):
        data = self.validated(GiftCardCodeViewRequest)
        code = code_retrieve(
            partner=self.partner, gift_card_code=data["gift_card_code"], pin=data.get("pin")
        )
        return bearer_response(code_data(code))
