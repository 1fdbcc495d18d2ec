"""Transactions (contract operations 30-35): list, create (transfers), read, update and cancel,
and the member's transactions; the contract's Transaction shape every movement answers with."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.settings import api_settings

from loyalty.models import (
    Account,
    ReasonCode,
    StatusMessageCode,
    Transaction,
    TransactionStatus,
    TransactionSubType,
    TransactionType,
)
from loyalty.selectors import (
    TRANSACTION_RELATED,
    VisibleTransactions,
    currency_get,
    visible_transaction_get,
)
from loyalty.services import transactions as services
from partners.api.exceptions import ERROR_RESPONSES
from partners.api.fields import (
    AccountReferenceField,
    FutureDateTimeField,
    JSONObjectField,
    MemberIdentifiersField,
    MetadataField,
    PositiveAmountField,
)
from partners.api.filters import TransactionFilter
from partners.api.views import PartnerAPIView

TAG = "Transactions"
DATETIME_FORMAT = api_settings.DATETIME_FORMAT

# Responses -----------------------------------------------------------------------------------

ACCOUNT_SCHEMA = inline_serializer(
    "Account",
    {
        "id": serializers.CharField(),
        "owner": inline_serializer(
            "AccountOwner",
            {
                "id": serializers.CharField(),
                "type": serializers.ChoiceField(choices=["partner", "member"]),
            },
        ),
    },
)


def account_data(account: Account) -> dict:
    owner = account.member if account.member_id else account.partner
    return {
        "id": account.public_id,
        "owner": {"id": owner.public_id, "type": account.owner_type},
    }


def _datetime(value) -> str | None:
    """DRF's DateTimeField output with DATETIME_FORMAT, in the current (UTC) time zone."""
    if not value:
        return None
    return value.astimezone(timezone.get_current_timezone()).strftime(DATETIME_FORMAT)


def _text(value) -> str | None:
    return None if value is None else str(value)


def transaction_data(tx: Transaction) -> dict:
    """The contract's Transaction of `tx`, built directly: it is in every answer that moves
    units, and the field-by-field serializer costs more than the statement that wrote the row.
    TransactionSerializer's own to_representation gives exactly the same (a test holds it)."""
    return {
        "id": tx.public_id,
        "type": str(tx.type),
        "sub-type": str(tx.sub_type),
        "status": str(tx.status),
        "status_message": _text(tx.status_message),
        "status_message_code": _text(tx.status_message_code),
        "amount": int(tx.amount),
        "bonus": bool(tx.bonus),
        "loyalty_currency": tx.loyalty_currency.code,
        "origin_account": account_data(tx.origin_account),
        "destination_account": account_data(tx.destination_account),
        "external_reference": str(tx.external_reference),
        "loyalty_system_id": str(tx.loyalty_system_id),
        "loyalty_system_data": tx.loyalty_system_data,
        "metadata": tx.metadata,
        "reason": str(tx.reason),
        "reason_code": str(tx.reason_code),
        "related_data": tx.related_data,
        "release_date": _datetime(tx.release_date),
        "created_at": _datetime(tx.created_at),
        "completed_at": _datetime(tx.completed_at),
    }


class TransactionSerializer(serializers.Serializer):
    """The contract's Transaction, read-only (note the hyphenated `sub-type`). It reads the
    related rows of loyalty.selectors.TRANSACTION_RELATED. The fields document the shape;
    answers are built by `transaction_data`."""

    id = serializers.CharField(source="public_id")
    type = serializers.ChoiceField(choices=TransactionType.choices)
    # "sub-type" is not a Python identifier; the class namespace takes it all the same.
    locals()["sub-type"] = serializers.ChoiceField(
        source="sub_type", choices=[*TransactionSubType.values, ""]
    )
    status = serializers.ChoiceField(choices=TransactionStatus.choices)
    status_message = serializers.CharField(allow_null=True)
    status_message_code = serializers.ChoiceField(
        choices=StatusMessageCode.choices, allow_null=True
    )
    amount = serializers.IntegerField()
    bonus = serializers.BooleanField()
    loyalty_currency = serializers.CharField(source="loyalty_currency.code")
    origin_account = serializers.SerializerMethodField()
    destination_account = serializers.SerializerMethodField()
    external_reference = serializers.CharField()
    loyalty_system_id = serializers.CharField()
    loyalty_system_data = JSONObjectField()
    metadata = MetadataField()
    reason = serializers.CharField()
    reason_code = serializers.CharField()
    related_data = serializers.JSONField(allow_null=True)
    release_date = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    completed_at = serializers.DateTimeField(allow_null=True)

    @extend_schema_field(ACCOUNT_SCHEMA)
    def get_origin_account(self, tx: Transaction) -> dict:
        return account_data(tx.origin_account)

    @extend_schema_field(ACCOUNT_SCHEMA)
    def get_destination_account(self, tx: Transaction) -> dict:
        return account_data(tx.destination_account)

    def to_representation(self, instance: Transaction) -> dict:
        return transaction_data(instance)


def transaction_response(tx: Transaction, currency=None, *, status_code=status.HTTP_200_OK):
    """The Transaction shape of `tx`; `currency` saves re-reading the one the view resolved."""
    if currency is not None:
        tx.loyalty_currency = currency
    return Response(TransactionSerializer(tx).data, status=status_code)


# Requests ------------------------------------------------------------------------------------


class TransactionDetailsSerializer(serializers.Serializer):
    """The descriptive fields every movement request may carry."""

    external_reference = serializers.CharField(required=False, allow_blank=True, max_length=255)
    loyalty_system_data = JSONObjectField(required=False)
    metadata = MetadataField(required=False)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=255)
    reason_code = serializers.ChoiceField(choices=ReasonCode.choices, required=False)


def movement_details(data: dict) -> dict:
    """The descriptive fields present in validated `data`, as the services take them."""
    return {
        name: data[name] for name in TransactionDetailsSerializer._declared_fields if name in data
    }


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
    reason_code = serializers.ChoiceField(choices=ReasonCode.choices, required=False)
    release_date = FutureDateTimeField(required=False)


class TransactionMemberListRequest(serializers.Serializer):
    member = MemberIdentifiersField()
    loyalty_currency = serializers.CharField(max_length=64)


# Views ---------------------------------------------------------------------------------------


class TransactionListMixin:
    filterset_class = TransactionFilter
    serializer_class = TransactionSerializer

    def listing(self, transactions):
        """A page of `transactions` (a queryset or VisibleTransactions), newest first."""
        page = self.paginate_queryset(transactions)
        return self.get_paginated_response(TransactionSerializer(page, many=True).data)


class TransactionsView(TransactionListMixin, PartnerAPIView):
    queryset = Transaction.objects.none()  # names the model for the schema and the filters

    @extend_schema(
        operation_id="Transactions_listAllTransactions",
        tags=[TAG],
        summary="List transactions",
        responses={200: TransactionSerializer(many=True), **ERROR_RESPONSES},
    )
    def get(self, request):
        filters = self.filter_queryset(Transaction.objects.all())
        return self.listing(VisibleTransactions(self.partner, filters))

    @extend_schema(
        operation_id="Transactions_createTransaction",
        tags=[TAG],
        summary="Create a transaction (transfers only)",
        request=TransactionCreateRequest,
        responses={201: TransactionSerializer, **ERROR_RESPONSES},
        filters=False,
    )
    def post(self, request):
        data = self.validated(TransactionCreateRequest)
        currency = currency_get(code=data["loyalty_currency"])
        tx = services.transfer_create(
            partner=self.partner,
            loyalty_currency=currency,
            origin=data["origin"],
            destination=data["destination"],
            amount=data["amount"],
            **movement_details(data),
        )
        return transaction_response(tx, currency, status_code=status.HTTP_201_CREATED)


class MemberTransactionsView(TransactionListMixin, PartnerAPIView):
    @extend_schema(
        operation_id="Transactions_listMemberTransactions",
        tags=[TAG],
        summary="List a member's transactions",
        request=TransactionMemberListRequest,
        responses={200: TransactionSerializer(many=True), **ERROR_RESPONSES},
    )
    def post(self, request):
        data = self.validated(TransactionMemberListRequest)
        transactions = services.member_transactions(
            partner=self.partner,
            loyalty_currency=currency_get(code=data["loyalty_currency"]),
            member=data["member"],
        )
        return self.listing(
            self.filter_queryset(
                transactions.select_related(*TRANSACTION_RELATED).order_by("-created_at", "-id")
            )
        )


class TransactionDetailView(PartnerAPIView):
    @extend_schema(
        operation_id="Transactions_getDetails",
        tags=[TAG],
        summary="Retrieve a transaction.",
        responses={200: TransactionSerializer, **ERROR_RESPONSES},
    )
    def get(self, request, id):
        return transaction_response(visible_transaction_get(partner=self.partner, public_id=id))

    @extend_schema(
        operation_id="Transactions_updateTransactionDetails",
        tags=[TAG],
        summary="Update a pending transaction",
        request=TransactionUpdateRequest,
        responses={200: TransactionSerializer, **ERROR_RESPONSES},
    )
    def patch(self, request, id):
        data = self.validated(TransactionUpdateRequest)
        tx = services.transaction_update(partner=self.partner, public_id=id, **data)
        return transaction_response(tx)


class TransactionCancelView(PartnerAPIView):
    http_method_names = ["post", "options"]

    @extend_schema(
        operation_id="Transactions_cancelTransaction",
        tags=[TAG],
        summary="Cancel a pending transaction",
        request=None,
        responses={200: TransactionSerializer, **ERROR_RESPONSES},
    )
    def post(self, request, id):
        tx = services.transaction_cancel(partner=self.partner, public_id=id)
        return transaction_response(tx)
