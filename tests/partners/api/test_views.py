"""The base view of the partner API (partners.api.views.PartnerAPIView)."""

import pytest

from loyalty.models import Transaction
from partners.models import IdempotencyRecord


def test_options_is_405_in_the_error_shape_not_a_crash(issuer_client):
    """The schema documents every shape; OPTIONS is not part of the contract."""
    response = issuer_client.send("OPTIONS", "/accruals/standard", b"")
    assert response.status_code == 405
    assert "POST" in response["Allow"]
    assert response.json()["errors"][0]["code"] == "method_not_allowed"


@pytest.mark.parametrize(
    ("client_name", "method", "path", "field"),
    [
        ("issuer_client", "GET", "/transactions/tx_%00", "id"),
        ("issuer_client", "PATCH", "/transactions/tx_%00", "id"),
        ("issuer_client", "POST", "/transactions/tx_%00/cancel", "id"),
        ("issuer_client", "GET", "/accruals/purchase-rules/executions/pre_%00", "id"),
        ("owner_client", "GET", "/cohorts/%00", "cohort_id"),
        ("owner_client", "GET", "/cohorts/%00/accounts", "cohort_id"),
        ("issuer_client", "GET", "/partners/x%00/data/y", "api_identifier"),
        ("issuer_client", "GET", "/partners/x/data/y%00", "field_name"),
    ],
)
def test_a_nul_in_a_path_id_is_a_json_404(request, client_name, method, path, field):
    """No row can hold such an id, and PostgreSQL refuses the query (it used to be a 500)."""
    client = request.getfixturevalue(client_name)
    if method == "GET":
        response = client.get(path)
    else:
        response = client.send(method, path, {"reason": "x"}, idempotency_key=f"nul-{method}")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["errors"] == [
        {"message": "Not found.", "field": field, "code": "not_found"}
    ]
    assert Transaction.objects.count() == 0
    assert IdempotencyRecord.objects.count() == 0
