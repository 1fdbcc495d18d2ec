"""A unit of work: one database transaction that any error rolls back as a whole.

The partner API runs each POST and PATCH as one (partners.api.views). Inside it:

- the domain's atomic blocks (`atomic` below, used by the ledger and the services instead of
  Django's) add no savepoint. A savepoint exists so that an inner block can fail and the outer
  one go on; a unit of work never goes on after an error, so it saves the two statements
  (SAVEPOINT, RELEASE) each block would cost;
- the ledger hands its updates of partners' accounts to `defer` instead of writing them: the
  rows every accrual of one issuing partner (or of the mint) touches. The unit of work writes
  them last, in the ledger's lock order, just before COMMIT, once the request's response is
  rendered: a hot row is then locked for its UPDATE and the commit only. The request's last
  writes (`write_last`: the idempotency record of that response) go in the same statement as
  the first of those UPDATEs. A deferred debit beyond the account's credit is refused then, and
  the whole unit rolls back. An operation may defer its member's debit too (ledger.post's
  late_debit, for a hot member whose new balance the answer does not show): it is written
  then, before the partners'.

Outside a unit of work (the admin, tasks, commands, tests calling services) `atomic` is Django's
atomic with its savepoints, and the ledger writes every account at once.
"""

from __future__ import annotations

import contextvars
import functools
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

from django.db import transaction

P = ParamSpec("P")
R = TypeVar("R")


class UnitOfWork:
    """The deferred account updates of the open unit (account id -> (balance, pending)
    deltas) and its last writes."""

    def __init__(self) -> None:
        self.deferred: defaultdict[int, list[int]] = defaultdict(lambda: [0, 0])
        self.members: set[int] = set()  # deferred members' accounts: written before partners'
        self.last_writes: list[tuple[str, Sequence]] = []
        self.flushing = False

    def write_last(self, statement: str, params: Sequence) -> None:
        """Have the flush send this write (an INSERT or UPDATE without RETURNING, of rows no
        other request touches, whose outcome needs no check) with its first statement."""
        self.last_writes.append((statement, params))

    def defer(
        self, account_id: int, balance_delta: int, pending_delta: int, *, member: bool = False
    ) -> None:
        if member:
            self.members.add(account_id)
        delta = self.deferred[account_id]
        delta[0] += balance_delta
        delta[1] += pending_delta


_current: contextvars.ContextVar[UnitOfWork | None] = contextvars.ContextVar(
    "unit_of_work", default=None
)


def current() -> UnitOfWork | None:
    """The open unit of work, or None; the ledger asks it whether to defer."""
    unit = _current.get()
    return None if unit is None or unit.flushing else unit


@contextmanager
def unit_of_work(flush: Callable[[UnitOfWork], None]) -> Iterator[UnitOfWork]:
    """Open a database transaction as a unit of work; `flush(unit)` writes what was deferred
    (the ledger's apply_deferred) once the block is done, then the transaction commits.

    Any exception rolls everything back and propagates.
    """
    with transaction.atomic():
        unit = UnitOfWork()
        reset = _current.set(unit)
        try:
            yield unit
            unit.flushing = True
            flush(unit)
        finally:
            _current.reset(reset)


def atomic(func: Callable[P, R] | None = None):
    """Django's transaction.atomic, without the savepoint inside a unit of work: a decorator, or
    `with atomic():` for a block."""
    if func is None:
        return transaction.atomic(savepoint=_current.get() is None)

    @functools.wraps(func)
    def inner(*args: P.args, **kwargs: P.kwargs) -> R:
        with transaction.atomic(savepoint=_current.get() is None):
            return func(*args, **kwargs)

    return inner
