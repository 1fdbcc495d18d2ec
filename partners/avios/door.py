"""The inbound Avios-style credit door (partners.services.inbound.avios_credit):

    POST /{version}/programmes/{CURRENCY}/accounts/{membership id}/credit-transaction-requests
         ?api_key=KEY

JSON in, JSON out, the contract's error shape for every refusal; 201 with the credit's
identifier, dateMade and the echoed fields on success.
"""

import json

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from partners.avios import contract
from partners.services.inbound import avios_credit


@csrf_exempt
@require_POST
def credit_transaction_request(request, version: str, programme: str, account: str):
    if request.content_type != "application/json":
        refused = contract.error(contract.DATA_INVALID, "Send Content-Type: application/json.")
        return JsonResponse(refused.body(), status=refused.status)
    try:
        body = json.loads(request.body or b"null")
    except ValueError:
        body = None
    try:
        answer = avios_credit(
            version=version,
            programme=programme,
            account=account,
            api_key=request.GET.get("api_key", ""),
            body=body,
        )
    except contract.ContractError as refused:
        return JsonResponse(refused.body(), status=refused.status)
    return JsonResponse(answer, status=201)
