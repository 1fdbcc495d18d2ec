"""`manage.py ledger_check`: OK on consistent books; else the mismatching account (or release
schedule row) and exit 1."""

import datetime as dt
import subprocess
import sys
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from loyalty import ledger
from loyalty.models import Transaction, TransactionStatus, TransactionType


@pytest.fixture
def books(mint, member_acc, other_member_acc, partner_acc):
    """A few postings of every kind, so that the check has something to add up."""
    ledger.post(origin=mint, destination=member_acc, amount=500, type=TransactionType.ACCRUAL)
    ledger.post(
        origin=member_acc, destination=partner_acc, amount=120, type=TransactionType.REDEMPTION
    )
    gift = ledger.post(
        origin=member_acc, destination=other_member_acc, amount=80, type=TransactionType.TRANSFER
    )
    ledger.reverse(transaction=gift, reason="Sent to the wrong member")
    ledger.hold(
        origin=mint,
        destination=other_member_acc,
        amount=40,
        type=TransactionType.ACCRUAL,
        release_date=timezone.now() + dt.timedelta(days=1),
    )


def tamper(account, *, balance_delta: int = 0, pending_delta: int = 0) -> None:
    """Change a stored balance behind the ledger's back, as a faulty writer would."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE loyalty_account SET balance = balance + %s, "
            "pending_balance = pending_balance + %s WHERE id = %s",
            [balance_delta, pending_delta, account.pk],
        )


def test_ledger_check_prints_ok_on_consistent_books(books):
    out = StringIO()

    call_command("ledger_check", stdout=out)

    report = out.getvalue()
    assert "OK: the ledger balances." in report
    assert "MISMATCH" not in report
    assert "Checked 4 accounts against 5 transactions." in report


@pytest.mark.parametrize(
    "change", [{"balance_delta": 7}, {"pending_delta": 3}], ids=["balance", "pending"]
)
def test_ledger_check_names_a_tampered_account_and_fails(books, member_acc, change):
    tamper(member_acc, **change)
    out = StringIO()

    with pytest.raises(CommandError) as caught:
        call_command("ledger_check", stdout=out)

    assert caught.value.returncode == 1
    report = out.getvalue()
    assert f"MISMATCH {member_acc.public_id}" in report
    assert report.count("MISMATCH") == 1
    assert "FAILED: the ledger does not balance." in report


def test_ledger_check_exits_with_status_1_from_the_command_line(
    books, other_member_acc, test_database_env
):
    tamper(other_member_acc, balance_delta=1)

    result = subprocess.run(
        [sys.executable, "manage.py", "ledger_check"],
        cwd=settings.BASE_DIR,
        env=test_database_env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 1, result.stderr
    assert f"MISMATCH {other_member_acc.public_id}" in result.stdout


def test_ledger_check_names_a_pending_transaction_missing_from_the_schedule(books):
    pending = Transaction.objects.get(status=TransactionStatus.PENDING)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE loyalty_pendingrelease SET amount = amount + 1")
    out = StringIO()

    with pytest.raises(CommandError):
        call_command("ledger_check", stdout=out)

    report = out.getvalue()
    assert f"UNSCHEDULED {pending.public_id}" in report
    assert "STRAY" not in report
    assert "FAILED: the ledger does not balance." in report


def test_ledger_check_names_a_schedule_row_of_a_transaction_no_longer_pending(books):
    completed = Transaction.objects.filter(status=TransactionStatus.COMPLETED).first()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO loyalty_pendingrelease (transaction_id, release_date, amount) "
            "VALUES (%s, now(), %s)",
            [completed.pk, completed.amount],
        )
    out = StringIO()

    with pytest.raises(CommandError):
        call_command("ledger_check", stdout=out)

    report = out.getvalue()
    assert f"STRAY {completed.public_id}" in report
    assert "UNSCHEDULED" not in report
