"""Response shapes of the Partners operations, field for field as the contract's schemas.

Every list item has the partner's `partner_id`, `company_name`, `logo` and a `loyalty_currency`
{id, name}; the six partnership lists add `partnership_details`, whose shape depends on the list,
and the all-partners list adds `active_partnerships`. Items are read from `PartnerListEntry`
objects (partners.api.partners). The serializers' class names are the contract's schema names, so
the generated schema's components read as the contract's.
"""

from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from partners.models import ExecutionMode

REQUIRED_FIELDS_SCHEMA = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {
            "id": {"type": "string", "description": "HTML field id", "example": "card_number"},
            "name": {
                "type": "string",
                "description": "HTML field name to be displayed to the user",
                "example": "Loyalty Card number",
            },
        },
    },
}


def required_field_label(field: dict, language: str) -> str:
    """The field's name in `language` (ISO 639-1; "es" also serves "es-ES"), else English."""
    translations = field.get("translations") or {}
    for code in (language, language.split("-")[0]):
        if code and translations.get(code):
            return translations[code]
    return field.get("name", "")


@extend_schema_field(REQUIRED_FIELDS_SCHEMA)
class RequiredFieldsField(serializers.Field):
    """A partnership's stored required fields ({id, name, translations}) as the contract's
    [{id, name}], named in the language of the serializer context's `language` (may be "")."""

    def to_representation(self, value):
        language = self.context.get("language", "")
        return [
            {"id": field.get("id", ""), "name": required_field_label(field, language)}
            for field in value or []
        ]


class ConversionRatioField(serializers.DecimalField):
    """A decimal string without trailing zeros ("1.2", not "1.20000000"), as the contract shows."""

    def __init__(self, **kwargs):
        super().__init__(max_digits=20, decimal_places=8, allow_null=True, **kwargs)

    def to_representation(self, value: Decimal | None) -> str | None:
        return None if value is None else format(value.normalize(), "f")


class PartnerListItemLoyaltyCurrency(serializers.Serializer):
    id = serializers.CharField(source="code", help_text="The loyalty currency's identifier.")
    name = serializers.CharField()


class PartnerListItemBase(serializers.Serializer):
    partner_id = serializers.CharField(source="partner.public_id")
    company_name = serializers.CharField(source="partner.company_name")
    logo = serializers.CharField(source="partner.logo", help_text="URI of the partner's logo.")
    loyalty_currency = PartnerListItemLoyaltyCurrency()


class ActivePartnerships(serializers.Serializer):
    """Which partnerships the caller has with the partner in the currency, from its own side."""

    exchange_in = serializers.BooleanField()
    exchange_out = serializers.BooleanField()
    redemption = serializers.BooleanField()
    issuing = serializers.BooleanField()
    currency_owner_for_issuance = serializers.BooleanField()
    currency_owner_for_redemption = serializers.BooleanField()


class PartnerListItem(PartnerListItemBase):
    active_partnerships = ActivePartnerships()


# partnership_details: each reads a Partnership row (the entry's `partnership`).


class ExecuteAction(serializers.Serializer):
    required_fields = RequiredFieldsField(source="execute_required_fields")


class MemberLookupAction(serializers.Serializer):
    member_lookup_available = serializers.BooleanField()
    required_fields = RequiredFieldsField(source="member_lookup_required_fields")


class ExchangeInPartnershipDetails(serializers.Serializer):
    exchange_enabled = serializers.BooleanField()


class ExchangeOutPartnershipDetails(serializers.Serializer):
    batch_process = serializers.BooleanField()
    conversion_ratio_per_unit = ConversionRatioField()
    exchange_enabled = serializers.BooleanField()
    execute_action = ExecuteAction(source="*")
    maximum_member_transaction_amount = serializers.IntegerField(allow_null=True)
    member_lookup_action = MemberLookupAction(source="*")
    minimum_member_transaction_amount = serializers.IntegerField(allow_null=True)


@extend_schema_field({"type": "object", "properties": {}})
class IssuingPartnershipDetails(serializers.Field):
    """Always {}: the contract gives it no properties (an issuing partner's terms are what its
    own list, currency owners for issuance, shows)."""

    def to_representation(self, value) -> dict:
        return {}


class RedemptionPartnershipDetails(serializers.Serializer):
    adjustment_allowed = serializers.BooleanField()


class RedemptionCurrencyPartnershipDetails(serializers.Serializer):
    adjustment_allowed = serializers.BooleanField()
    member_lookup_action = MemberLookupAction(source="*")
    execute_action = ExecuteAction(source="*")


class IssuanceCurrencyPartnershipDetails(serializers.Serializer):
    batch_process = serializers.BooleanField(default=False)
    execute_action = ExecuteAction(source="*")
    loyalty_rules_execution_mode = serializers.ChoiceField(choices=ExecutionMode.choices)
    member_lookup_action = MemberLookupAction(source="*")


class ExchangeInPartnerListItem(PartnerListItemBase):
    partnership_details = ExchangeInPartnershipDetails(source="partnership")


class ExchangeOutPartnerListItem(PartnerListItemBase):
    partnership_details = ExchangeOutPartnershipDetails(source="partnership")


class IssuingPartnerListItem(PartnerListItemBase):
    partnership_details = IssuingPartnershipDetails(source="partnership")


class RedemptionPartnerListItem(PartnerListItemBase):
    partnership_details = RedemptionPartnershipDetails(source="partnership")


class RedemptionCurrencyPartnerListItem(PartnerListItemBase):
    partnership_details = RedemptionCurrencyPartnershipDetails(source="partnership")


class IssuanceCurrencyPartnerListItem(PartnerListItemBase):
    partnership_details = IssuanceCurrencyPartnershipDetails(source="partnership")


class PartnerDataListResponse(serializers.Serializer):
    field = serializers.CharField(source="field_name", help_text="The data field's name.")
    values = serializers.ListField(child=serializers.DictField())


# Query parameters.


class PartnerListQuery(serializers.Serializer):
    """The lists' filters: one partner or one loyalty currency, never both."""

    partner_id = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="Only this partner (part_...).",
    )
    loyalty_currency = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="Only partnerships in this loyalty currency, e.g. EXAMPLE_POINTS.",
    )

    def validate(self, attrs: dict) -> dict:
        attrs = {name: value.strip() for name, value in attrs.items() if value.strip()}
        if len(attrs) > 1:
            raise serializers.ValidationError(
                "Send either partner_id or loyalty_currency, not both.", code="invalid"
            )
        return attrs


class PartnerDetailsListQuery(PartnerListQuery):
    """The filters, and the language of the required fields' names."""

    language_display = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=(
            "ISO 639-1 code of the language to show the required_fields' names in; English "
            "when there is no translation."
        ),
    )

    def validate(self, attrs: dict) -> dict:
        language = attrs.pop("language_display", "").strip().lower()
        attrs = super().validate(attrs)
        return {**attrs, "language_display": language}
