"""Direct accruals (contract operation 1): a partner gives units to a member from its account."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status

from loyalty.selectors import currency_get
from loyalty.services.transactions import accrual_create
from partners.api.exceptions import ERROR_RESPONSES
from partners.api.fields import (
    AccountReferenceField,
    FutureDateTimeField,
    MemberIdentifiersField,
    PositiveAmountField,
)
from partners.api.transactions import (
    TransactionDetailsSerializer,
    TransactionSerializer,
    movement_details,
    transaction_response,
)
from partners.api.views import PartnerAPIView


class AccrualStandardCreateRequest(TransactionDetailsSerializer):
    amount = PositiveAmountField()
    loyalty_currency = serializers.CharField(max_length=64)
    member = MemberIdentifiersField()
    origin = AccountReferenceField(allow_member=False)
    bonus = serializers.BooleanField(required=False, default=False)
    release_date = FutureDateTimeField(required=False)


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
        currency = currency_get(code=data["loyalty_currency"])
        tx = accrual_create(
            partner=self.partner,
            loyalty_currency=currency,
            member=data["member"],
            origin=data["origin"],
            amount=data["amount"],
            bonus=data["bonus"],
            release_date=data.get("release_date"),
            **movement_details(data),
        )
        return transaction_response(tx, currency, status_code=status.HTTP_201_CREATED)
