"""Response shapes of the core domain, field for field as the contract's schemas."""

from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

from loyalty.api.fields import JSONObjectField, MetadataField
from loyalty.models import (
    Account,
    StatusMessageCode,
    Transaction,
    TransactionStatus,
    TransactionSubType,
    TransactionType,
)

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


class TransactionSerializer(serializers.Serializer):
    """The contract's Transaction, read-only (note the hyphenated `sub-type`)."""

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


TRANSACTION_RELATED = (
    "loyalty_currency",
    "origin_account__member",
    "origin_account__partner",
    "destination_account__member",
    "destination_account__partner",
)
