"""The base of every partner API view: authentication, scope, throttling, idempotency, errors.

A request runs in three steps, and only the last touches a database transaction:

1. admission, outside any transaction: the signature, the rate-limit count and the request's
   reference-data scope (partners.api.authentication; loyalty.caching);
2. for GET, the view;
3. for POST and PATCH, one unit of work (loyalty.unit_of_work): the Idempotency-Key claim, the
   view and, last before COMMIT, the idempotency record of its answer with the deferred updates
   of partners' accounts, in one statement (loyalty.ledger.apply_deferred). A refusal raised by
   the view rolls all of it back; its 4xx answer is then recorded under the key on its own. A
   5xx rolls back and is never recorded.
"""

from functools import cache

from rest_framework import generics, serializers

from loyalty import caching, ledger
from loyalty.errors import NotFound
from loyalty.unit_of_work import unit_of_work
from partners.api import idempotency
from partners.api.authentication import HMACAuthentication
from partners.api.fields import unstorable
from partners.api.pagination import ContractPagination
from partners.api.permissions import IsPartner
from partners.api.throttling import PartnerRateThrottle


@cache
def validator(serializer_class: type[serializers.Serializer]) -> serializers.Serializer:
    """The process's instance of a request serializer, for `run_validation` only (it keeps
    nothing of a request: is_valid(), which does, is not called on it)."""
    return serializer_class()


class PartnerAPIView(generics.GenericAPIView):
    """Signed, throttled, paginated; POST and PATCH are idempotent and atomic.

    `request.user` is the calling Partner.
    """

    authentication_classes = [HMACAuthentication]
    permission_classes = [IsPartner]
    throttle_classes = [PartnerRateThrottle]
    pagination_class = ContractPagination
    metadata_class = None  # OPTIONS is a 405 naming the allowed methods; the schema has shapes

    def dispatch(self, request, *args, **kwargs):
        """DRF's dispatch, with the transaction drawn around the view and its record only."""
        self.args, self.kwargs = args, kwargs
        request = self.initialize_request(request, *args, **kwargs)
        self.request = request
        self.headers = self.default_response_headers
        claim = None
        try:
            self.initial(request, *args, **kwargs)
            handler = getattr(self, request.method.lower(), None)
            if handler is None or request.method.lower() not in self.http_method_names:
                handler = self.http_method_not_allowed
            if request.method in idempotency.GUARDED_METHODS:
                with unit_of_work(ledger.apply_deferred) as unit:
                    key = idempotency.request_key(request)
                    if key is not None:
                        claim = idempotency.claim(
                            partner_id=request.user.pk, key=key, request=request
                        )
                    response = handler(request, *args, **kwargs)
                    response = self.finalize_response(request, response, *args, **kwargs)
                    if claim is not None:
                        idempotency.complete(claim, response, unit=unit)
            else:
                response = self.finalize_response(
                    request, handler(request, *args, **kwargs), *args, **kwargs
                )
        except Exception as exc:
            response = self.finalize_response(request, self.handle_exception(exc), *args, **kwargs)
            if claim is not None and response.status_code < 500:
                idempotency.record(claim, request, response)
        finally:
            scope = getattr(request._request, "cache_scope", None)
            if scope is not None:
                caching.exit_scope(scope)
                request._request.cache_scope = None
        self.response = response
        return response

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        for name, value in kwargs.items():
            # No row can hold such an id, and PostgreSQL would refuse the query: a 404.
            if isinstance(value, str) and unstorable(value):
                raise NotFound("Not found.", field=name)

    def handle_exception(self, exc):
        if isinstance(exc, idempotency.Replay):
            return idempotency.replay_response(exc.record)
        return super().handle_exception(exc)

    @property
    def partner(self):
        return self.request.user

    def validated(self, serializer_class) -> dict:
        """Validate the JSON body with `serializer_class`; a 400 in the error shape otherwise.

        One instance of each request serializer validates every request of the process
        (validator): building a serializer deep-copies its declared fields, a fifth of an
        accrual's time, while validation itself leaves no state on the instance.
        """
        return validator(serializer_class).run_validation(self.request.data)
