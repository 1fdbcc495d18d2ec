"""Standard redemptions (contract operations 17-20): simulate, execute, adjust and cancel.

The contract's responses for simulate, execute and adjust are empty stubs; we answer with the
full shapes it defines but does not use (StandardRedemptionSimulationResponse,
StandardRedemptionResponse, AdjustRedemptionResponse), total_fiat_amount always a decimal
string. The member in each answer is shown as a member lookup shows it to the caller.
"""

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.response import Response

from loyalty.models import Account, RedemptionCategory
from loyalty.selectors import currency_get, members_with_balance
from loyalty.services import redemptions as services
from loyalty.services.partnerships import is_owner
from partners.api.exceptions import ERROR_RESPONSES
from partners.api.fields import (
    JSONObjectField,
    MemberIdentifiersField,
    MetadataField,
    PositiveAmountField,
)
from partners.api.members import member_data, member_response_schema
from partners.api.transactions import TransactionSerializer, transaction_data
from partners.api.views import PartnerAPIView, validator

TAG = "Standard redemptions"
_TEXT = {"required": False, "allow_blank": True, "max_length": 255}
_FIAT = {"max_digits": 20, "decimal_places": 4, "coerce_to_string": True}


# Requests ------------------------------------------------------------------------------------


class RedemptionItemBase(serializers.Serializer):
    category = serializers.ChoiceField(
        choices=RedemptionCategory.choices, default=RedemptionCategory.GENERAL
    )
    channel = serializers.CharField(**_TEXT)
    country = serializers.RegexField(
        r"^[A-Z]{3}$",
        required=False,
        error_messages={"invalid": "Use a three-letter ISO 3166-1 alpha-3 code, e.g. USA."},
    )
    metadata = MetadataField(required=False)
    product_code = serializers.CharField(**_TEXT)
    product_description = serializers.CharField(**_TEXT)
    promotion_code = serializers.CharField(**_TEXT)
    sub_category = serializers.CharField(**_TEXT)


class FiatAmountItem(RedemptionItemBase):
    """The contract's "Fiat Amount" item: a price in fiat, converted into points."""

    fiat_amount = serializers.DecimalField(**_FIAT)
    fiat_currency = serializers.RegexField(
        r"^[A-Z]{3}$", error_messages={"invalid": "Use a three-letter ISO 4217 code, e.g. EUR."}
    )

    def validate_fiat_amount(self, value):
        if value <= 0:
            raise serializers.ValidationError("The fiat amount must be greater than zero.")
        return value


class LoyaltyAmountItem(RedemptionItemBase):
    """The contract's "Loyalty amount" item: a price in points."""

    loyalty_amount = PositiveAmountField()


def _item_schema(serializer_class, title: str) -> dict:
    return {"title": title, "$ref": f"#/components/schemas/{serializer_class.__name__}"}


@extend_schema_field(
    {
        "oneOf": [
            _item_schema(FiatAmountItem, "Fiat Amount"),
            _item_schema(LoyaltyAmountItem, "Loyalty amount"),
        ]
    }
)
class RedemptionItemField(serializers.Field):
    """One item, in fiat (fiat_amount and fiat_currency) or in points (loyalty_amount)."""

    default_error_messages = {
        "invalid": "Each item is an object with either fiat_amount and fiat_currency, or "
        "loyalty_amount.",
    }

    def to_internal_value(self, data):
        if not isinstance(data, dict) or ("fiat_amount" in data) == ("loyalty_amount" in data):
            self.fail("invalid")
        kind = FiatAmountItem if "fiat_amount" in data else LoyaltyAmountItem
        return validator(kind).run_validation(data)

    def to_representation(self, value):
        return value


def redemption_items(**kwargs) -> serializers.ListField:
    return serializers.ListField(
        child=RedemptionItemField(),
        allow_empty=False,
        max_length=services.MAX_ITEMS,
        error_messages={"max_length": f"Send at most {services.MAX_ITEMS} redemption items."},
        **kwargs,
    )


class StandardRedemptionSimulationRequest(serializers.Serializer):
    loyalty_currency = serializers.CharField(max_length=64)
    redemption_items = redemption_items()
    member = MemberIdentifiersField(required=False)
    loyalty_system_data = JSONObjectField(required=False)
    metadata = MetadataField(required=False)


class StandardRedemptionRequest(serializers.Serializer):
    external_reference = serializers.CharField(max_length=255)
    loyalty_currency = serializers.CharField(max_length=64)
    member = MemberIdentifiersField()
    reason = serializers.CharField(max_length=255)
    redemption_items = redemption_items()
    loyalty_system_data = JSONObjectField(required=False)
    metadata = MetadataField(required=False)


class AdjustRedemptionRequest(serializers.Serializer):
    member = MemberIdentifiersField()
    new_external_reference = serializers.CharField(max_length=255)
    previous_external_reference = serializers.CharField(max_length=255)
    previous_transaction_id = serializers.CharField(max_length=64)
    reason = serializers.CharField(max_length=255)
    redemption_items = redemption_items()
    loyalty_system_data = JSONObjectField(required=False)
    metadata = MetadataField(required=False)


class CancelRedemptionRequest(serializers.Serializer):
    previous_external_reference = serializers.CharField(max_length=255)
    previous_transaction_id = serializers.CharField(max_length=64)
    reason = serializers.CharField(max_length=255)
    loyalty_system_data = JSONObjectField(required=False)
    metadata = MetadataField(required=False)


def _details(data: dict) -> dict:
    return {key: data[key] for key in ("loyalty_system_data", "metadata") if key in data}


# Responses -----------------------------------------------------------------------------------

_MEMBER = member_response_schema("RedemptionMember")


class StandardRedemptionResponseItem(serializers.Serializer):
    """An item of the contract's StandardRedemptionResponseItemList, with both amounts."""

    category = serializers.ChoiceField(choices=RedemptionCategory.choices)
    channel = serializers.CharField(required=False)
    country = serializers.CharField(required=False)
    fiat_amount = serializers.DecimalField(**_FIAT)
    fiat_currency = serializers.CharField()
    loyalty_amount = serializers.IntegerField()
    metadata = MetadataField(required=False)
    sub_category = serializers.CharField(required=False)


class StandardRedemptionSimulationResponse(serializers.Serializer):
    adjustment_allowed = serializers.BooleanField()
    loyalty_currency = serializers.CharField()
    maximum_fiat_balance = serializers.DecimalField(**_FIAT, allow_null=True)
    member = _MEMBER
    metadata = MetadataField()
    redemption_items = StandardRedemptionResponseItem(many=True)
    sufficient_balance = serializers.BooleanField(allow_null=True)
    total_fiat_amount = serializers.DecimalField(**_FIAT)
    total_loyalty_amount = serializers.IntegerField()


class StandardRedemptionResponse(serializers.Serializer):
    adjustment_allowed = serializers.BooleanField()
    external_reference = serializers.CharField()
    loyalty_currency = serializers.CharField()
    member = _MEMBER
    metadata = MetadataField()
    reason = serializers.CharField()
    redemption_items = StandardRedemptionResponseItem(many=True)
    total_fiat_amount = serializers.DecimalField(**_FIAT)
    total_loyalty_amount = serializers.IntegerField()
    transaction = TransactionSerializer()


class AdjustRedemptionResponse(serializers.Serializer):
    external_reference = serializers.CharField()
    fiat_amount_difference = serializers.DecimalField(**_FIAT)
    loyalty_amount_difference = serializers.IntegerField()
    member = _MEMBER
    metadata = MetadataField()
    previous_external_reference = serializers.CharField()
    previous_transaction_id = serializers.CharField()
    reason = serializers.CharField()
    total_fiat_amount = serializers.DecimalField(**_FIAT)
    total_loyalty_amount = serializers.IntegerField()
    transaction = TransactionSerializer()
    redemption_items = StandardRedemptionResponseItem(many=True)


class CancelRedemptionResponse(serializers.Serializer):
    member = _MEMBER
    metadata = MetadataField()
    transaction = TransactionSerializer()


RESPONSE_ITEM_FIELDS = tuple(StandardRedemptionResponseItem._declared_fields)


def _items(quote) -> list[dict]:
    """The priced items without product_code, product_description and promotion_code, which
    the response items do not carry (related_data keeps them)."""
    return [
        {key: value for key, value in item.data().items() if key in RESPONSE_ITEM_FIELDS}
        for item in quote.items
    ]


def balance_of(account: Account) -> int:
    return Account.objects.values_list("balance", flat=True).get(pk=account.pk)


class RedemptionView(PartnerAPIView):
    def member(self, member, currency) -> dict:
        """The member after the operation, as a lookup shows it to the caller."""
        fresh = members_with_balance().get(pk=member.pk)
        return member_data(fresh, as_owner=is_owner(self.partner, currency))


class StandardRedemptionSimulateView(RedemptionView):
    @extend_schema(
        operation_id="StandardRedemptions_simulateRedemption",
        tags=[TAG],
        summary="Simulate a redemption",
        description="What the items would cost in points, at the prices of your redemption "
        "partnership (and the member's tier when you name one); nothing is written. "
        "maximum_fiat_balance is the fiat value of the member's balance at the general price, "
        "null unless you may see balances.",
        request=StandardRedemptionSimulationRequest,
        responses={200: StandardRedemptionSimulationResponse, **ERROR_RESPONSES},
    )
    def post(self, request):
        data = self.validated(StandardRedemptionSimulationRequest)
        currency = currency_get(code=data["loyalty_currency"])
        simulation = services.redemption_simulate(
            partner=self.partner,
            loyalty_currency=currency,
            items=data["redemption_items"],
            member=data.get("member"),
        )
        quote = simulation.quote
        return Response(
            {
                "adjustment_allowed": quote.partnership.adjustment_allowed,
                "loyalty_currency": currency.code,
                "maximum_fiat_balance": (
                    None
                    if simulation.maximum_fiat_balance is None
                    else services.money(simulation.maximum_fiat_balance)
                ),
                "member": (
                    None if simulation.member is None else self.member(simulation.member, currency)
                ),
                "metadata": data.get("metadata", {}),
                "redemption_items": _items(quote),
                "sufficient_balance": simulation.sufficient_balance,
                "total_fiat_amount": services.money(quote.total_fiat_amount),
                "total_loyalty_amount": quote.total_loyalty_amount,
            }
        )


class StandardRedemptionView(RedemptionView):
    @extend_schema(
        operation_id="StandardRedemptions_executeRedemption",
        tags=[TAG],
        summary='Execute a redemption (creates a "Redemption" transaction)',
        description="One redemption transaction (sub-type standard) from the member to your "
        "account. Refused with nothing written when the member's balance does not cover it, a "
        "category is not one your partnership accepts, the total is outside its minimum or "
        "maximum, or the member is not active.",
        request=StandardRedemptionRequest,
        responses={200: StandardRedemptionResponse, **ERROR_RESPONSES},
    )
    def post(self, request):
        data = self.validated(StandardRedemptionRequest)
        currency = currency_get(code=data["loyalty_currency"])
        # The member's answer is prepared before the redemption locks its account (the lock
        # is held until the commit), and only its balance is read again afterwards. A caller
        # that is not shown the balance has the debit written last, just before COMMIT (after
        # this answer and its idempotency record): a member paying from many clients at once
        # is then locked for that UPDATE and the commit only.
        account = services.redemption_member_get(
            partner=self.partner, loyalty_currency=currency, identifiers=data["member"]
        )
        member = member_data(account.member, as_owner=is_owner(self.partner, currency))
        shows_balance = member["balance"] is not None
        record = services.redemption_execute(
            partner=self.partner,
            loyalty_currency=currency,
            member=data["member"],
            items=data["redemption_items"],
            external_reference=data["external_reference"],
            reason=data["reason"],
            member_account=account,
            late_debit=not shows_balance,
            **_details(data),
        )
        tx, quote = record.transaction, record.quote
        tx.loyalty_currency = currency
        if shows_balance:
            member["balance"] = balance_of(tx.origin_account)
        return Response(
            {
                "adjustment_allowed": record.partnership.adjustment_allowed,
                "external_reference": tx.external_reference,
                "loyalty_currency": currency.code,
                "member": member,
                "metadata": tx.metadata,
                "reason": tx.reason,
                "redemption_items": _items(quote),
                "total_fiat_amount": services.money(quote.total_fiat_amount),
                "total_loyalty_amount": quote.total_loyalty_amount,
                "transaction": transaction_data(tx),
            }
        )


class StandardRedemptionAdjustView(RedemptionView):
    @extend_schema(
        operation_id="StandardRedemptions_adjustRedemption",
        tags=[TAG],
        summary='Adjust a redemption (original → "Adjusted"; new "Redemption"/"Adjustment" tx)',
        description="Send the whole redemption as it now is. The latest transaction of the "
        "redemption becomes adjusted and a redemption transaction of sub-type "
        "adjustment_increase or adjustment_decrease moves the difference. "
        "previous_transaction_id and previous_external_reference name the latest adjustment "
        "when there was one; a 400 names it otherwise.",
        request=AdjustRedemptionRequest,
        responses={200: AdjustRedemptionResponse, **ERROR_RESPONSES},
    )
    def post(self, request):
        data = self.validated(AdjustRedemptionRequest)
        record = services.redemption_adjust(
            partner=self.partner,
            member=data["member"],
            previous_transaction_id=data["previous_transaction_id"],
            previous_external_reference=data["previous_external_reference"],
            new_external_reference=data["new_external_reference"],
            items=data["redemption_items"],
            reason=data["reason"],
            **_details(data),
        )
        tx, quote = record.transaction, record.quote
        currency = record.partnership.loyalty_currency
        tx.loyalty_currency = currency
        return Response(
            {
                "external_reference": tx.external_reference,
                "fiat_amount_difference": services.money(record.fiat_amount_difference),
                "loyalty_amount_difference": record.loyalty_amount_difference,
                "member": self.member(record.member, currency),
                "metadata": tx.metadata,
                "previous_external_reference": record.previous.external_reference,
                "previous_transaction_id": record.previous.public_id,
                "reason": tx.reason,
                "total_fiat_amount": services.money(quote.total_fiat_amount),
                "total_loyalty_amount": quote.total_loyalty_amount,
                "transaction": transaction_data(tx),
                "redemption_items": _items(quote),
            }
        )


class StandardRedemptionCancelView(RedemptionView):
    @extend_schema(
        operation_id="StandardRedemptions_cancelRedemption",
        tags=[TAG],
        summary='Cancel a redemption (original → "Cancelled"; new "Redemption"/"Cancellation" tx)',
        description="The latest transaction of the redemption becomes cancelled and a "
        "redemption transaction of sub-type cancellation gives the member back what the "
        "redemption took. A redemption is cancelled once.",
        request=CancelRedemptionRequest,
        responses={200: CancelRedemptionResponse, **ERROR_RESPONSES},
    )
    def post(self, request):
        data = self.validated(CancelRedemptionRequest)
        record = services.redemption_cancel(
            partner=self.partner,
            previous_transaction_id=data["previous_transaction_id"],
            previous_external_reference=data["previous_external_reference"],
            reason=data["reason"],
            **_details(data),
        )
        tx = record.transaction
        currency = record.partnership.loyalty_currency
        tx.loyalty_currency = currency
        return Response(
            {
                "member": self.member(record.member, currency),
                "metadata": tx.metadata,
                "transaction": transaction_data(tx),
            }
        )
