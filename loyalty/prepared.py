"""The statements PostgreSQL keeps prepared on a connection: the hot path's, and only those.

A prepared statement is parsed and planned once per connection instead of on every request,
which is most of what PostgreSQL spends on the partner API's short statements (the
Idempotency-Key claim, the member's account lookup, the ledger's INSERT and UPDATEs). Those are
written once per process (loyalty.sql.written registers each here), look rows up by unique keys
and so have one right plan whatever their parameters.

Every other statement (the ORM's) is planned for its parameters each time, as Django does by
default: after a few runs PostgreSQL would plan a prepared statement once for any parameters
(its generic plan), and for a skewed column (one partner owning most of the transactions) that
plan can read far more than the parameters at hand need.

`Cursor` is the connection's cursor class (settings: OPTIONS["cursor_factory"], with
server-side binding); it tells psycopg, statement by statement, whether to prepare.
"""

from __future__ import annotations

from django.db.backends.postgresql.base import ServerBindingCursor

_statements: set[str] = set()


def register(statement: str) -> str:
    """Have every connection prepare `statement` (from its first run); returns it."""
    _statements.add(statement)
    return statement


class Cursor(ServerBindingCursor):
    """Django's server-binding cursor, preparing the registered statements and no other."""

    def execute(self, query, params=None, *, prepare=None, binary=None):
        if prepare is None:
            prepare = isinstance(query, str) and query in _statements
        return super().execute(query, params, prepare=prepare, binary=binary)
