"""`page` and `page_size` with the contract's envelope (partners.api.pagination)."""

import pytest


def test_pages_walk_with_next_and_previous(issuer_client, five_accruals):
    first = issuer_client.get("/transactions", {"page_size": 2}).json()
    assert first["count"] == 5
    assert first["previous"] is None
    assert first["next"] == "?page_size=2&page=2"
    seen = [tx["id"] for tx in first["results"]]
    query = first["next"]
    while query:
        params = dict(pair.split("=") for pair in query.lstrip("?").split("&"))
        page = issuer_client.get("/transactions", params).json()
        seen += [tx["id"] for tx in page["results"]]
        query = page["next"]
    assert sorted(seen) == sorted(tx["id"] for tx in five_accruals)


@pytest.mark.parametrize(
    "params",
    [{"page_size": 0}, {"page_size": 501}, {"page_size": "x"}, {"page": 0}, {"page": "x"}],
)
def test_bad_pagination_is_400(issuer_client, params):
    response = issuer_client.get("/transactions", params)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] in {"page", "page_size"}


def test_page_past_the_end_is_404(issuer_client, five_accruals):
    assert issuer_client.get("/transactions", {"page": 9}).status_code == 404
