"""Shared fixtures. Ledger scenarios end with ledger_check's invariants (`ledger_balances`)."""

import os
import socket
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any
from urllib.parse import quote

import pytest
from django.db import connection, connections

from loyalty import caching
from loyalty.ledger_audit import ledger_report
from loyalty.selectors import member_account, mint_account
from tests.factories import LoyaltyCurrencyFactory, MemberFactory, PartnerFactory, partner_account


@pytest.fixture
def currency(db):
    return LoyaltyCurrencyFactory(code="EXAMPLE_POINTS", name="Example Points")


@pytest.fixture
def mint(currency):
    return mint_account(loyalty_currency=currency)


@pytest.fixture
def member(currency):
    return MemberFactory(loyalty_currency=currency)


@pytest.fixture
def member_acc(member):
    return member_account(member=member)


@pytest.fixture
def other_member_acc(currency):
    return member_account(member=MemberFactory(loyalty_currency=currency))


@pytest.fixture
def partner(db):
    return PartnerFactory(company_name="Example Air", api_identifier="example-air")


@pytest.fixture
def partner_acc(partner, currency):
    return partner_account(partner=partner, loyalty_currency=currency, credit_limit=1_000)


@pytest.fixture
def ledger_balances():
    """Call at the end of a ledger scenario: fails with ledger_check's report if books differ."""

    def check():
        report = ledger_report()
        assert report.ok, report.render()
        return report

    return check


@pytest.fixture
def run_concurrently():
    """Run callables in real threads that start together; return each result or raised exception.

    The threads wait at a barrier so that the calls overlap in the database. Each thread closes its
    own database connection when done: a connection left open would block the test database's
    flush and drop. A thread still running after `timeout` seconds fails the test (a deadlock or a
    lost wake-up), rather than hanging the suite.
    """

    def run(calls: Sequence[Callable[[], Any]], *, timeout: float = 60) -> list[Any]:
        barrier = threading.Barrier(len(calls))
        results: list[Any] = [None] * len(calls)

        def worker(index: int, call: Callable[[], Any]) -> None:
            try:
                barrier.wait(timeout)
                results[index] = call()
            except Exception as exc:
                results[index] = exc
            finally:
                connections.close_all()

        threads = [
            threading.Thread(target=worker, args=(i, call), daemon=True)
            for i, call in enumerate(calls)
        ]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + timeout
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        stuck = sum(thread.is_alive() for thread in threads)
        assert not stuck, f"{stuck} of {len(threads)} threads still running after {timeout} s"
        return results

    return run


@pytest.fixture
def test_database_env(transactional_db):
    """Environment for a `manage.py` subprocess that works on this test's database.

    Transactional because a subprocess sees only committed rows.
    """
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    url = (
        f"postgres://{quote(db['USER'], safe='')}{password}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{quote(db['NAME'], safe='')}"
    )
    return {**os.environ, "DATABASE_URL": url}


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """Staff logins in admin tests need not pay for the production hasher's work factor."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def empty_reference_cache():
    """Each test starts with an empty per-process cache (loyalty.caching): the previous test's
    rows were rolled back without the signals that would have emptied it. The process's Redis
    client is made anew too, should a test have pointed REDIS_URL elsewhere."""
    caching.clear()
    caching.redis_client.cache_clear()
    yield
    caching.clear()
    caching.redis_client.cache_clear()


def point_default_cache_at(settings, port: int) -> None:
    """Point the default cache and the project's Redis client (rate limiter, reference-data
    epoch) at a Redis on a loopback port, with the configured socket timeouts (a second CACHES
    setting, undone when the test ends)."""
    settings.REDIS_URL = f"redis://127.0.0.1:{port}/0"
    caching.redis_client.cache_clear()
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": settings.CACHES["default"].get(
                "OPTIONS", {"socket_connect_timeout": 0.25, "socket_timeout": 0.25}
            ),
        }
    }


@pytest.fixture
def cache_down(settings) -> int:
    """The default cache pointed at a closed loopback port (a Redis outage); returns the port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    point_default_cache_at(settings, port)
    return port


@pytest.fixture
def cache_hung(settings) -> Iterator[int]:
    """The default cache pointed at a port that accepts connections and never answers (a hung
    Redis: every command waits for the socket timeout); returns the port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(64)
        port = sock.getsockname()[1]
        point_default_cache_at(settings, port)
        yield port
