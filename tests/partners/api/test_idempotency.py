"""Idempotency-Key on POST and PATCH (partners.api.idempotency): replays, scope, expiry, races."""

import datetime as dt
import json
import threading

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from loyalty.models import Transaction
from partners.models import IdempotencyRecord
from partners.tasks import purge_idempotency_records
from tests.partners.api.conftest import API, SignedClient, accrual_body, signed_client_for


def test_a_400_is_replayed_too(issuer_client, issuer, member):
    body = {**accrual_body(member, issuer), "amount": 0}
    first = issuer_client.post("/accruals/standard", body, idempotency_key="bad-1")
    again = issuer_client.post("/accruals/standard", body, idempotency_key="bad-1")
    assert first.status_code == again.status_code == 400
    assert again.content == first.content
    assert again["Idempotency-Repeated"] == "true"
    assert "Idempotency-Repeated" not in first


def test_a_415_is_replayed_as_its_schema_says(issuer_client, issuer, member):
    """The body is parsed by the view, inside the key's unit of work: its refusal is the answer
    the key keeps (documented so by partners.api.schema.document_body_errors)."""
    body = json.dumps(accrual_body(member, issuer)).encode()
    responses = [
        issuer_client.client.post(
            f"{API}/accruals/standard",
            data=body,
            content_type="text/plain",
            headers={"Authorization": issuer_client._auth(body), "Idempotency-Key": "plain-1"},
        )
        for _ in range(2)
    ]
    assert [r.status_code for r in responses] == [415, 415]
    assert responses[1].content == responses[0].content
    assert responses[1]["Idempotency-Repeated"] == "true"
    assert not Transaction.objects.exists()


def test_same_key_with_another_body_is_refused(issuer_client, issuer, member):
    issuer_client.post("/accruals/standard", accrual_body(member, issuer), idempotency_key="k")
    other = issuer_client.post(
        "/accruals/standard", accrual_body(member, issuer, amount=5), idempotency_key="k"
    )
    assert other.status_code == 400
    assert other.json()["errors"][0]["code"] == "idempotency_key_reused"
    assert Transaction.objects.count() == 1


def test_keys_are_scoped_per_partner(issuer_client, owner_client, issuer, member, currency):
    issuer_client.post("/accruals/standard", accrual_body(member, issuer), idempotency_key="same")
    response = owner_client.post(
        "/accruals/standard",
        {**accrual_body(member, issuer), "origin": currency.owner.public_id},
        idempotency_key="same",
    )
    assert response.status_code == 201
    assert "Idempotency-Repeated" not in response
    assert Transaction.objects.count() == 2


@pytest.mark.parametrize("key", ["", "x" * 256])
def test_key_length_is_checked(issuer_client, issuer, member, key):
    response = issuer_client.post(
        "/accruals/standard", accrual_body(member, issuer), idempotency_key=key
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"
    assert Transaction.objects.count() == 0


def test_keys_expire_after_eight_hours_and_are_purged(issuer_client, issuer, member):
    issuer_client.post("/accruals/standard", accrual_body(member, issuer), idempotency_key="old")
    with time_machine.travel(timezone.now() + dt.timedelta(hours=8, minutes=1)):
        again = issuer_client.post(
            "/accruals/standard", accrual_body(member, issuer), idempotency_key="old"
        )
        assert again.status_code == 201
        assert "Idempotency-Repeated" not in again
        assert Transaction.objects.count() == 2
    with time_machine.travel(timezone.now() + dt.timedelta(hours=17)):
        assert purge_idempotency_records() == 1
    assert IdempotencyRecord.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_repeat_while_the_first_runs_gets_409(issuer_client, issuer, member):
    """Hold the key's advisory lock from another connection, as a running first request does."""
    from partners.api import idempotency

    body = accrual_body(member, issuer)
    started, release = threading.Event(), threading.Event()

    def first_request_in_flight():
        from django.db import connection as thread_connection
        from django.db import transaction

        try:
            with transaction.atomic():
                idempotency.claim(partner_id=issuer.pk, key="busy", request=_FakeRequest(body))
                started.set()
                release.wait(10)
        finally:
            thread_connection.close()

    holder = threading.Thread(target=first_request_in_flight)
    holder.start()
    try:
        assert started.wait(10)
        response = issuer_client.post("/accruals/standard", body, idempotency_key="busy")
        assert response.status_code == 409
        assert response.json()["errors"][0]["code"] == "idempotency_in_flight"
    finally:
        release.set()
        holder.join()
    assert Transaction.objects.count() == 0


class _FakeRequest:
    method, path = "POST", "/public/v3.0/accruals/standard"

    def __init__(self, body):
        self.body = json.dumps(body).encode()


@pytest.mark.django_db(transaction=True)
def test_one_hundred_threads_with_one_key_create_one_transaction(issuer, member, currency):
    """Each thread holds its own database connection while it sends; a semaphore keeps them
    within the server's connection budget (max_connections 100, shared with the suite)."""
    client = signed_client_for(issuer)
    body = accrual_body(member, issuer)
    barrier = threading.Barrier(100)
    connections = threading.BoundedSemaphore(40)
    statuses: list[int] = []
    lock = threading.Lock()

    def send():
        local = SignedClient(client.public_key, client.secret_key)
        barrier.wait(30)
        with connections:
            try:
                response = local.post("/accruals/standard", body, idempotency_key="storm")
                with lock:
                    statuses.append(response.status_code)
            finally:
                connection.close()

    threads = [threading.Thread(target=send) for _ in range(100)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(statuses) == 100
    assert set(statuses) <= {201, 409}
    assert statuses.count(201) >= 1  # the first, then replays of it (201) or 409 while it ran
    assert Transaction.objects.count() == 1
    assert IdempotencyRecord.objects.count() == 1


@pytest.mark.parametrize("key", ["key\x00", "\x00"])
def test_a_key_with_a_nul_is_400_and_changes_nothing(issuer_client, issuer, member, key):
    """PostgreSQL cannot store or even look up such a key (it used to be a 500)."""
    response = issuer_client.post(
        "/accruals/standard", accrual_body(member, issuer), idempotency_key=key
    )
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert (error["field"], error["code"]) == ("Idempotency-Key", "invalid_idempotency_key")
    assert Transaction.objects.count() == 0
    assert IdempotencyRecord.objects.count() == 0
