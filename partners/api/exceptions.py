"""The partner API's own refusals, and the contract's GenericError shape every error takes:
{"errors": [{"message", "field", "code"}]} (partners.api.handlers puts every error in it).

The domain's refusals are loyalty.errors and partners.errors; these are the wire's: signatures,
bodies, idempotency keys. This module imports no view machinery, so authentication can use it.
"""

from django.conf import settings
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import exceptions, serializers, status

# The API's own refusals ---------------------------------------------------------------------

TIMESTAMP_HEADER = "Signature-Timestamp"


class InvalidCredentials(exceptions.AuthenticationFailed):
    default_detail = (
        "The request is not signed with a valid credential. Send "
        "'Authorization: Credential=<public key>, Signature=<hex HMAC-SHA256>' (a credential "
        f"in strict mode also signs the method, the path and {TIMESTAMP_HEADER})."
    )
    default_code = "authentication_failed"


class StaleSignature(exceptions.AuthenticationFailed):
    default_code = "authentication_failed"


class PayloadTooLarge(exceptions.APIException):
    status_code = 413
    default_code = "payload_too_large"

    def __init__(self):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        super().__init__(
            f"The request body is larger than the {limit:,} bytes ({limit // 1024:,} KiB) this "
            "API accepts."
        )


class IdempotencyInFlight(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "A request with this Idempotency-Key is still being processed; retry later."
    default_code = "idempotency_in_flight"


class IdempotencyKeyReused(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = (
        "This Idempotency-Key was already used for a different request (method, path or body); "
        "use a new key for a new request."
    )
    default_code = "idempotency_key_reused"


# The shape -----------------------------------------------------------------------------------


GENERIC_ERROR = inline_serializer(
    "GenericError",
    {
        "errors": serializers.ListField(
            child=inline_serializer(
                "GenericErrorItem",
                {
                    "message": serializers.CharField(),
                    "field": serializers.CharField(allow_null=True),
                    "code": serializers.CharField(),
                },
            )
        )
    },
)
# What every operation may answer besides its success (documented on each in the schema).
ERROR_RESPONSES = {
    code: OpenApiResponse(GENERIC_ERROR, description=text)
    for code, text in (
        (400, "Invalid request; nothing was changed."),
        (401, "Missing or invalid signature."),
        (403, "Outside your partnerships."),
        (404, "Not found, or not yours to see."),
        (409, "A request with this Idempotency-Key is still running."),
        (429, "Rate limit exceeded; see Retry-After."),
    )
}


# Messages may quote what was sent; beyond these lengths the quote is cut, so an answer never
# echoes a large input back.
MAX_MESSAGE_LENGTH = 500
MAX_FIELD_LENGTH = 200


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def error(message: str, *, code: str, field: str | None = None) -> dict:
    return {
        "message": _cut(str(message), MAX_MESSAGE_LENGTH),
        "field": None if field is None else _cut(field, MAX_FIELD_LENGTH),
        "code": code,
    }


def error_body(*errors: dict) -> dict:
    return {"errors": list(errors)}
