"""What drf-spectacular cannot infer about the partner API: its signature, its idempotency headers,
its date-time format, the contract's component names, every field's meaning and example, the
guide at the top of the docs, and the public index, schema and docs views.

Registered on import: partners/api/urls.py imports the views below, which brings the extensions in
before any schema is generated; SPECTACULAR_SETTINGS names the postprocessing hooks.
"""

import copy
import datetime as dt
import re
from functools import cache
from pathlib import Path

from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.extensions import (
    OpenApiAuthenticationExtension,
    OpenApiSerializerFieldExtension,
)
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework import ISO_8601
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from partners.api.field_docs import field_doc
from partners.api.idempotency import GUARDED_METHODS, MAX_KEY_LENGTH, REPEATED_HEADER

GUIDE = Path(__file__).resolve().parent / "guide.md"
# Appended to every operation's description: the rules described once, in the guide.
OPERATION_RULES = (
    "Sign the request as in [Signing requests](#signing); a refusal has the "
    "[GenericError shape](#errors)."
)
IDEMPOTENT_OPERATION_RULES = " Send an [Idempotency-Key](#idempotency) to retry it safely."

SIGNATURE_DESCRIPTION = (
    "`Credential=<public key>, Signature=<signature>`. The signature is the hex-encoded "
    "HMAC-SHA256, keyed with the secret key, of the raw request body for POST and PATCH (byte "
    "for byte as sent), or of the query string without its leading `?` for GET (the empty "
    "string when there is none)."
)
IDEMPOTENCY_KEY_PARAMETER = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "description": (
        "A unique key of your choosing (a UUID is recommended), kept 8 hours. Repeating a "
        "request with the same key returns the original status and body instead of acting "
        "twice; a repeat while the first is still running gets 409."
    ),
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH},
}
REPEATED_RESPONSE_HEADER = {
    "description": "Present, with the value `true`, when this is the stored answer to a repeat.",
    "schema": {"type": "string", "enum": ["true"]},
}
COMPONENT_REF = "#/components/schemas/"
# Our serializers carry the contract's names (AccrualStandardCreateRequest, ...), to which
# COMPONENT_SPLIT_REQUEST appends another "Request"; pagination wraps a list as Paginated<X>List
# where the contract says <X>List.
_CONTRACT_NAMES = (
    (re.compile(r"^(?P<name>\w+Request)Request$"), r"\g<name>"),
    (re.compile(r"^Paginated(?P<name>\w+List)$"), r"\g<name>"),
)
# strftime directives of DATETIME_FORMAT as regular expressions (for the `pattern` of answers).
_STRFTIME_PATTERNS = {
    "%Y": r"\d{4}",
    "%m": r"\d{2}",
    "%d": r"\d{2}",
    "%H": r"\d{2}",
    "%M": r"\d{2}",
    "%S": r"\d{2}",
    "%f": r"\d{6}",
    "%z": r"[+-]\d{4}",
}
_REGEX_SPECIAL = frozenset(".^$*+?()[]{}|\\")
# Statuses an idempotent repeat can replay: the view's own answers. 401, 413 and 429 come before
# the key is looked at, and 409 is the answer to a repeat still running, so none of them is stored.
_NOT_REPLAYED = frozenset({"401", "409", "413", "429"})
# What the framework answers for any request body before the operation sees it.
_BODY_ERRORS = {
    "413": "The body is larger than this API accepts; nothing was changed.",
    "415": "The body is not JSON: send Content-Type: application/json; nothing was changed.",
}


class ApiIndexView(APIView):
    """GET /public/v3.0/: where to start, for whoever opens the API's base URL in a browser."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        return Response(
            {
                "name": "Loyalty back office partner API",
                "version": "3.0",
                "compatible_with": "Currency Alliance API 3.0",
                "docs": reverse("api-docs", request=request),
                "schema": reverse("api-schema", request=request),
                "authentication": "Every operation is signed: see the docs, 'Signing requests'.",
            }
        )


class PublicSchemaView(SpectacularAPIView):
    """The OpenAPI document, readable without a signature and absent from itself."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class PublicDocsView(SpectacularSwaggerView):
    """Swagger UI over the schema, from the sidecar's static files (no external URL)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class HMACAuthenticationScheme(OpenApiAuthenticationExtension):
    """Declares the request signature as an apiKey scheme on the Authorization header.

    OpenAPI cannot express an HMAC over the request, so the rule is in the description.
    """

    target_class = "partners.api.authentication.HMACAuthentication"
    name = "PartnerSignature"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": SIGNATURE_DESCRIPTION,
        }


def _strftime_pattern(format_: str) -> str | None:
    """A regular expression for what strftime(format_) yields, or None for an unknown directive."""
    pieces = []
    for part in re.split(r"(%.)", format_):
        if part.startswith("%") and len(part) == 2:
            if part not in _STRFTIME_PATTERNS:
                return None
            pieces.append(_STRFTIME_PATTERNS[part])
        else:
            pieces.append("".join(f"\\{c}" if c in _REGEX_SPECIAL else c for c in part))
    return "^" + "".join(pieces) + "$"


class ContractDateTimeField(OpenApiSerializerFieldExtension):
    """Date-times in answers as DATETIME_FORMAT writes them.

    The contract writes "2019-03-04T11:50:03+0000" (a UTC offset without a colon), which is
    ISO 8601 but not the RFC 3339 `date-time` format, so answers are described by a pattern.
    Requests accept any ISO 8601 date-time and keep the standard format.
    """

    target_class = "rest_framework.fields.DateTimeField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        format_ = getattr(self.target, "format", None) or api_settings.DATETIME_FORMAT
        pattern = _strftime_pattern(format_) if format_ != ISO_8601 else None
        if direction != "response" or pattern is None:
            return auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        example = dt.datetime(2019, 3, 4, 11, 50, 3, tzinfo=dt.UTC).strftime(format_)
        return {"type": "string", "pattern": pattern, "example": example}


class FilterSetModelExtension(DjangoFilterExtension):
    """Documents a view's filters from its FilterSet's model.

    Our views build their querysets from the calling partner's scope, so they declare no
    `queryset` for drf-spectacular to inspect; the FilterSet already names the model.
    """

    priority = 1

    def get_schema_operation_parameters(self, auto_schema, *args, **kwargs):
        filterset_class = getattr(auto_schema.view, "filterset_class", None)
        model = getattr(getattr(filterset_class, "_meta", None), "model", None)
        if model is None:
            return super().get_schema_operation_parameters(auto_schema, *args, **kwargs)
        parameters = []
        for name, filter_field in filterset_class.base_filters.items():
            parameters += self.resolve_filter_field(
                auto_schema, model, filterset_class, name, filter_field
            )
        return parameters


def document_body_errors(result, generator, request, public):
    """Postprocessing hook: 413 and 415 on every operation that takes a body, in the shape of its
    400 (GenericError). The framework reads and parses every body the same way, so any such
    operation may answer them, and a partner's client should expect it."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.get("responses", {})
            if "requestBody" not in operation or "400" not in responses:
                continue
            for status_code, description in _BODY_ERRORS.items():
                response = copy.deepcopy(responses["400"])
                responses.setdefault(status_code, {**response, "description": description})
    return result


def document_idempotency(result, generator, request, public):
    """Postprocessing hook: the Idempotency-Key header on every POST and PATCH, and the
    Idempotency-Repeated header on each response a repeat can replay."""
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method.upper() not in GUARDED_METHODS:
                continue
            operation.setdefault("parameters", []).append(dict(IDEMPOTENCY_KEY_PARAMETER))
            for status_code, response in operation.get("responses", {}).items():
                if status_code not in _NOT_REPLAYED and not status_code.startswith("5"):
                    response.setdefault("headers", {})[REPEATED_HEADER] = REPEATED_RESPONSE_HEADER
    return result


def _contract_name(name: str) -> str:
    for pattern, replacement in _CONTRACT_NAMES:
        if pattern.match(name):
            return pattern.sub(replacement, name)
    return name


def _rewrite_refs(node, renames: dict[str, str]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(COMPONENT_REF):
            name = ref.removeprefix(COMPONENT_REF)
            node["$ref"] = COMPONENT_REF + renames.get(name, name)
        for value in node.values():
            _rewrite_refs(value, renames)
    elif isinstance(node, list):
        for value in node:
            _rewrite_refs(value, renames)


def contract_component_names(result, generator, request, public):
    """Postprocessing hook: give components the contract's names, unless one is already taken."""
    schemas = result.get("components", {}).get("schemas", {})
    renames = {}
    for name in schemas:
        new_name = _contract_name(name)
        if new_name != name and new_name not in schemas and new_name not in renames.values():
            renames[name] = new_name
    if renames:
        renamed = {renames.get(name, name): schema for name, schema in schemas.items()}
        result["components"]["schemas"] = dict(sorted(renamed.items()))
        _rewrite_refs(result, renames)
    return result


@cache
def _guide() -> str:
    return GUIDE.read_text()


def api_guide(result, generator, request, public):
    """Postprocessing hook: the guide (signing with a worked example, idempotency, errors) as
    the schema's description, shown at the top of the docs; and a link to it from every
    operation, so that each rule is written once."""
    result.setdefault("info", {})["description"] = _guide()
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            rules = OPERATION_RULES
            if method.upper() in GUARDED_METHODS:
                rules += IDEMPOTENT_OPERATION_RULES
            description = operation.get("description", "").strip()
            operation["description"] = f"{description}\n\n{rules}" if description else rules
    return result


def document_fields(result, generator, request, public):
    """Postprocessing hook: a description and an example on every property of every component
    (partners.api.field_docs), where the serializer gave none. A property that is a bare $ref
    is wrapped in allOf, since OpenAPI 3.0 ignores the siblings of a $ref."""
    for name, schema in result.get("components", {}).get("schemas", {}).items():
        _document_properties(name, schema)
    return result


def _document_properties(component: str, schema: dict) -> None:
    for key in ("oneOf", "anyOf", "allOf"):
        for variant in schema.get(key, []):
            _document_properties(component, variant)
    items = schema.get("items")
    if isinstance(items, dict):
        _document_properties(component, items)
    for field, prop in schema.get("properties", {}).items():
        doc = field_doc(component, field)
        if doc is not None:
            if "$ref" in prop:
                prop["allOf"] = [{"$ref": prop.pop("$ref")}]
            description, example = doc
            prop.setdefault("description", description)
            prop.setdefault("example", example)
        _document_properties(component, prop)
