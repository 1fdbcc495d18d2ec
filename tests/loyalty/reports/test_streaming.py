"""Streaming CSV: RFC 4180 byte for byte, server-side cursors, the contract's dates."""

import csv
import datetime as dt
import io

import pytest
from django.db import connection

from loyalty import ledger
from loyalty.models import Transaction, TransactionType
from loyalty.reports.streaming import (
    contract_datetime,
    contract_datetime_sql,
    csv_chunks,
    csv_line_chunks,
    csv_line_sql,
    csv_response,
    server_side,
    server_side_sql,
)


def test_rfc4180_quoting_byte_for_byte():
    rows = [
        ["plain", 20, "a,b"],
        ['say "hi"', 0, "line\nbreak"],
        ["", None, " lead"],
    ]
    body = b"".join(csv_chunks(["name", "amount", "note"], rows))
    assert body == (
        b'name,amount,note\r\nplain,20,"a,b"\r\n"say ""hi""",0,"line\nbreak"\r\n,, lead\r\n'
    )
    assert list(csv.reader(io.StringIO(body.decode(), newline=""))) == [
        ["name", "amount", "note"],
        ["plain", "20", "a,b"],
        ['say "hi"', "0", "line\nbreak"],
        ["", "", " lead"],
    ]


def test_header_alone_when_no_rows():
    assert b"".join(csv_chunks(["a", "b"], [])) == b"a,b\r\n"


def test_chunks_of_rows_and_utf8():
    chunks = list(csv_chunks(["x"], ([f"é{i}"] for i in range(5)), chunk_rows=2))
    assert chunks[0] == "x\r\né0\r\né1\r\n".encode()
    assert len(chunks) == 3
    assert b"".join(chunks).decode().count("\r\n") == 6


def test_contract_datetime():
    moment = dt.datetime(2019, 3, 4, 12, 50, 3, 999, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert contract_datetime(moment) == "2019-03-04T11:50:03+0000"
    assert contract_datetime(None) == ""


def test_response_streams_with_a_download_name():
    response = csv_response("report.csv", ["a"], iter([[1], [2]]))
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="report.csv"'
    assert b"".join(response.streaming_content) == b"a\r\n1\r\n2\r\n"


@pytest.mark.django_db(transaction=True)
def test_server_side_cursor_reads_in_chunks(mint, member_acc):
    for amount in range(1, 8):
        ledger.post(
            origin=mint, destination=member_acc, amount=amount, type=TransactionType.ACCRUAL
        )
    rows = server_side(
        Transaction.objects.order_by("id").values_list("amount", flat=True), chunk_size=3
    )
    assert list(rows) == list(range(1, 8))
    table = connection.ops.quote_name(Transaction._meta.db_table)
    sql_rows = server_side_sql(f"SELECT amount FROM {table} ORDER BY id", chunk_size=2)
    first = next(sql_rows)
    with connection.cursor() as cursor:  # the result set waits in a cursor on the server
        cursor.execute("SELECT count(*) FROM pg_cursors WHERE statement LIKE %s", ["%amount%"])
        assert cursor.fetchone()[0] == 1
    assert [[row[0] for row in batch] for batch in [first, *sql_rows]] == [
        [1, 2],
        [3, 4],
        [5, 6],
        [7],
    ]
    batches = server_side_sql(f"SELECT amount, 'a,b' FROM {table} ORDER BY id", chunk_size=4)
    body = b"".join(csv_chunks(["amount", "note"], batches=batches))
    assert body == b"amount,note\r\n" + b"".join(b'%d,"a,b"\r\n' % i for i in range(1, 8))


@pytest.mark.django_db
def test_contract_datetime_in_sql(mint, member_acc):
    moment = dt.datetime(2019, 3, 4, 11, 50, 3, 420_000, tzinfo=dt.UTC)
    ledger.post(
        origin=mint,
        destination=member_acc,
        amount=1,
        type=TransactionType.ACCRUAL,
        created_at=moment,
    )
    table = connection.ops.quote_name(Transaction._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {contract_datetime_sql('created_at')} FROM {table}")
        assert cursor.fetchone()[0] == contract_datetime(moment) == "2019-03-04T11:50:03+0000"


@pytest.mark.django_db
def test_lines_written_by_postgresql_match_the_csv_module_byte_for_byte():
    values = [
        ("plain", 20, None),
        ("a,b", -3, 'say "hi"'),
        ("line\nbreak", 0, "carriage\rreturn"),
        ('"', 12345678901234, "ünïcode, ok"),
        ("", 1, " spaces "),
    ]
    placeholders = ", ".join(["(%s, %s::bigint, %s)"] * len(values))
    params = [value for row in values for value in row]
    header = ["text", "number", "other"]
    expected = b"".join(csv_chunks(header, values))
    statement = (
        f"SELECT {csv_line_sql(['v.a', 'v.b', 'v.c'])} FROM (VALUES {placeholders}) AS v(a, b, c)"
    )
    lines = server_side_sql(statement, params, chunk_size=2)
    assert b"".join(csv_line_chunks(header, lines)) == expected
    response = csv_response("x.csv", header, lines=server_side_sql(statement, params))
    assert b"".join(response.streaming_content) == expected
