"""Hot-path statements written once per process, and model instances built from their rows.

The ORM compiles a query anew every time it runs; for the few statements the partner API runs on
every request (the member's account lookup, the ledger's INSERT and UPDATEs) that compilation
costs more than the statement itself. These helpers write such a statement's SQL once, for the
connection's vendor, and turn its rows into model instances exactly as the ORM would (with the
fields' from_db_value converters, e.g. for JSON).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.db import connection
from django.db.models import Model

from loyalty import prepared

_written: dict[tuple[str, str], str] = {}


def written(name: str, write: Callable[[], str], *, keep_prepared: bool = True) -> str:
    """The statement `name` for the connection's vendor, written by `write()` the first time;
    on PostgreSQL every connection keeps it prepared (loyalty.prepared) unless `keep_prepared`
    is False (a statement whose best plan depends on its parameters' values)."""
    key = (connection.vendor, name)
    statement = _written.get(key)
    if statement is None:
        statement = _written[key] = write()
        if keep_prepared:
            prepared.register(statement)
    return statement


def quote(name: str) -> str:
    return connection.ops.quote_name(name)


def columns(model: type[Model], alias: str) -> str:
    """Every concrete column of `model`, qualified by the table alias, in field order."""
    return ", ".join(f"{alias}.{quote(field.column)}" for field in model._meta.concrete_fields)


def width(model: type[Model]) -> int:
    return len(model._meta.concrete_fields)


def instance(model: type[Model], values: Sequence) -> Model | None:
    """The model instance of a row's `columns(model, ...)` values (None for an outer join's
    empty side), converted as the ORM converts them."""
    if values[0] is None:
        return None
    fields = model._meta.concrete_fields
    converted = [
        field.from_db_value(value, None, connection) if hasattr(field, "from_db_value") else value
        for field, value in zip(fields, values, strict=True)
    ]
    return model.from_db(connection.alias, [field.attname for field in fields], converted)


def _insert_fields(model: type[Model]) -> list:
    return [field for field in model._meta.concrete_fields if not field.primary_key]


def _insert_sql(model: type[Model], rows: int) -> str:
    fields = _insert_fields(model)
    names = ", ".join(quote(field.column) for field in fields)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    return (
        f"INSERT INTO {quote(model._meta.db_table)} ({names}) VALUES "
        + ", ".join([row] * rows)
        + f" RETURNING {quote(model._meta.pk.column)}"
    )


def _insert_params(instances: Sequence[Model]) -> list:
    return [
        field.get_db_prep_save(field.pre_save(obj, True), connection)
        for obj in instances
        for field in _insert_fields(type(obj))
    ]


def _saved(instances: Sequence[Model], ids: Sequence[int]) -> None:
    for obj, pk in zip(instances, ids, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = connection.alias


def insert(*instances: Model) -> None:
    """INSERT new instances of one model in one statement, as Model.save() would (defaults and
    auto_now fields through each field's pre_save); each instance becomes saved, with its pk."""
    model = type(instances[0])
    statement = written(
        f"insert:{model._meta.label}:{len(instances)}", lambda: _insert_sql(model, len(instances))
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, _insert_params(instances))
        ids = [row[0] for row in cursor.fetchall()]
    _saved(instances, ids)


def insert_with(
    obj: Model,
    *,
    write: str,
    params: Sequence,
    then: tuple[str, Sequence] | None = None,
) -> int:
    """INSERT `obj` as insert() does, in one statement with `write` (an UPDATE, with its
    `params`), and return how many rows `write` changed. PostgreSQL only: `write` runs as a
    data-modifying WITH query, so the two cost one round trip. `then` (a write with its
    params) goes in the same statement after the INSERT, whose new row it reads as `inserted`
    (e.g. `INSERT INTO ... SELECT id, %s FROM inserted`); it must not touch a row `write`
    touches (PostgreSQL runs both on the same snapshot).

    Should `write` change nothing (a conditional debit the row no longer qualifies for), the
    row is inserted all the same: the caller refuses, and its transaction rolls back.
    """
    model = type(obj)
    if then is None:
        name, text, then_params = f"insert-with:{model._meta.label}:{write}", None, ()
    else:
        text, then_params = then
        name = f"insert-with-then:{model._meta.label}:{write}:{text}"

    def write_statement() -> str:
        if text is None:
            return (
                f"WITH written AS ({write} RETURNING 1) "
                + _insert_sql(model, 1)
                + ", (SELECT count(*) FROM written)"
            )
        return (
            f"WITH written AS ({write} RETURNING 1), inserted AS ({_insert_sql(model, 1)}), "
            f"then_written AS ({text}) "
            f"SELECT {quote(model._meta.pk.column)}, (SELECT count(*) FROM written) FROM inserted"
        )

    statement = written(name, write_statement)
    with connection.cursor() as cursor:
        cursor.execute(statement, [*params, *_insert_params([obj]), *then_params])
        pk, changed = cursor.fetchone()
    _saved([obj], [pk])
    return changed


def with_writes(
    writes: Sequence[tuple[str, Sequence]], statement: str, params: Sequence
) -> tuple[str, list]:
    """`statement` preceded by `writes` (INSERTs or UPDATEs without RETURNING, each with its
    params) as data-modifying WITH queries: one PostgreSQL statement, whose row count is
    `statement`'s. The writes must not touch a row `statement` touches (PostgreSQL runs them
    on the same snapshot)."""
    texts = [write for write, _ in writes]
    combined = written(
        f"with-writes:{statement}:{':'.join(texts)}",
        lambda: (
            "WITH "
            + ", ".join(f"written_{n} AS ({write})" for n, write in enumerate(texts))
            + f" {statement}"
        ),
    )
    return combined, [*(value for _, values in writes for value in values), *params]
