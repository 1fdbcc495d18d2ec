"""Reports: the exchange CSV (contract operation 44), streamed for the currencies a partner owns
or exchanges; and the custom gift cards' (45-47): the issued codes, and the inventory per
denomination, for a card's retailer and the owner of a currency it sells in."""

from django import forms
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.response import Response

from giftcards import secrets
from giftcards.errors import GiftCardNotFound
from giftcards.models import GiftCard, GiftCardCode, RedemptionStatus
from giftcards.selectors import gift_cards_reported_to, issued_codes_reported_to, stock_of
from loyalty.models import Exchange
from loyalty.reports.exchanges import HEADER as EXCHANGE_REPORT_HEADER
from loyalty.reports.exchanges import exchange_report_lines
from loyalty.reports.streaming import csv_response
from partners.api.exceptions import ERROR_RESPONSES
from partners.api.filters import DateTimeRangeField
from partners.api.views import PartnerAPIView

TAG = "Custom gift cards"


def created_at_range(value: str):
    """The contract's created_at__range as (start, end or None), or a 400 naming the field."""
    try:
        return DateTimeRangeField(required=False).clean(value)
    except forms.ValidationError as exc:
        raise serializers.ValidationError(exc.messages) from exc


class ReportExchange(serializers.Serializer):
    """One line of the exchange CSV, in the header's order (the contract's
    ReportExchangeListResponse item; field meanings in field_docs)."""

    created_at = serializers.CharField()
    destination_amount = serializers.IntegerField()
    destination_loyalty_currency = serializers.CharField()
    destination_id = serializers.CharField()
    destination_member = serializers.CharField()
    external_reference = serializers.CharField()
    origin_amount = serializers.IntegerField()
    origin_loyalty_currency = serializers.CharField()
    origin_id = serializers.CharField()
    origin_member = serializers.CharField()

    class Meta:
        ref_name = "ReportExchange"


class ExchangeReportQuery(serializers.Serializer):
    created_at__range = serializers.CharField(
        required=False,
        help_text="start[,end]: YYYY-MM-DD[Thh:mm[:ss][Z]] each, on the exchanges' creation "
        "time; a date alone as the end covers that whole day.",
    )

    def validate_created_at__range(self, value):
        return created_at_range(value)


class JSONForErrors(BaseContentNegotiation):
    """The report answers text/csv whatever the client accepts, and its errors JSON in the
    contract's error shape: a client asking for text/csv only must not get a 406."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class ExchangeReportView(PartnerAPIView):
    """GET /reports/exchanges: one CSV line per exchange in the range, oldest first, streamed
    through a server-side cursor (a million lines in flat memory). A partner sees the exchanges
    of the currencies it owns and those it is the exchange partner of."""

    content_negotiation_class = JSONForErrors
    pagination_class = None
    queryset = Exchange.objects.none()  # for the schema; the rows come from exchange_report_lines

    @extend_schema(
        operation_id="ExchangeReports_getCsvReport",
        tags=["Exchange Reports"],
        summary="Retrieve Currency Exchange Report",
        description="The CSV of the exchanges done by members in a time range (text/csv, "
        "RFC 4180), oldest first, after this header: " + ",".join(EXCHANGE_REPORT_HEADER) + ". "
        "Use GET /transactions for the same transactions in JSON.",
        parameters=[ExchangeReportQuery],
        responses={(200, "text/csv"): ReportExchange(many=True), **ERROR_RESPONSES},
    )
    def get(self, request):
        query = ExchangeReportQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        start, end = query.validated_data.get("created_at__range") or (None, None)
        lines = exchange_report_lines(start=start, end=end, partner_id=self.partner.pk)
        return csv_response("exchanges.csv", EXCHANGE_REPORT_HEADER, lines=lines)


INVENTORY_COUNTS = inline_serializer(
    "ReportCustomGiftCardInventoryCounts",
    {
        "available": serializers.IntegerField(),
        "issued": serializers.IntegerField(),
        "total": serializers.IntegerField(),
        "unavailable": serializers.IntegerField(),
    },
)


class ReportCustomGiftCardInventory(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    fiat_currency = serializers.CharField()
    total_codes = serializers.IntegerField()
    denominations = serializers.DictField(child=INVENTORY_COUNTS)

    class Meta:
        ref_name = "ReportCustomGiftCardInventory"


def inventory_data(card: GiftCard) -> dict:
    stocks = stock_of(card)
    return {
        "id": card.public_id,
        "name": card.name,
        "fiat_currency": card.fiat_currency,
        "total_codes": sum(s.total for s in stocks),
        "denominations": {
            s.key: {
                "available": s.available,
                "issued": s.issued,
                "total": s.total,
                "unavailable": s.unavailable,
            }
            for s in stocks
        },
    }


class ReportCustomGiftCard(serializers.Serializer):
    id = serializers.CharField()
    gift_card_code = serializers.CharField()
    pin = serializers.CharField()
    expiration_date = serializers.DateField(allow_null=True)
    fiat_amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, coerce_to_string=False, allow_null=True
    )
    fiat_currency = serializers.CharField()
    redemption_status = serializers.ChoiceField(choices=RedemptionStatus.choices, allow_null=True)
    gift_card = inline_serializer(
        "ReportCustomGiftCardBrand",
        {"id": serializers.CharField(), "name": serializers.CharField()},
    )
    partner = inline_serializer(
        "ReportCustomGiftCardPartner",
        {
            "id": serializers.CharField(),
            "company_name": serializers.CharField(),
            "loyalty_currency": inline_serializer(
                "ReportCustomGiftCardPartnerLoyaltyCurrency",
                {"id": serializers.CharField(), "short_name": serializers.CharField()},
                allow_null=True,
            ),
        },
        allow_null=True,
    )

    class Meta:
        ref_name = "ReportCustomGiftCard"


def issued_code_data(code) -> dict:
    seller, currency = code.issued_by_partner, code.loyalty_currency
    return {
        "id": code.public_id,
        "gift_card_code": secrets.unseal(code.code_encrypted),
        "pin": secrets.unseal(code.pin_encrypted),
        "expiration_date": code.expiration_date.isoformat() if code.expiration_date else None,
        "fiat_amount": code.fiat_amount,
        "fiat_currency": code.gift_card.fiat_currency,
        "redemption_status": code.redemption_status or None,
        "gift_card": {"id": code.gift_card.public_id, "name": code.gift_card.name},
        "partner": None
        if seller is None
        else {
            "id": seller.public_id,
            "company_name": seller.company_name,
            "loyalty_currency": None
            if currency is None
            else {"id": currency.code, "short_name": currency.name},
        },
    }


class IssuedCodesQuery(serializers.Serializer):
    created_at__range = serializers.CharField(
        required=False,
        help_text="start[,end]: YYYY-MM-DD[Thh:mm[:ss][Z]] each, on the codes' issue time.",
    )
    gift_card_id = serializers.CharField(required=False, max_length=64)
    fiat_currency = serializers.RegexField(r"^[A-Z]{3}$", required=False)
    loyalty_currency = serializers.CharField(required=False, max_length=64)

    def validate_created_at__range(self, value):
        return created_at_range(value)


class IssuedCodesReportView(PartnerAPIView):
    queryset = GiftCardCode.objects.none()  # for the schema: issued_codes_reported_to

    @extend_schema(
        operation_id="CustomGiftCards_listIssuedCodes",
        tags=[TAG],
        summary="List issued custom gift card codes",
        parameters=[IssuedCodesQuery],
        responses={200: ReportCustomGiftCard(many=True), **ERROR_RESPONSES},
    )
    def get(self, request):
        query = IssuedCodesQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        filters = query.validated_data
        codes = issued_codes_reported_to(self.partner)
        if filters.get("created_at__range"):
            start, end = filters["created_at__range"]
            codes = codes.filter(issued_at__gte=start)
            if end is not None:
                codes = codes.filter(issued_at__lte=end)
        if "gift_card_id" in filters:
            codes = codes.filter(gift_card__public_id=filters["gift_card_id"])
        if "fiat_currency" in filters:
            codes = codes.filter(gift_card__fiat_currency=filters["fiat_currency"])
        if "loyalty_currency" in filters:
            codes = codes.filter(loyalty_currency__code=filters["loyalty_currency"])
        page = self.paginate_queryset(codes)
        return self.get_paginated_response([issued_code_data(code) for code in page])


class InventoryListView(PartnerAPIView):
    queryset = GiftCard.objects.none()  # for the schema: gift_cards_reported_to

    @extend_schema(
        operation_id="CustomGiftCards_listInventory",
        tags=[TAG],
        summary="List custom gift card inventory",
        responses={200: ReportCustomGiftCardInventory(many=True), **ERROR_RESPONSES},
    )
    def get(self, request):
        page = self.paginate_queryset(gift_cards_reported_to(self.partner))
        return self.get_paginated_response([inventory_data(card) for card in page])


class InventoryDetailView(PartnerAPIView):
    @extend_schema(
        operation_id="CustomGiftCards_getInventoryStatus",
        tags=[TAG],
        summary="Retrieve a custom gift card inventory",
        parameters=[OpenApiParameter("id", str, OpenApiParameter.PATH)],
        responses={200: ReportCustomGiftCardInventory, **ERROR_RESPONSES},
    )
    def get(self, request, id: str):
        card = gift_cards_reported_to(self.partner).filter(public_id=id).first()
        if card is None:
            raise GiftCardNotFound("Gift card not found.")
        return Response(inventory_data(card))
