"""Posted transactions are immutable: the PostgreSQL trigger (raw SQL) and the model both refuse.

The raw SQL goes through connection.cursor(), past the model, as any other client of the database
could; each statement runs in a savepoint so that a refused one does not abort the test's
transaction.
"""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection
from django.db import transaction as db_transaction
from django.utils import timezone

from loyalty import ledger
from loyalty.models import Transaction, TransactionStatus, TransactionType


def run_sql(sql: str, params: list | None = None) -> int:
    """Run one statement in a savepoint; return how many rows it touched."""
    with db_transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


@pytest.fixture
def make_transaction(mint, member_acc):
    """A transaction from the mint to the member in the given status, made through the ledger."""

    def make(status: str) -> Transaction:
        if status == TransactionStatus.COMPLETED:
            return ledger.post(
                origin=mint, destination=member_acc, amount=100, type=TransactionType.ACCRUAL
            )
        tx = ledger.hold(
            origin=mint,
            destination=member_acc,
            amount=100,
            type=TransactionType.ACCRUAL,
            release_date=timezone.now() + dt.timedelta(days=1),
        )
        if status == TransactionStatus.CANCELLED:
            ledger.cancel(transaction=tx)
        elif status == TransactionStatus.REVERSED:
            ledger.release(transaction=tx)
            ledger.reverse(transaction=tx, reason="Test")
        return Transaction.objects.get(pk=tx.pk)

    return make


# The trigger ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "status",
    [
        TransactionStatus.PENDING,
        TransactionStatus.COMPLETED,
        TransactionStatus.CANCELLED,
        TransactionStatus.REVERSED,
    ],
)
def test_the_database_refuses_to_delete_any_transaction(make_transaction, status):
    tx = make_transaction(status)

    with pytest.raises(IntegrityError, match="cannot be deleted"):
        run_sql("DELETE FROM loyalty_transaction WHERE id = %s", [tx.pk])
    assert Transaction.objects.filter(pk=tx.pk, status=status).exists()


@pytest.mark.parametrize(
    "assignment",
    [
        "amount = amount + 1",
        "origin_account_id = destination_account_id, destination_account_id = origin_account_id",
        "destination_account_id = origin_account_id",
        "metadata = '{\"edited\": true}'::jsonb",
        "reason = 'edited'",
        "release_date = now()",
        "created_at = created_at - interval '1 day'",
        "public_id = 'tx_forged'",
    ],
)
def test_the_database_refuses_to_edit_a_completed_transaction(make_transaction, assignment):
    tx = make_transaction(TransactionStatus.COMPLETED)
    before = Transaction.objects.filter(pk=tx.pk).values().get()

    with pytest.raises(IntegrityError, match="ledger transaction"):
        run_sql(f"UPDATE loyalty_transaction SET {assignment} WHERE id = %s", [tx.pk])
    assert Transaction.objects.filter(pk=tx.pk).values().get() == before


@pytest.mark.parametrize(
    ("status", "new_status"),
    [
        (TransactionStatus.COMPLETED, TransactionStatus.PENDING),
        (TransactionStatus.COMPLETED, TransactionStatus.CANCELLED),
        (TransactionStatus.CANCELLED, TransactionStatus.COMPLETED),
        (TransactionStatus.CANCELLED, TransactionStatus.PENDING),
        (TransactionStatus.REVERSED, TransactionStatus.COMPLETED),
        (TransactionStatus.PENDING, TransactionStatus.REVERSED),
    ],
)
def test_the_database_refuses_an_illegal_status_change(make_transaction, status, new_status):
    tx = make_transaction(status)

    with pytest.raises(IntegrityError, match=f"cannot go from {status} to {new_status}"):
        run_sql("UPDATE loyalty_transaction SET status = %s WHERE id = %s", [new_status, tx.pk])
    assert Transaction.objects.get(pk=tx.pk).status == status


def test_the_database_allows_completed_to_reversed_and_its_status_fields(make_transaction):
    tx = make_transaction(TransactionStatus.COMPLETED)

    touched = run_sql(
        "UPDATE loyalty_transaction SET status = 'reversed', loyalty_system_id = 'EXT-1', "
        "status_message = 'Reversed by the programme' WHERE id = %s",
        [tx.pk],
    )

    assert touched == 1
    tx.refresh_from_db()
    assert (tx.status, tx.loyalty_system_id) == (TransactionStatus.REVERSED, "EXT-1")


def test_the_database_allows_editing_a_pending_transaction(make_transaction):
    tx = make_transaction(TransactionStatus.PENDING)
    release_date = tx.release_date + dt.timedelta(days=2)

    touched = run_sql(
        "UPDATE loyalty_transaction SET amount = 150, release_date = %s, reason = 'Extended stay', "
        "metadata = '{\"nights\": 3}'::jsonb WHERE id = %s",
        [release_date, tx.pk],
    )

    assert touched == 1
    tx.refresh_from_db()
    assert (tx.amount, tx.release_date, tx.reason, tx.metadata) == (
        150,
        release_date,
        "Extended stay",
        {"nights": 3},
    )


# The model ------------------------------------------------------------------------------------


def test_the_model_refuses_to_delete_a_transaction(make_transaction):
    tx = make_transaction(TransactionStatus.COMPLETED)

    with pytest.raises(ValidationError):
        tx.delete()
    with pytest.raises(ValidationError):
        Transaction.objects.filter(pk=tx.pk).delete()
    assert Transaction.objects.filter(pk=tx.pk).exists()


@pytest.mark.parametrize(
    "update_fields", [None, ["amount"], ["status", "reason"]], ids=["all", "amount", "mixed"]
)
def test_the_model_refuses_to_save_a_posted_transaction_beyond_its_status(
    make_transaction, update_fields
):
    tx = make_transaction(TransactionStatus.COMPLETED)
    tx.amount, tx.reason, tx.status = 1, "edited", TransactionStatus.REVERSED

    with pytest.raises(ValidationError):
        tx.save(update_fields=update_fields)
    stored = Transaction.objects.get(pk=tx.pk)
    assert (stored.amount, stored.reason, stored.status) == (100, "", TransactionStatus.COMPLETED)


def test_the_model_saves_the_status_fields_of_a_posted_transaction(make_transaction):
    tx = make_transaction(TransactionStatus.COMPLETED)
    tx.loyalty_system_id = "EXT-2"

    tx.save(update_fields=["loyalty_system_id"])

    assert Transaction.objects.get(pk=tx.pk).loyalty_system_id == "EXT-2"


# Indexes --------------------------------------------------------------------------------------


def test_an_exact_lookup_by_external_reference_uses_its_partial_index(mint, member_acc):
    """The index holds only rows with a reference; PostgreSQL must still see that a lookup by a
    given reference may use it (with sequential scans off, a plan without it says it cannot)."""
    ledger.post(
        origin=mint,
        destination=member_acc,
        amount=5,
        type=TransactionType.ACCRUAL,
        external_reference="order-77",
    )
    with db_transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = Transaction.objects.filter(external_reference="order-77").explain()

    assert "transaction_ext_ref_idx" in plan
    assert Transaction.objects.get(external_reference="order-77").amount == 5
