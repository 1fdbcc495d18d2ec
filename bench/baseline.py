"""POST /bench/baseline: the floor under the accrual endpoint's cost, for the API benchmark only.

The same server, middleware, JSON parsing and database as the partner API, and a ledger-shaped
write (one transaction row inserted and one balance updated, in one database transaction), but
no signature, permission, throttle, idempotency record, lookups or serializer. The accrual
endpoint's throughput is read as a fraction of this one's. It writes a balance outside the
ledger, which is why it is served only by bench.urls on a throwaway database.
"""

from functools import cache

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from loyalty.models import (
    Account,
    Transaction,
    TransactionStatus,
    TransactionSubType,
    TransactionType,
)

# The two accounts the baseline moves units between; the benchmark creates them by these ids.
ORIGIN_PUBLIC_ID = "acc_bench_baseline_origin"
DESTINATION_PUBLIC_ID = "acc_bench_baseline_destination"


@cache
def _accounts() -> tuple[int, int, int]:
    """(currency id, origin id, destination id), read once per process like a constant."""
    rows = {
        public_id: (pk, currency_id)
        for public_id, pk, currency_id in Account.objects.filter(
            public_id__in=[ORIGIN_PUBLIC_ID, DESTINATION_PUBLIC_ID]
        ).values_list("public_id", "pk", "loyalty_currency_id")
    }
    (origin_id, currency_id), (destination_id, _) = (
        rows[ORIGIN_PUBLIC_ID],
        rows[DESTINATION_PUBLIC_ID],
    )
    return currency_id, origin_id, destination_id


class BaselineView(APIView):
    authentication_classes = []
    permission_classes = []
    throttle_classes = []

    def post(self, request):
        amount = request.data.get("amount")
        if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
            return Response({"amount": "a positive integer"}, status=status.HTTP_400_BAD_REQUEST)
        currency_id, origin_id, destination_id = _accounts()
        with transaction.atomic():
            tx = Transaction.objects.create(
                loyalty_currency_id=currency_id,
                origin_account_id=origin_id,
                destination_account_id=destination_id,
                amount=amount,
                type=TransactionType.ACCRUAL,
                sub_type=TransactionSubType.STANDARD,
                status=TransactionStatus.COMPLETED,
                completed_at=timezone.now(),
            )
            Account.objects.filter(pk=destination_id).update(balance=F("balance") + amount)
        return Response({"id": tx.public_id, "amount": amount}, status=status.HTTP_201_CREATED)
