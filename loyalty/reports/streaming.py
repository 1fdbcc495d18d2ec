"""CSV that streams: rows read through a server-side cursor, written as RFC 4180 while they are
sent, so a report of a million rows starts at once and the server's memory stays flat.

- `server_side(queryset)` / `server_side_sql(sql, params)`: rows (for raw SQL, lists of rows)
  from PostgreSQL in chunks of `CHUNK_ROWS` through a named (server-side) cursor: the result
  set stays in the database.
- `csv_chunks(header, rows)`: RFC 4180 text (CRLF line ends; a field with a comma, a quote or a
  line break is quoted, quotes doubled), encoded in UTF-8, `CHUNK_ROWS` rows per chunk.
- `csv_line_sql(expressions)` + `csv_line_chunks(header, batches)`: the same CSV with each line
  written by PostgreSQL (the fast path for large reports).
- `csv_response(filename, header, rows | batches= | lines=)`: a StreamingHttpResponse of those
  chunks, for an API view or the admin.
- `contract_datetime(moment)`: the contract's created_at format, 2019-03-04T11:50:03+0000 (UTC);
  `contract_datetime_sql(column)` writes it in SQL, for raw report queries.

The exchange report (contract operation 44) and the admin's exports write through these.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.http import StreamingHttpResponse

CHUNK_ROWS = 2000
CONTRACT_DATETIME_FORMAT = "%Y-%m-%dT%H:%M:%S+0000"


def contract_datetime(moment: dt.datetime | None) -> str:
    """A moment as the contract writes created_at: UTC, seconds, "+0000"."""
    if moment is None:
        return ""
    return moment.astimezone(dt.UTC).strftime(CONTRACT_DATETIME_FORMAT)


def contract_datetime_sql(column: str) -> str:
    """SQL writing `column` (a timestamp with time zone) as contract_datetime() does, so that a
    large report's rows need no per-row formatting in Python."""
    if connection.vendor == "postgresql":
        return f"""to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"+0000"')"""
    return f"strftime('%Y-%m-%dT%H:%M:%S+0000', {column})"


@contextmanager
def _whole_result() -> Iterator[None]:
    """Plan the cursor's query for reading all of it. PostgreSQL plans a cursor for its first
    tenth by default (cursor_tuple_fraction 0.1: nested loops of index lookups, quick to start);
    a report reads every row, for which hash joins and sequential scans are much faster."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET cursor_tuple_fraction = 1.0")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET cursor_tuple_fraction")


def server_side(queryset: QuerySet, *, chunk_size: int = CHUNK_ROWS) -> Iterator[Any]:
    """The queryset's rows (use values_list for speed) through a server-side cursor."""
    with _whole_result():
        yield from queryset.iterator(chunk_size=chunk_size)


def server_side_sql(
    statement: str, params: Sequence[Any] = (), *, chunk_size: int = CHUNK_ROWS
) -> Iterator[list[tuple]]:
    """A raw SELECT's rows through a server-side cursor (on SQLite: fetchmany on a cursor), in
    lists of up to `chunk_size` rows: csv_chunks writes each list in one call, with no Python
    step per row, which is what a million-row report needs."""
    with _whole_result():
        cursor = connection.chunked_cursor()
        try:
            cursor.execute(statement, params)
            while rows := cursor.fetchmany(chunk_size):
                yield rows
        finally:
            cursor.close()


def csv_chunks(
    header: Sequence[str],
    rows: Iterable[Sequence[Any]] = (),
    *,
    batches: Iterable[Sequence[Sequence[Any]]] = (),
    chunk_rows: int = CHUNK_ROWS,
) -> Iterator[bytes]:
    """RFC 4180 CSV of the header and then the rows, in UTF-8 chunks of `chunk_rows` rows; or
    of `batches` (lists of rows, e.g. server_side_sql's), one chunk per batch."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL, doublequote=True)
    writer.writerow(header)
    for batch in batches:
        writer.writerows(batch)
        yield _drain(buffer)
    batch: list[Sequence[Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= chunk_rows:
            writer.writerows(batch)
            batch.clear()
            yield _drain(buffer)
    writer.writerows(batch)
    yield _drain(buffer)


def csv_line_sql(expressions: Sequence[str], *, plain: Collection[int] = ()) -> str:
    """The database writing one CSV line (CRLF included) of these SQL expressions, the same bytes
    csv_chunks writes for them (NULL as an empty field; a field with a comma, a quote, CR or LF
    quoted, its quotes doubled). A large report selects this one text column and
    csv_line_chunks joins the lines: the database server formats while Python only copies,
    which is what makes a million-row report fast on a busy web worker. The expressions at the
    `plain` positions (numbers, public ids, formatted dates: nothing that can hold a comma, a
    quote or a line break) are written without the quoting test, which is most of the cost."""
    postgresql = connection.vendor == "postgresql"
    fields = []
    for position, expression in enumerate(expressions):
        value = f"COALESCE(CAST(({expression}) AS TEXT), '')"
        if position in plain:
            fields.append(value)
            continue
        if postgresql:
            special = f"""{value} ~ '[",\\r\\n]'"""
        else:
            special = " OR ".join(
                f"instr({value}, {char}) > 0" for char in ("','", """'"'""", "char(13)", "char(10)")
            )
        fields.append(
            f"""CASE WHEN {special} """
            f"""THEN '"' || replace({value}, '"', '""') || '"' ELSE {value} END"""
        )
    end = "E'\\r\\n'" if postgresql else "char(13, 10)"
    return " || ',' || ".join(fields) + f" || {end}"


def csv_line_chunks(header: Sequence[str], batches: Iterable[Sequence[tuple]]) -> Iterator[bytes]:
    """The header, then each batch of csv_line_sql() lines (one-column rows) as one chunk."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(header)
    yield _drain(buffer)
    for batch in batches:
        yield "".join([row[0] for row in batch]).encode()


def _drain(buffer: io.StringIO) -> bytes:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text.encode()


def csv_response(
    filename: str,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]] = (),
    *,
    batches: Iterable[Sequence[Sequence[Any]]] = (),
    lines: Iterable[Sequence[tuple]] | None = None,
) -> StreamingHttpResponse:
    """A streamed CSV download of `rows`, `batches`, or batches of csv_line_sql() `lines`
    (consumed lazily, while the response is sent)."""
    chunks = (
        csv_line_chunks(header, lines)
        if lines is not None
        else csv_chunks(header, rows, batches=batches)
    )
    response = StreamingHttpResponse(chunks, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
