"""The hot path's statements written once per process (loyalty.sql), on PostgreSQL."""

from django.db import connection

from loyalty import sql
from loyalty.models import Member, Partner
from tests.factories import MemberFactory

RENAME = "UPDATE loyalty_member SET first_name = %s WHERE id = %s"


def test_insert_with_inserts_the_row_and_counts_what_the_write_changed(member):
    partner = Partner(company_name="Carried", api_identifier="carried")

    changed = sql.insert_with(partner, write=RENAME, params=["Renamed", member.pk])

    assert changed == 1
    assert Partner.objects.get(pk=partner.pk).company_name == "Carried"
    assert not partner._state.adding
    member.refresh_from_db()
    assert member.first_name == "Renamed"


def test_insert_with_reports_a_write_that_changed_nothing(db):
    """The row is inserted all the same: the caller refuses and its transaction rolls back."""
    partner = Partner(company_name="Carried", api_identifier="carried")

    changed = sql.insert_with(partner, write=RENAME, params=["Nobody", -1])

    assert changed == 0
    assert Partner.objects.filter(pk=partner.pk).exists()


def test_insert_with_then_writes_what_reads_the_new_row_in_the_same_statement(member):
    other = MemberFactory(loyalty_currency=member.loyalty_currency)
    partner = Partner(company_name="Carried", api_identifier="carried")
    then = (
        "UPDATE loyalty_member SET last_name = %s || inserted.id FROM inserted "
        "WHERE loyalty_member.id = %s"
    )

    changed = sql.insert_with(
        partner, write=RENAME, params=["Renamed", member.pk], then=(then, ["P", other.pk])
    )

    assert changed == 1
    assert Member.objects.get(pk=member.pk).first_name == "Renamed"
    assert Member.objects.get(pk=other.pk).last_name == f"P{partner.pk}"


def test_with_writes_runs_the_writes_and_counts_the_statements_rows(member, partner):
    other = MemberFactory(loyalty_currency=member.loyalty_currency)
    statement, params = sql.with_writes(
        [
            (RENAME, ["First", other.pk]),
            ("UPDATE loyalty_partner SET company_name = %s WHERE id = %s", ["Co", partner.pk]),
        ],
        "UPDATE loyalty_member SET last_name = %s WHERE id = %s",
        ["Last", member.pk],
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        assert cursor.rowcount == 1

    assert Member.objects.get(pk=member.pk).last_name == "Last"
    assert Member.objects.get(pk=other.pk).first_name == "First"
    assert Partner.objects.get(pk=partner.pk).company_name == "Co"


def test_a_written_statement_is_written_once_per_process():
    calls = []

    def write() -> str:
        calls.append(1)
        return "SELECT 1"

    first = sql.written("test-written-once", write)
    assert sql.written("test-written-once", write) is first
    assert calls == [1]
