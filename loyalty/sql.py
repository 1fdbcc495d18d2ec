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

_written: dict[tuple[str, str], str] = {}


def written(name: str, write: Callable[[], str]) -> str:
    """The statement `name` for the connection's vendor, written by `write()` the first time."""
    key = (connection.vendor, name)
    statement = _written.get(key)
    if statement is None:
        statement = _written[key] = write()
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


def insert(*instances: Model) -> None:
    """INSERT new instances of one model in one statement, as Model.save() would (defaults and
    auto_now fields through each field's pre_save); each instance becomes saved, with its pk."""
    model = type(instances[0])
    fields = _insert_fields(model)
    params = [
        field.get_db_prep_save(field.pre_save(obj, True), connection)
        for obj in instances
        for field in fields
    ]
    statement = written(
        f"insert:{model._meta.label}:{len(instances)}", lambda: _insert_sql(model, len(instances))
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        ids = [row[0] for row in cursor.fetchall()]
    for obj, pk in zip(instances, ids, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = connection.alias
