"""The base view of the partner API (partners.api.views.PartnerAPIView)."""


def test_options_is_405_in_the_error_shape_not_a_crash(issuer_client):
    """The schema documents every shape; OPTIONS is not part of the contract."""
    response = issuer_client.send("OPTIONS", "/accruals/standard", b"")
    assert response.status_code == 405
    assert "POST" in response["Allow"]
    assert response.json()["errors"][0]["code"] == "method_not_allowed"
