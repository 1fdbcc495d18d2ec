"""The API's conventions: signatures, idempotency, errors, pagination, filters, throttling."""

import datetime as dt
import json
import threading

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.utils import timezone

from loyalty.models import Transaction
from partners.api.authentication import sign
from partners.models import IdempotencyRecord
from partners.services.credentials import credential_revoke
from partners.tasks import purge_idempotency_records
from tests.partners.api.conftest import API, SignedClient, signed_client_for


def accrual_body(member, issuer, amount=100):
    return {
        "amount": amount,
        "loyalty_currency": "EXAMPLE_POINTS",
        "member": member.loyalty_program_identifiers,
        "origin": issuer.public_id,
    }


# Signatures -----------------------------------------------------------------------------------


def test_contract_signature_examples():
    assert (
        sign("sec_12345", b'{"foo": "bar"}')
        == "4d84ba663b9c6179dd98023087da5baa8a4e3eb59ba45284935261350ba70742"
    )
    assert (
        sign("sec_12345", b"foo=bar")
        == "88d64dfcb542c35dc22bae059bd5f5a5d038572a7b391dfc4cd5f3a5530c1760"
    )


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "Bearer abc",
        "Credential=pub_unknown, Signature=" + "0" * 64,
        "Credential=, Signature=abc",
        "Signature=abc, Credential=pub_x",
    ],
)
def test_missing_or_malformed_authorization_is_401(db, header):
    headers = {"Authorization": header} if header is not None else {}
    response = Client().get(f"{API}/transactions", headers=headers)
    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "authentication_failed"


def test_unknown_key_and_wrong_signature_get_the_same_answer(issuer_client):
    wrong = SignedClient(issuer_client.public_key, "sec_wrong")
    unknown = SignedClient("pub_unknown", issuer_client.secret_key)
    first, second = wrong.get("/transactions"), unknown.get("/transactions")
    assert first.status_code == second.status_code == 401
    assert first.json() == second.json()


def test_get_signs_the_query_string(issuer_client):
    assert issuer_client.get("/transactions", {"page_size": 5}).status_code == 200
    # Signature over the empty string does not cover a query string that was added afterwards.
    signature = sign(issuer_client.secret_key, b"")
    response = Client().get(
        f"{API}/transactions?page_size=5",
        headers={"Authorization": f"Credential={issuer_client.public_key}, Signature={signature}"},
    )
    assert response.status_code == 401


def test_body_is_signed_byte_for_byte(issuer_client, issuer, member):
    body = json.dumps(accrual_body(member, issuer))
    signature = sign(issuer_client.secret_key, body.encode())
    reserialised = json.dumps(accrual_body(member, issuer), indent=2)
    response = Client().post(
        f"{API}/accruals/standard",
        data=reserialised,
        content_type="application/json",
        headers={"Authorization": f"Credential={issuer_client.public_key}, Signature={signature}"},
    )
    assert response.status_code == 401
    assert Transaction.objects.count() == 0


def test_revoked_credential_is_refused(issuer_client):
    from partners.models import PartnerCredential

    credential_revoke(credential=PartnerCredential.objects.get(public_key=issuer_client.public_key))
    assert issuer_client.get("/transactions").status_code == 401


def test_last_used_is_recorded(issuer_client):
    from partners.models import PartnerCredential

    issuer_client.get("/transactions")
    assert PartnerCredential.objects.get(public_key=issuer_client.public_key).last_used_at


# Errors ---------------------------------------------------------------------------------------


def test_unknown_url_under_the_api_is_json_404(db):
    response = Client().get(f"{API}/no/such/thing")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["errors"][0]["code"] == "not_found"


def test_wrong_method_is_405_in_the_error_shape(issuer_client):
    response = issuer_client.send("PUT", "/accruals/standard", {})
    assert response.status_code == 405
    assert response.json()["errors"][0]["code"] == "method_not_allowed"


def test_non_json_body_is_415(issuer_client):
    body = b"amount=1"
    response = issuer_client.client.post(
        f"{API}/accruals/standard",
        data=body,
        content_type="application/x-www-form-urlencoded",
        headers={"Authorization": issuer_client._auth(body)},
    )
    assert response.status_code == 415
    assert response.json()["errors"][0]["code"] == "unsupported_media_type"


def test_options_is_405_in_the_error_shape_not_a_crash(issuer_client):
    """The schema documents every shape; OPTIONS is not part of the contract."""
    response = issuer_client.send("OPTIONS", "/accruals/standard", b"")
    assert response.status_code == 405
    assert "POST" in response["Allow"]
    assert response.json()["errors"][0]["code"] == "method_not_allowed"


def test_malformed_json_is_400(issuer_client):
    response = issuer_client.post("/accruals/standard", b"{not json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "parse_error"


def test_server_error_is_json_without_traceback(issuer_client, monkeypatch):
    from partners.api import transactions

    def explode(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(transactions.TransactionsView, "get_queryset", explode)
    issuer_client.client.raise_request_exception = False
    response = issuer_client.get("/transactions")
    assert response.status_code == 500
    assert b"secret internals" not in response.content
    assert b"Traceback" not in response.content
    assert response.json()["errors"][0]["code"] == "server_error"


# Idempotency ----------------------------------------------------------------------------------


def test_a_400_is_replayed_too(issuer_client, issuer, member):
    body = {**accrual_body(member, issuer), "amount": 0}
    first = issuer_client.post("/accruals/standard", body, idempotency_key="bad-1")
    again = issuer_client.post("/accruals/standard", body, idempotency_key="bad-1")
    assert first.status_code == again.status_code == 400
    assert again.content == first.content
    assert again["Idempotency-Repeated"] == "true"
    assert "Idempotency-Repeated" not in first


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
                idempotency.begin(partner_id=issuer.pk, key="busy", request=_FakeRequest(body))
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


# Pagination and filters -----------------------------------------------------------------------


@pytest.fixture
def five_accruals(issuer_client, issuer, member):
    return [
        issuer_client.post("/accruals/standard", accrual_body(member, issuer, amount=n + 1)).json()
        for n in range(5)
    ]


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


def test_status_and_type_filters_take_comma_separated_values(issuer_client, five_accruals):
    assert issuer_client.get("/transactions", {"status": "completed"}).json()["count"] == 5
    assert issuer_client.get("/transactions", {"status": "pending,cancelled"}).json()["count"] == 0
    assert issuer_client.get("/transactions", {"type": "accrual,transfer"}).json()["count"] == 5
    bad = issuer_client.get("/transactions", {"status": "completed,nonsense"})
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "status"


def test_created_at_range(issuer_client, five_accruals):
    today = timezone.now().date()
    yesterday = today - dt.timedelta(days=1)
    tomorrow = today + dt.timedelta(days=1)
    get = issuer_client.get
    assert get("/transactions", {"created_at__range": f"{today}"}).json()["count"] == 5
    assert get("/transactions", {"created_at__range": f"{yesterday},{today}"}).json()["count"] == 5
    assert get("/transactions", {"created_at__range": f"{tomorrow}"}).json()["count"] == 0
    assert (
        get("/transactions", {"created_at__range": f"{yesterday},{yesterday}"}).json()["count"] == 0
    )
    stamp = f"{yesterday}T09:35:25Z,{tomorrow}T00:00"
    assert get("/transactions", {"created_at__range": stamp}).json()["count"] == 5
    for bad in (
        "yesterday",
        f"{today},{yesterday}",
        "2020-13-01",
        f"{today},{today},{today}",
        "2020-01-01T00:00:00+17:24",
        "0001-01-01T00:00:00+01:00",
        "%s",
        "2020-01-01,%(value)s",
    ):
        response = get("/transactions", {"created_at__range": bad})
        assert response.status_code == 400, bad
        assert response.json()["errors"][0]["field"] == "created_at__range"


# Throttling -----------------------------------------------------------------------------------


def test_rate_limit_per_partner_gives_429_with_retry_after(issuer_client, issuer, owner_client):
    issuer.api_rate_limit = 3
    issuer.save(update_fields=["api_rate_limit"])
    start = dt.datetime(2031, 5, 4, 12, 30, 15, tzinfo=dt.UTC)
    minute = int(start.timestamp() // 60)
    cache.delete_many([f"throttle:partner:{issuer.pk}:{m}" for m in (minute, minute + 1)])
    with time_machine.travel(start, tick=False):
        codes = [issuer_client.get("/transactions").status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        limited = issuer_client.get("/transactions")
        assert limited.json()["errors"][0]["code"] == "throttled"
        assert limited["Retry-After"] == "45"
        assert owner_client.get("/transactions").status_code == 200  # others are unaffected
    with time_machine.travel(start + dt.timedelta(minutes=1), tick=False):
        assert issuer_client.get("/transactions").status_code == 200  # a new window
    issuer.api_rate_limit = 3
    issuer.save(update_fields=["api_rate_limit"])
    codes = [issuer_client.get("/transactions").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    limited = issuer_client.get("/transactions")
    assert limited.json()["errors"][0]["code"] == "throttled"
    assert int(limited["Retry-After"]) > 0
    assert owner_client.get("/transactions").status_code == 200  # another partner is unaffected
    cache.clear()
