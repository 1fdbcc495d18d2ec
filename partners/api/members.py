"""Members (contract operations 13-15): create and update by the currency owner, lookup by any
partner of the currency.

Requests are strict about types, as the contract is: strings must be JSON strings (postal_code
may also be a number, as in the contract's own example), `country` is ISO 3166-1 alpha-3 in
capitals, `phone_number` is E.164 and `birth_date` is YYYY-MM-DD. An optional field sent as null
is cleared, so a partner may send back what a response gave it. Responses give an empty optional
field as null.
"""

import datetime as dt
import functools
import re

from django.core.validators import EmailValidator, RegexValidator
from django.utils import timezone
from drf_spectacular.serializers import PolymorphicProxySerializerExtension
from drf_spectacular.utils import (
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers, status
from rest_framework.fields import empty
from rest_framework.response import Response

from loyalty.models import Member, MemberGender, MemberType
from loyalty.selectors import currency_get
from loyalty.services import members as services
from loyalty.services.partnerships import is_owner
from partners.api.exceptions import ERROR_RESPONSES
from partners.api.fields import JSONObjectField, MemberIdentifiersField
from partners.api.views import PartnerAPIView

COUNTRY = r"^[A-Z]{3}\Z"
FIAT_CURRENCY = r"^[A-Z]{3}\Z"
E164 = r"^\+[0-9]{7,15}\Z"
ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
# What only the currency owner sees of a member; partners get null in their place.
PROFILE_FIELDS = (
    "additional_information",
    "address_line1",
    "address_line2",
    "address_line3",
    "bank_accounts",
    "birth_date",
    "city",
    "company_name",
    "company_registration_number",
    "country",
    "email",
    "first_name",
    "gender",
    "last_name",
    "phone_number",
    "postal_code",
    "state",
)


# Request fields ------------------------------------------------------------------------------


class TextField(serializers.CharField):
    """An optional JSON string; null clears the field (stored as blank)."""

    default_error_messages = {"not_string": "Must be a string."}

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def run_validation(self, data=empty):
        value = super().run_validation(data)
        return "" if value is None else value

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("not_string")
        return super().to_internal_value(data)


class PostalCodeField(TextField):
    """A string, or a number as in the contract's examples (`"postal_code": 11219`)."""

    def to_internal_value(self, data):
        if isinstance(data, int) and not isinstance(data, bool):
            data = str(data)
        return super().to_internal_value(data)


def pattern_field(pattern: str, message: str, **kwargs) -> TextField:
    """A TextField that must match `pattern` unless blank."""
    return TextField(validators=[RegexValidator(pattern, message)], **kwargs)


def country_field(**kwargs) -> TextField:
    return pattern_field(COUNTRY, "Use an ISO 3166-1 alpha-3 code in capitals, e.g. USA.", **kwargs)


@extend_schema_field(
    {"type": "string", "description": "individual or company.", "example": "individual"}
)
class MemberTypeField(serializers.ChoiceField):
    """individual | company, documented as the contract's plain string."""

    def __init__(self, **kwargs):
        super().__init__(choices=MemberType.choices, **kwargs)


class ChoiceOrBlankField(serializers.ChoiceField):
    """An optional enum value; null or "" clears the field."""

    def __init__(self, **kwargs):
        super().__init__(required=False, allow_blank=True, allow_null=True, **kwargs)

    def run_validation(self, data=empty):
        value = super().run_validation(data)
        return "" if value is None else value


@extend_schema_field({"type": "string", "format": "date", "example": "2000-01-01"})
class BirthDateField(serializers.Field):
    """YYYY-MM-DD, a real date and not in the future; null clears it."""

    default_error_messages = {
        "invalid": "Use the date format YYYY-MM-DD, e.g. 2000-01-01.",
        "future": "The birth date cannot be in the future.",
    }

    def __init__(self, **kwargs):
        super().__init__(required=False, allow_null=True, **kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str) or not ISO_DATE.match(data):
            self.fail("invalid")
        try:
            day = dt.date.fromisoformat(data)
        except ValueError:
            self.fail("invalid")
        if day > timezone.localdate():
            self.fail("future")
        return day

    def to_representation(self, value):
        return value.isoformat()


class MemberBankAccountSerializer(serializers.Serializer):
    """One entry of MemberBankAccountsField; keys outside the contract's are refused."""

    default_error_messages = {"unknown_keys": "Unknown bank account fields: {keys}."}

    account_holder = TextField(max_length=200, allow_null=False)
    account_name = TextField(max_length=200, allow_null=False)
    account_number = TextField(max_length=64, allow_null=False)
    bank_code = TextField(max_length=64, allow_null=False)
    bank_name = TextField(max_length=200, allow_null=False)
    bic_swift = TextField(max_length=11, allow_null=False)
    branch_code = TextField(max_length=64, allow_null=False)
    country = country_field(allow_null=False)
    fiat_currency = pattern_field(
        FIAT_CURRENCY, "Use an ISO 4217 code in capitals, e.g. EUR.", allow_null=False
    )
    id = TextField(max_length=100, allow_null=False)
    iban = TextField(max_length=34, allow_null=False)
    non_iban_code = TextField(max_length=64, allow_null=False)

    def to_internal_value(self, data):
        if isinstance(data, dict) and (unknown := sorted(set(data) - set(self.fields))):
            self.fail("unknown_keys", keys=", ".join(unknown))
        return dict(super().to_internal_value(data))


class BankAccountsField(serializers.ListField):
    """MemberBankAccountsField: a list of bank account objects; null clears it."""

    child = MemberBankAccountSerializer()

    def __init__(self, **kwargs):
        super().__init__(required=False, allow_null=True, **kwargs)

    def run_validation(self, data=empty):
        value = super().run_validation(data)
        return [] if value is None else value


# Requests ------------------------------------------------------------------------------------


class MemberRequestBase(serializers.Serializer):
    """What both member types share (MemberCreateRequest and MemberUpdateRequest)."""

    loyalty_program_identifiers = MemberIdentifiersField()
    loyalty_currency = serializers.CharField(
        required=False,
        max_length=64,
        help_text=(
            "Not in the contract: only a partner that owns several loyalty currencies sends it, "
            "to say which one the member belongs to."
        ),
    )
    type = MemberTypeField(required=False)
    tier = TextField(max_length=64, help_text="A tier id of the currency, e.g. gold.")
    email = TextField(max_length=254, validators=[EmailValidator()])
    phone_number = pattern_field(
        E164, "Use the E.164 format: + and 7 to 15 digits, e.g. +443031237300."
    )
    address_line1 = TextField(max_length=200)
    address_line2 = TextField(max_length=200)
    address_line3 = TextField(max_length=200)
    city = TextField(max_length=100)
    state = TextField(max_length=100)
    postal_code = PostalCodeField(max_length=32)
    country = country_field()
    bank_accounts = BankAccountsField()


class MemberIndividualRequest(MemberRequestBase):
    first_name = TextField(max_length=150)
    last_name = TextField(max_length=150)
    gender = ChoiceOrBlankField(choices=MemberGender.choices)
    birth_date = BirthDateField()


class MemberCompanyRequest(MemberRequestBase):
    company_name = TextField(max_length=200)
    company_registration_number = TextField(max_length=100)


class MemberWriteRequest(MemberIndividualRequest, MemberCompanyRequest):
    """Validates either variant; the service refuses fields that the member's type lacks."""


class MemberVariants(PolymorphicProxySerializer):
    """The contract's "Individual" | "Company" oneOf, told apart by their fields (no
    discriminator). Documentation only: requests are validated by MemberWriteRequest."""

    def __init__(self, component_name: str, serializers: list):
        super().__init__(
            component_name=component_name, serializers=serializers, resource_type_field_name=None
        )


class MemberVariantsExtension(PolymorphicProxySerializerExtension):
    """As a request, the oneOf states its required field, so the body is documented as required
    (drf-spectacular infers that from a component's own `required` list)."""

    target_class = MemberVariants

    def map_serializer(self, auto_schema, direction):
        schema = super().map_serializer(auto_schema, direction)
        if direction == "request":
            schema["required"] = ["loyalty_program_identifiers"]
        return schema


def member_request_schema(component_name: str) -> MemberVariants:
    return MemberVariants(component_name, [MemberIndividualRequest, MemberCompanyRequest])


class MemberLookupRequest(serializers.Serializer):
    loyalty_currency = serializers.CharField(max_length=64)
    loyalty_program_identifiers = MemberIdentifiersField()
    linked_loyalty_currency = serializers.CharField(required=False, max_length=64)
    loyalty_system_data = JSONObjectField(required=False)
    metadata = JSONObjectField(required=False, help_text="Deprecated: use loyalty_system_data.")


# Responses -----------------------------------------------------------------------------------


class BlankAsNullField(serializers.CharField):
    """A model text field on the wire: its blank value is null."""

    def __init__(self, **kwargs):
        super().__init__(allow_null=True, **kwargs)

    def to_representation(self, value):
        return value or None


class MemberTierSerializer(serializers.Serializer):
    id = serializers.CharField(source="code")
    level = serializers.IntegerField()
    name = serializers.CharField()


class MemberResponseBase(serializers.Serializer):
    """The fields of the contract's Member and MemberTypeCompany alike.

    Expects a member from loyalty.selectors.members_with_balance (tier, currency and
    `account_balance` loaded)
    and `balance_visible` / `profile_visible` in the context: a hidden field is null.
    """

    additional_information = JSONObjectField(allow_null=True)
    address_line1 = BlankAsNullField()
    address_line2 = BlankAsNullField()
    address_line3 = BlankAsNullField()
    balance = serializers.IntegerField(source="account_balance", allow_null=True)
    bank_accounts = serializers.ListField(child=MemberBankAccountSerializer(), allow_null=True)
    city = BlankAsNullField()
    country = BlankAsNullField()
    email = BlankAsNullField()
    id = serializers.CharField(source="public_id")
    loyalty_currency = serializers.CharField(source="loyalty_currency.code")
    loyalty_program_identifiers = MemberIdentifiersField()
    phone_number = BlankAsNullField()
    postal_code = BlankAsNullField()
    state = BlankAsNullField()
    tier = MemberTierSerializer(allow_null=True)
    type = MemberTypeField()

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not data["additional_information"]:
            data["additional_information"] = None
        if not self.context["balance_visible"]:
            data["balance"] = None
        if not self.context["profile_visible"]:
            data.update({name: None for name in PROFILE_FIELDS if name in data})
        return data


class MemberSerializer(MemberResponseBase):
    """The contract's Member (an individual)."""

    birth_date = serializers.DateField(allow_null=True)
    first_name = BlankAsNullField()
    gender = serializers.ChoiceField(choices=MemberGender.choices, allow_null=True)
    last_name = BlankAsNullField()

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["gender"] = data["gender"] or None
        return data


class MemberTypeCompanySerializer(MemberResponseBase):
    """The contract's MemberTypeCompany."""

    company_name = BlankAsNullField()
    company_registration_number = BlankAsNullField()


def member_response_schema(component_name: str) -> MemberVariants:
    return MemberVariants(component_name, [MemberSerializer, MemberTypeCompanySerializer])


def member_data(member: Member, *, as_owner: bool) -> dict:
    """The member as the caller may see it: the currency owner sees everything; another partner
    sees the id, identifiers, currency, type and tier, and the balance only where the currency
    makes balances visible to partners (its profile fields are null)."""
    serializer_class = (
        MemberTypeCompanySerializer if member.type == MemberType.COMPANY else MemberSerializer
    )
    balance_visible = as_owner or member.loyalty_currency.balances_visible_to_partners
    return dict(
        _member_representer(serializer_class, as_owner, balance_visible).to_representation(member)
    )


@functools.cache
def _member_representer(
    serializer_class: type[MemberResponseBase], profile_visible: bool, balance_visible: bool
) -> MemberResponseBase:
    """The process's instance of a member serializer for one visibility, for
    `to_representation` only (it keeps nothing of a member): building a serializer deep-copies
    its declared fields, which costs more than representing the member."""
    context = {"profile_visible": profile_visible, "balance_visible": balance_visible}
    return serializer_class(context=context)


# Views ---------------------------------------------------------------------------------------


class MembersView(PartnerAPIView):
    """POST creates a member, PATCH updates one; both for the currency owner only."""

    @extend_schema(
        operation_id="Members_createRecord",
        tags=["Members"],
        summary="Create a member (Currency Owners only)",
        description=(
            "Creates a member of your loyalty currency, with its account. If a member with the "
            "same loyalty_program_identifiers id exists, it is returned unchanged with 200. A "
            "partner that owns several loyalty currencies names one in `loyalty_currency`."
        ),
        request=member_request_schema("MemberCreateRequest"),
        responses={
            200: OpenApiResponse(
                member_response_schema("MembersCreateRecordResponse"),
                description="A member matching the received loyalty program identifiers was "
                "found; it is returned unchanged.",
            ),
            201: OpenApiResponse(
                member_response_schema("MembersCreateRecordResponse"),
                description="The member has been created.",
            ),
            **ERROR_RESPONSES,
        },
    )
    def post(self, request):
        data = self.validated(MemberWriteRequest)
        member, created = services.partner_member_register(
            partner=self.partner, loyalty_currency=data.pop("loyalty_currency", None), **data
        )
        return Response(
            member_data(member, as_owner=True),
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(
        operation_id="Members_updateMemberRecord",
        tags=["Members"],
        summary="Update a member (Currency Owners only)",
        description=(
            "Finds the member by its loyalty_program_identifiers id and changes only the fields "
            "sent; null clears an optional field. Changing `type` clears the fields of the "
            "other type."
        ),
        request=member_request_schema("MemberUpdateRequest"),
        responses={
            200: member_response_schema("MembersUpdateMemberRecordResponse"),
            **ERROR_RESPONSES,
        },
    )
    def patch(self, request):
        data = self.validated(MemberWriteRequest)
        member = services.partner_member_update(
            partner=self.partner, loyalty_currency=data.pop("loyalty_currency", None), **data
        )
        return Response(member_data(member, as_owner=True))


class MemberLookupView(PartnerAPIView):
    """Any partner with a partnership in the currency may look a member up.

    The currency owner sees the whole member. Another partner sees its id, identifiers,
    currency, type and tier, and its balance only if the currency has
    balances_visible_to_partners; the member's personal data (name, gender, birth date, email,
    phone, address, bank accounts, company details, additional information) is null for it.
    """

    @extend_schema(
        operation_id="Members_validateMemberDetails",
        tags=["Members"],
        summary="Lookup a member",
        description=(
            "Validates that a member exists and returns it. The balance is null unless you own "
            "the currency or its owner made balances visible to partners; personal data is "
            "returned to the currency owner only."
        ),
        request=MemberLookupRequest,
        responses={
            200: member_response_schema("MembersValidateMemberDetailsResponse"),
            **ERROR_RESPONSES,
        },
    )
    def post(self, request):
        data = self.validated(MemberLookupRequest)
        currency = currency_get(code=data["loyalty_currency"])
        member = services.member_lookup(
            partner=self.partner,
            loyalty_currency=currency,
            loyalty_program_identifiers=data["loyalty_program_identifiers"],
            linked_loyalty_currency=data.get("linked_loyalty_currency"),
        )
        return Response(member_data(member, as_owner=is_owner(self.partner, currency)))
