"""Request fields shared by the partner API's serializers, strict about types as the contract is."""

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

MAX_METADATA_DEPTH = 5


class StrictIntegerField(serializers.IntegerField):
    """A JSON integer only: "100", 100.5 and true are refused (DRF would coerce them)."""

    default_error_messages = {"invalid": "A valid integer is required."}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class PositiveAmountField(StrictIntegerField):
    """A whole number of loyalty units greater than zero."""

    default_error_messages = {"min_value": "The amount must be greater than zero."}

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**62)
        super().__init__(**kwargs)


def _depth(value) -> int:
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return max((_depth(v) for v in value), default=0)
    return 0


def unstorable(value) -> bool:
    """A NUL or a lone surrogate anywhere in a string, or in the keys and values of a JSON
    value: PostgreSQL's text and jsonb cannot store either (DRF's CharField refuses both too)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item or any("\ud800" <= ch <= "\udfff" for ch in item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


@extend_schema_field({"type": "object", "additionalProperties": True, "example": {}})
class JSONObjectField(serializers.JSONField):
    """Any JSON object (loyalty_system_data and similar) that the database can store."""

    default_error_messages = {
        "not_object": "Must be a JSON object.",
        "unstorable": "Null characters and lone surrogates are not allowed.",
    }

    def to_internal_value(self, data):
        data = super().to_internal_value(data)
        if not isinstance(data, dict):
            self.fail("not_object")
        if unstorable(data):
            self.fail("unstorable")
        return data


@extend_schema_field({"type": "object", "additionalProperties": True, "example": {"foo": "bar"}})
class MetadataField(JSONObjectField):
    """A JSON object with at most five levels of nesting."""

    default_error_messages = {
        "not_object": "Metadata must be a JSON object.",
        "too_deep": f"Metadata may nest at most {MAX_METADATA_DEPTH} levels.",
    }

    def to_internal_value(self, data):
        data = super().to_internal_value(data)
        if _depth(data) > MAX_METADATA_DEPTH:
            self.fail("too_deep")
        return data


@extend_schema_field(
    {"type": "object", "additionalProperties": True, "example": {"id": "M12334532X"}}
)
class MemberIdentifiersField(JSONObjectField):
    """loyalty_program_identifiers: an object whose `id` is the membership number."""

    default_error_messages = {"no_id": "Give the membership number as the field `id`."}

    def to_internal_value(self, data):
        data = super().to_internal_value(data)
        value = data.get("id")
        if isinstance(value, bool) or not isinstance(value, str | int) or str(value).strip() == "":
            self.fail("no_id")
        return data


@extend_schema_field(
    {
        "oneOf": [
            {"type": "object", "additionalProperties": True, "title": "Member identifiers"},
            {"type": "string", "title": "Account id", "example": "acc_abcd1234"},
            {"type": "string", "title": "Partner id", "example": "part_abcd1234"},
        ]
    }
)
class AccountReferenceField(serializers.Field):
    """An origin or destination: member identifiers, an account id or a partner id."""

    default_error_messages = {
        "invalid": "Give an account id (acc_...), a partner id (part_...) or member identifiers.",
        "unstorable": "Null characters and lone surrogates are not allowed.",
    }

    def __init__(self, *, allow_member: bool = True, **kwargs):
        self.allow_member = allow_member
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, str) and data.startswith(("acc_", "part_")):
            if unstorable(data) or len(data) > 64:
                self.fail("unstorable" if unstorable(data) else "invalid")
            return data
        if self.allow_member and isinstance(data, dict):
            return MemberIdentifiersField().run_validation(data)
        self.fail("invalid")

    def to_representation(self, value):
        return value


@extend_schema_field(OpenApiTypes.DATETIME)
class FutureDateTimeField(serializers.DateTimeField):
    """An ISO 8601 date-time in the future; without a zone it is read as UTC."""

    default_error_messages = {"past": "The release date must be in the future."}

    def to_internal_value(self, value):
        moment = super().to_internal_value(value)
        if moment.replace(second=0, microsecond=0) <= timezone.now():
            self.fail("past")
        return moment
