"""Direct accruals and transactions (contract operations 1 and 30-35)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from loyalty.api.fields import (
    AccountReferenceField,
    FutureDateTimeField,
    JSONObjectField,
    MemberIdentifiersField,
    MetadataField,
    PositiveAmountField,
)
from loyalty.api.filters import TransactionFilter
from loyalty.api.serializers import TRANSACTION_RELATED, TransactionSerializer
from loyalty.errors import NotFound
from loyalty.models import ReasonCode, Transaction
from loyalty.services import transactions as services
from partners import scope
from partners.api.errors import ERROR_RESPONSES
from partners.api.views import PartnerAPIView


class TransactionDetailsSerializer(serializers.Serializer):
    """The descriptive fields every movement request may carry."""

    external_reference = serializers.CharField(required=False, allow_blank=True, max_length=255)
    loyalty_system_data = JSONObjectField(required=False)
    metadata = MetadataField(required=False)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=255)
    reason_code = serializers.ChoiceField(choices=ReasonCode.choices, required=False)


class AccrualStandardCreateRequest(TransactionDetailsSerializer):
    amount = PositiveAmountField()
    loyalty_currency = serializers.CharField(max_length=64)
    member = MemberIdentifiersField()
    origin = AccountReferenceField(allow_member=False)
    bonus = serializers.BooleanField(required=False, default=False)
    release_date = FutureDateTimeField(required=False)


class TransactionCreateRequest(TransactionDetailsSerializer):
    amount = PositiveAmountField()
    loyalty_currency = serializers.CharField(max_length=64)
    origin = AccountReferenceField()
    destination = AccountReferenceField()


class TransactionUpdateRequest(serializers.Serializer):
    amount = PositiveAmountField(required=False)
    loyalty_system_data = JSONObjectField(required=False)
    metadata = MetadataField(required=False)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=255)
    reason_code = serializers.CharField(required=False, allow_blank=True, max_length=64)
    release_date = FutureDateTimeField(required=False)


class TransactionMemberListRequest(serializers.Serializer):
    member = MemberIdentifiersField()
    loyalty_currency = serializers.CharField(max_length=64)


def _details(data: dict) -> dict:
    return {k: data[k] for k in TransactionDetailsSerializer._declared_fields if k in data}


def _respond(tx: Transaction, currency=None, *, status_code=status.HTTP_200_OK) -> Response:
    if currency is not None:
        tx.loyalty_currency = currency
    return Response(TransactionSerializer(tx).data, status=status_code)


class AccrualStandardView(PartnerAPIView):
    @extend_schema(
        operation_id="DirectAccruals_executeStandardAccrual",
        tags=["Direct accruals"],
        summary='Execute an accrual (creates an "Accrual" transaction)',
        request=AccrualStandardCreateRequest,
        responses={201: TransactionSerializer, **ERROR_RESPONSES},
    )
    def post(self, request):
        data = self.validated(AccrualStandardCreateRequest)
        currency = scope.currency_get(code=data["loyalty_currency"])
        destination = scope.member_account_get(
            loyalty_currency=currency, identifiers=data["member"]
        )
        tx = services.accrual_create(
            partner=self.partner,
            loyalty_currency=currency,
            destination=destination,
            origin=data["origin"],
            amount=data["amount"],
            bonus=data["bonus"],
            release_date=data.get("release_date"),
            **_details(data),
        )
        return _respond(tx, currency, status_code=status.HTTP_201_CREATED)


class TransactionListMixin:
    filterset_class = TransactionFilter
    serializer_class = TransactionSerializer

    def listing(self, queryset):
        queryset = self.filter_queryset(
            queryset.select_related(*TRANSACTION_RELATED).order_by("-created_at", "-id")
        )
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(TransactionSerializer(page, many=True).data)


class TransactionsView(TransactionListMixin, PartnerAPIView):
    def get_queryset(self):
        return scope.visible_transactions(self.partner)

    @extend_schema(
        operation_id="Transactions_listAllTransactions",
        tags=["Transactions"],
        summary="List transactions",
        responses={200: TransactionSerializer(many=True), **ERROR_RESPONSES},
    )
    def get(self, request):
        return self.listing(self.get_queryset())

    @extend_schema(
        operation_id="Transactions_createTransaction",
        tags=["Transactions"],
        summary="Create a transaction (transfers only)",
        request=TransactionCreateRequest,
        responses={201: TransactionSerializer, **ERROR_RESPONSES},
        filters=False,
    )
    def post(self, request):
        data = self.validated(TransactionCreateRequest)
        currency = scope.currency_get(code=data["loyalty_currency"])
        tx = services.transfer_create(
            partner=self.partner,
            loyalty_currency=currency,
            origin=data["origin"],
            destination=data["destination"],
            amount=data["amount"],
            **_details(data),
        )
        return _respond(tx, currency, status_code=status.HTTP_201_CREATED)


class MemberTransactionsView(TransactionListMixin, PartnerAPIView):
    @extend_schema(
        operation_id="Transactions_listMemberTransactions",
        tags=["Transactions"],
        summary="List a member's transactions",
        request=TransactionMemberListRequest,
        responses={200: TransactionSerializer(many=True), **ERROR_RESPONSES},
    )
    def post(self, request):
        data = self.validated(TransactionMemberListRequest)
        currency = scope.currency_get(code=data["loyalty_currency"])
        scope.require_partnership(self.partner, currency)
        member = scope.member_get(loyalty_currency=currency, identifiers=data["member"])
        return self.listing(scope.visible_transactions(self.partner).for_member(member))


class TransactionDetailView(PartnerAPIView):
    def get_object(self) -> Transaction:
        tx = (
            scope.visible_transactions(self.partner)
            .select_related(*TRANSACTION_RELATED)
            .filter(public_id=self.kwargs["id"])
            .first()
        )
        if tx is None:
            raise NotFound(f"No transaction {self.kwargs['id']!r}.", field="id")
        return tx

    @extend_schema(
        operation_id="Transactions_getDetails",
        tags=["Transactions"],
        summary="Retrieve a transaction.",
        responses={200: TransactionSerializer, **ERROR_RESPONSES},
    )
    def get(self, request, id):
        return _respond(self.get_object())

    @extend_schema(
        operation_id="Transactions_updateTransactionDetails",
        tags=["Transactions"],
        summary="Update a pending transaction",
        request=TransactionUpdateRequest,
        responses={200: TransactionSerializer, **ERROR_RESPONSES},
    )
    def patch(self, request, id):
        data = self.validated(TransactionUpdateRequest)
        tx = services.transaction_update(partner=self.partner, tx=self.get_object(), **data)
        return _respond(tx)


class TransactionCancelView(TransactionDetailView):
    http_method_names = ["post", "options"]

    @extend_schema(
        operation_id="Transactions_cancelTransaction",
        tags=["Transactions"],
        summary="Cancel a pending transaction",
        request=None,
        responses={200: TransactionSerializer, **ERROR_RESPONSES},
    )
    def post(self, request, id):
        tx = services.transaction_cancel(partner=self.partner, tx=self.get_object())
        return _respond(tx)
