"""Every API error in the contract's GenericError shape: {"errors": [{"message", "field", "code"}]}.

DRF's own exceptions (validation, authentication, throttling, 404, 405, 415), the API's own
(below) and the domain's DomainError are reshaped here; anything else is logged and answered with
a bare 500, never a traceback.
"""

import logging
from collections.abc import Iterator

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, JsonResponse
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from loyalty.errors import DomainError

logger = logging.getLogger("partners.api")


# The API's own refusals besides authentication's (the domain's are loyalty.errors and
# partners.errors) ------------------------------------------------------------------------------


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


def error(message: str, *, code: str, field: str | None = None) -> dict:
    return {"message": str(message), "field": field, "code": code}


def error_body(*errors: dict) -> dict:
    return {"errors": list(errors)}


def _flatten(detail, field: str | None = None) -> Iterator[dict]:
    """Walk DRF's nested error detail; nested fields are named with dots (member.id, items.0)."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = None if key in ("non_field_errors", "detail") else str(key)
            yield from _flatten(value, f"{field}.{name}" if field and name else (name or field))
    elif isinstance(detail, list):
        for index, value in enumerate(detail):
            if isinstance(value, dict | list):
                yield from _flatten(value, f"{field}.{index}" if field else str(index))
            else:
                yield from _flatten(value, field)
    else:
        yield error(str(detail), code=getattr(detail, "code", None) or "invalid", field=field)


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return Response(
            error_body(error(exc.message, code=exc.code, field=exc.field)),
            status=exc.http_status,
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        logger.exception("unhandled error in %s", context.get("view").__class__.__name__)
        return Response(
            error_body(
                error("An internal error occurred; nothing was changed.", code="server_error")
            ),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    response.data = error_body(*_flatten(response.data))
    return response


def not_found(request, *args, **kwargs):
    """Unknown URLs under /public/v3.0/ answer JSON, not Django's HTML page."""
    body = error_body(error(f"No endpoint at {request.path}.", code="not_found"))
    return JsonResponse(body, status=status.HTTP_404_NOT_FOUND)
