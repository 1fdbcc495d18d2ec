"""Every answer of the partner API that is not a success, in the contract's GenericError shape.

DRF's own exceptions (validation, authentication, throttling, 404, 405, 415), the API's own
(partners.api.exceptions) and the domain's DomainError are reshaped by `exception_handler`;
anything else is logged and answered with a bare 500, never a traceback. The error views below
answer the same shape for what Django itself refuses under /public/ (an unknown path, a bad Host
header, a body too large for Django's limit, a crash outside DRF), and Django's own pages
elsewhere; loyalty/urls.py names them as handler400/403/404/500.
"""

import logging
from collections.abc import Iterator

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, JsonResponse
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt, requires_csrf_token
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from loyalty.errors import DomainError
from partners.api.exceptions import PayloadTooLarge, error, error_body

logger = logging.getLogger("partners.api")
API_PREFIX = "/public/"


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
    if isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()
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


@csrf_exempt
def not_found(request, *args, **kwargs):
    """Unknown URLs under /public/v3.0/ answer JSON, whatever the method (a POST too: the API
    has no CSRF), not Django's HTML page."""
    body = error_body(error(f"No endpoint at {request.path}.", code="not_found"))
    return JsonResponse(body, status=status.HTTP_404_NOT_FOUND)


def _json(status_code: int, message: str, code: str) -> JsonResponse:
    return JsonResponse(error_body(error(message, code=code)), status=status_code)


def bad_request(request, exception=None):
    """handler400: a bad Host header, a body over Django's limit, another suspicious request."""
    if not request.path.startswith(API_PREFIX):
        return defaults.bad_request(request, exception)
    if isinstance(exception, RequestDataTooBig):
        too_large = PayloadTooLarge()
        return _json(too_large.status_code, str(too_large.detail), too_large.default_code)
    return _json(400, "The request could not be understood.", "bad_request")


@requires_csrf_token
def permission_denied(request, exception=None):
    """handler403."""
    if not request.path.startswith(API_PREFIX):
        return defaults.permission_denied(request, exception)
    return _json(403, "You do not have permission to perform this action.", "permission_denied")


def page_not_found(request, exception=None):
    """handler404 (used with DEBUG off; under the API the catch-all route answers first)."""
    if not request.path.startswith(API_PREFIX):
        return defaults.page_not_found(request, exception)
    return not_found(request)


def server_error(request):
    """handler500: a crash outside DRF's exception handling."""
    if not request.path.startswith(API_PREFIX):
        return defaults.server_error(request)
    return _json(500, "An internal error occurred; nothing was changed.", "server_error")
