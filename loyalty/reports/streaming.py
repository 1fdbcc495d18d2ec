"""CSV that streams: rows read through a server-side cursor, written as RFC 4180 while they are
sent, so a report of a million rows starts at once and the server's memory stays flat.

- `server_side(queryset)` / `server_side_sql(sql, params)`: rows from PostgreSQL in chunks of
  `CHUNK_ROWS` through a named (server-side) cursor: the result set stays in the database.
- `csv_chunks(header, rows)`: RFC 4180 text (CRLF line ends; a field with a comma, a quote or a
  line break is quoted, quotes doubled), encoded in UTF-8, `CHUNK_ROWS` rows per chunk.
- `csv_response(filename, header, rows)`: a StreamingHttpResponse of those chunks, for an API
  view or the admin.
- `contract_datetime(moment)`: the contract's created_at format, 2019-03-04T11:50:03+0000 (UTC).

The exchange report (contract operation 44) and the admin's exports write through these.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator, Sequence
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


def server_side(queryset: QuerySet, *, chunk_size: int = CHUNK_ROWS) -> Iterator[Any]:
    """The queryset's rows (use values_list for speed) through a server-side cursor."""
    return queryset.iterator(chunk_size=chunk_size)


def server_side_sql(
    statement: str, params: Sequence[Any] = (), *, chunk_size: int = CHUNK_ROWS
) -> Iterator[tuple]:
    """A raw SELECT's rows through a server-side cursor (on SQLite: fetchmany on a cursor)."""
    cursor = connection.chunked_cursor()
    try:
        cursor.execute(statement, params)
        while rows := cursor.fetchmany(chunk_size):
            yield from rows
    finally:
        cursor.close()


def csv_chunks(
    header: Sequence[str], rows: Iterable[Sequence[Any]], *, chunk_rows: int = CHUNK_ROWS
) -> Iterator[bytes]:
    """RFC 4180 CSV of the header and rows, in UTF-8 chunks of `chunk_rows` rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL, doublequote=True)
    writer.writerow(header)
    batch: list[Sequence[Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= chunk_rows:
            writer.writerows(batch)
            batch.clear()
            yield _drain(buffer)
    writer.writerows(batch)
    yield _drain(buffer)


def _drain(buffer: io.StringIO) -> bytes:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text.encode()


def csv_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> StreamingHttpResponse:
    """A streamed CSV download of `rows` (consumed lazily, while the response is sent)."""
    response = StreamingHttpResponse(
        csv_chunks(header, rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
