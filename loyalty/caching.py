"""Per-process caches of reference data, valid under a shared epoch token.

Every partner API request reads the same few rows: its credential and partner, the currency by
code, its partnerships, its issuing account, the currency's rules. Keeping them in the process
saves most of a request's work; a plain time-to-live would not do, because a revoked key must
get 401 on the very next request and a disabled partnership must stop the next accrual.

So the cache holds only under an epoch token kept in Redis (EPOCH_KEY):

- Every change to a kind of row the cache holds (post_save, post_delete and m2m_changed of the
  models in `watch`, connected in LoyaltyConfig.ready and PartnersConfig.ready) empties this
  process's cache at once and, once its database transaction commits, sets a new random token.
  This is cache invalidation, not business logic: nothing else hangs on these signals.
- The partner API reads the token at the start of each request (partners.api.admission) and runs
  the request in `epoch_scope(token)`: if the cache was filled under another token it is
  dropped first. A process therefore never serves a request from rows older than the last
  change committed before that request began.
- Outside an epoch scope (the admin, tasks, commands) nothing is cached: `cached` loads from the
  database every time. Without Redis (the embedded development setup) there is no shared token,
  the API runs without a scope, and nothing is cached either.
- Should a token change be lost (Redis unreachable at that moment, which is logged), a cache is
  still never older than MAX_AGE_SECONDS.

Cached values are shared by the requests of the process: callers treat them as read-only. Only
values that exist are cached (a lookup that finds nothing is not remembered), so creating a row
needs no invalidation to be seen. The watched models are written with save() and delete() (the
admin, the services): a queryset's update() sends no signal, and so is not for them. A change
of settings (a test's override) empties the cache too.
"""

from __future__ import annotations

import contextvars
import logging
import threading
import time
import uuid
from collections.abc import Callable, Hashable
from contextlib import contextmanager
from functools import cache
from typing import Any, TypeVar

import redis
from django.conf import settings
from django.core.signals import setting_changed
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save

logger = logging.getLogger(__name__)

EPOCH_KEY = "loyalty:reference-epoch"
MAX_AGE_SECONDS = 60.0

T = TypeVar("T")

_scope: contextvars.ContextVar[str | None] = contextvars.ContextVar("cache_scope", default=None)


class _Store:
    """This process's cache: the entries and the token they were filled under."""

    def __init__(self) -> None:
        self.token: str | None = None
        self.filled_at = 0.0
        self.entries: dict[Hashable, Any] = {}
        self.lock = threading.Lock()

    def reset(self, token: str | None) -> None:
        with self.lock:
            self.entries = {}
            self.token = token
            self.filled_at = time.monotonic()


_store = _Store()


@cache
def redis_client() -> redis.Redis | None:
    """The process's Redis client (REDIS_URL, short timeouts), or None without Redis.

    One client, so its connection pool is shared by every request of the process; the rate
    limiter uses it too.
    """
    if not settings.REDIS_URL:
        return None
    timeout = settings.CACHE_TIMEOUT_SECONDS
    return redis.Redis.from_url(
        settings.REDIS_URL, socket_timeout=timeout, socket_connect_timeout=timeout
    )


def token_key() -> str:
    return f"{settings.CACHES['default'].get('KEY_PREFIX', '')}:{EPOCH_KEY}"


def new_token() -> str:
    return uuid.uuid4().hex


def current_token() -> str | None:
    """The shared epoch token (a new one is made if Redis has none, e.g. after a restart), or
    None when there is no Redis or it does not answer: then nothing may be cached."""
    client = redis_client()
    if client is None:
        return None
    key = token_key()
    try:
        pipe = client.pipeline(transaction=False)
        pipe.set(key, new_token(), nx=True)
        pipe.get(key)
        _, token = pipe.execute()
    except redis.RedisError:
        return None
    return token.decode() if token else None


def enter_scope(token: str | None) -> contextvars.Token:
    """Make this context's cache valid under `token` (None: no cache) until `exit_scope`."""
    if token is not None and (
        token != _store.token or time.monotonic() - _store.filled_at > MAX_AGE_SECONDS
    ):
        _store.reset(token)
    return _scope.set(token)


def exit_scope(handle: contextvars.Token) -> None:
    _scope.reset(handle)


@contextmanager
def epoch_scope(token: str | None):
    """Run the block with this process's cache valid under `token` (None: without a cache)."""
    handle = enter_scope(token)
    try:
        yield
    finally:
        exit_scope(handle)


def in_scope() -> bool:
    """Whether this context reads through a valid cache."""
    token = _scope.get()
    return token is not None and token == _store.token


def peek(kind: str, key: Hashable) -> Any:
    """The cached value whatever the scope, possibly stale: only to be used where a stale value
    does no harm and is checked once the epoch is known (partners.api.authentication)."""
    return _store.entries.get((kind, key))


def cached(kind: str, key: Hashable, load: Callable[[], T]) -> T:
    """`load()`'s value, from this process's cache when the current scope allows it.

    A value of None is not cached: what does not exist yet may be created without a signal.
    """
    token = _scope.get()
    if token is None or token != _store.token:
        return load()
    entry = (kind, key)
    entries = _store.entries
    try:
        return entries[entry]
    except KeyError:
        value = load()
        if value is not None and _store.token == token and _store.entries is entries:
            entries[entry] = value
        return value


def clear() -> None:
    """Empty this process's cache (a test's database is rolled back without any signal)."""
    _store.reset(None)


def changed(**_: Any) -> None:
    """Signal receiver: a cached kind of row changed. Empty the cache here now, and let every
    process know once the change is committed."""
    _store.reset(None)
    transaction.on_commit(_publish)


def _publish() -> None:
    client = redis_client()
    if client is None:
        return
    try:
        client.set(token_key(), new_token())
    except redis.RedisError as exc:
        logger.error(
            "could not publish a new reference-data epoch (%s): other processes may serve "
            "cached partners, credentials or rules for up to %d s",
            type(exc).__name__,
            MAX_AGE_SECONDS,
        )


def watch(*models: type[Model]) -> None:
    """Invalidate the caches whenever a row of one of `models` (or an M2M of theirs) changes."""
    for model in models:
        uid = f"loyalty.caching:{model._meta.label}"
        post_save.connect(changed, sender=model, dispatch_uid=f"{uid}:save", weak=False)
        post_delete.connect(changed, sender=model, dispatch_uid=f"{uid}:delete", weak=False)
        for field in model._meta.local_many_to_many:
            m2m_changed.connect(
                changed,
                sender=field.remote_field.through,
                dispatch_uid=f"{uid}:{field.name}",
                weak=False,
            )


def _setting_changed(**_: Any) -> None:
    clear()
    redis_client.cache_clear()


setting_changed.connect(_setting_changed, dispatch_uid="loyalty.caching:settings", weak=False)
