"""The base of every partner API view: authentication, scope, throttling, idempotency, errors."""

from django.db import transaction
from rest_framework import generics

from loyalty.errors import NotFound
from partners.api import idempotency
from partners.api.authentication import HMACAuthentication
from partners.api.fields import unstorable
from partners.api.pagination import ContractPagination
from partners.api.permissions import IsPartner
from partners.api.throttling import PartnerRateThrottle


class PartnerAPIView(generics.GenericAPIView):
    """Signed, throttled, paginated; POST and PATCH are idempotent and atomic.

    A POST or PATCH runs in one database transaction together with its Idempotency-Key record
    (see partners.api.idempotency); a 5xx rolls the whole request back. `request.user` is the
    calling Partner.
    """

    authentication_classes = [HMACAuthentication]
    permission_classes = [IsPartner]
    throttle_classes = [PartnerRateThrottle]
    pagination_class = ContractPagination
    metadata_class = None  # OPTIONS is a 405 naming the allowed methods; the schema has shapes
    _idempotency: tuple[str, str] | None = None

    def dispatch(self, request, *args, **kwargs):
        if request.method not in idempotency.GUARDED_METHODS:
            return super().dispatch(request, *args, **kwargs)
        with transaction.atomic():
            response = super().dispatch(request, *args, **kwargs)
            if response.status_code >= 500:
                transaction.set_rollback(True)
            return response

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        for name, value in kwargs.items():
            # No row can hold such an id, and PostgreSQL would refuse the query: a 404.
            if isinstance(value, str) and unstorable(value):
                raise NotFound("Not found.", field=name)
        key = idempotency.request_key(request)
        if key is not None:
            request_fingerprint = idempotency.begin(
                partner_id=request.user.pk, key=key, request=request
            )
            self._idempotency = (key, request_fingerprint)

    def handle_exception(self, exc):
        if isinstance(exc, idempotency.Replay):
            return idempotency.replay_response(exc.record)
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if self._idempotency is not None and response.status_code < 500:
            key, request_fingerprint = self._idempotency
            idempotency.finish(
                partner_id=request.user.pk,
                key=key,
                request=request,
                request_fingerprint=request_fingerprint,
                response=response,
            )
        return response

    @property
    def partner(self):
        return self.request.user

    def validated(self, serializer_class) -> dict:
        """Validate the JSON body with `serializer_class`; a 400 in the error shape otherwise."""
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data
