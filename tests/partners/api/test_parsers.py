"""The request body parser (partners.api.parsers): JSON nested too deep is a 400, not a 500."""

import json

import pytest

from loyalty.models import Transaction
from partners.api.parsers import MAX_DEPTH, depth_exceeds
from tests.partners.api.conftest import accrual_body


def nested(levels: int) -> str:
    """JSON text of `levels` objects, each inside the previous one."""
    return '{"a": ' * (levels - 1) + "{}" + "}" * (levels - 1)


def accrual_nested(member, issuer, levels: int, **fields) -> bytes:
    """An accrual body `levels` deep in all: the body itself, then loyalty_system_data."""
    head = json.dumps({**accrual_body(member, issuer), **fields})
    return f'{head[:-1]}, "loyalty_system_data": {nested(levels - 1)}}}'.encode()


def test_depth_exceeds_counts_objects_and_lists():
    assert not depth_exceeds({}, 1)
    assert depth_exceeds({"a": {}}, 1)
    assert not depth_exceeds({"a": [1, "x"]}, 2)
    assert depth_exceeds({"a": [{}]}, 2)
    assert not depth_exceeds(json.loads(nested(MAX_DEPTH)), MAX_DEPTH)
    assert depth_exceeds(json.loads(nested(MAX_DEPTH + 1)), MAX_DEPTH)


@pytest.mark.parametrize("levels", [1_000, 10_000, 100_000])
def test_a_body_nested_too_deep_is_400_and_changes_nothing(issuer_client, issuer, member, levels):
    """1,000 levels and more used to end in a RecursionError: a 500."""
    response = issuer_client.post("/accruals/standard", accrual_nested(member, issuer, levels))
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["code"] == "parse_error"
    assert "nested more than 32 levels" in error["message"]
    assert Transaction.objects.count() == 0


@pytest.mark.parametrize("levels", [1_000, 100_000])
def test_a_bare_array_nested_too_deep_is_400(issuer_client, levels):
    response = issuer_client.post("/transactions", "[" * levels + "]" * levels)
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "parse_error"
    assert Transaction.objects.count() == 0


def test_32_levels_parse_and_33_do_not(issuer_client, issuer, member):
    """At 32 levels the request follows its own rules (refused for its amount, then accepted);
    at 33 it is refused before any rule (it used to be accepted and stored)."""
    too_deep = issuer_client.post(
        "/accruals/standard", accrual_nested(member, issuer, MAX_DEPTH + 1)
    )
    assert too_deep.status_code == 400
    assert [e["code"] for e in too_deep.json()["errors"]] == ["parse_error"]
    assert Transaction.objects.count() == 0

    refused = issuer_client.post(
        "/accruals/standard", accrual_nested(member, issuer, MAX_DEPTH, amount=0)
    )
    assert refused.status_code == 400
    assert [(e["field"], e["code"]) for e in refused.json()["errors"]] == [("amount", "min_value")]

    created = issuer_client.post("/accruals/standard", accrual_nested(member, issuer, MAX_DEPTH))
    assert created.status_code == 201, created.content
    stored = Transaction.objects.get().loyalty_system_data
    assert stored == json.loads(nested(MAX_DEPTH - 1))
