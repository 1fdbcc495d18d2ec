"""CSV exports from the admin (loyalty.admin.exports, loyalty.services.exports): the filtered
list streams at once; a large one is written by its task with progress, then downloaded."""

import pytest
from django.contrib.auth.models import Permission, User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from loyalty import ledger
from loyalty.models import Export, ExportStatus, TransactionSubType
from loyalty.selectors import member_account
from loyalty.services.exports import export_run
from loyalty.tasks import run_export
from tests.factories import MemberFactory
from tests.loyalty.admin.helpers import credit, page, url


def body(response) -> str:
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode()


@pytest.fixture
def history(mint, member, member_acc, partner_acc, admin_user):
    credit(member_acc, 1_000)
    ledger.post(
        origin=member_acc,
        destination=partner_acc,
        amount=300,
        type="redemption",
        reason='Lounge, "gold" pass',
        external_reference="ord-1,2",
        created_by_partner=partner_acc.partner,
    )
    ledger.post(
        origin=member_acc,
        destination=mint,
        amount=50,
        type="transfer",
        sub_type=TransactionSubType.ADJUSTMENT_DECREASE,
        reason="Goodwill taken back",
        created_by_user=admin_user,
    )


def test_filtered_transactions_stream_as_csv(admin_client, history, member):
    html = page(admin_client.get(url("transaction_changelist"), {"type__exact": "redemption"}))
    assert "/admin/loyalty/transaction/export/?type__exact=redemption" in html

    text = body(admin_client.get(url("transaction_export"), {"type__exact": "redemption"}))
    header, *rows = text.split("\r\n")[:-1]
    assert header == (
        "created_at,id,loyalty_currency,type,sub-type,status,member,signed_amount,origin,"
        "destination,reason,reason_code,created_by,external_reference"
    )
    [row] = rows
    assert f",EXAMPLE_POINTS,redemption,,completed,{member.membership_id},-300," in row
    assert row.endswith(',"Lounge, ""gold"" pass",,example-air,"ord-1,2"')

    everything = body(admin_client.get(url("transaction_export")))
    assert everything.count("\r\n") == 4
    assert f",{member.membership_id},-50," in everything and ",admin," in everything
    assert f",{member.membership_id},1000," in everything


def test_member_balances_export(admin_client, history, member, currency):
    MemberFactory(loyalty_currency=currency, status="blocked")
    text = body(admin_client.get(url("member_export"), {"status__exact": "active"}))
    header, *rows = text.split("\r\n")[:-1]
    assert header.startswith("membership_id,first_name,last_name,company_name,email,status,tier")
    assert rows == [
        f"{member.membership_id},{member.first_name},{member.last_name},,{member.email},active,,"
        "EXAMPLE_POINTS,650,0"
    ]


def test_a_large_export_runs_as_a_task_with_progress(
    admin_client, history, settings, tmp_path, django_capture_on_commit_callbacks, currency, mint
):
    settings.EXPORT_STREAM_LIMIT = 2
    settings.EXPORTS_DIR = tmp_path
    with django_capture_on_commit_callbacks() as queued:
        response = admin_client.get(url("transaction_export"))
    export = Export.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("export_progress", export.pk)
    assert len(queued) == 1  # run_export.delay, after commit
    assert (export.status, export.total_rows, export.written_rows) == ("queued", 3, 0)

    html = page(admin_client.get(url("export_progress", export.pk)))
    assert 'hx-trigger="every 1s"' in html and "0 of 3 rows written" in html

    run_export(export.pk)  # what the worker does
    export.refresh_from_db()
    assert (export.status, export.written_rows, export.percent) == (ExportStatus.DONE, 3, 100)
    assert export_run(export_id=export.pk) is None  # a repeated task finds it done

    fragment = page(admin_client.get(url("export_progress", export.pk), {"fragment": 1}))
    assert "hx-trigger" not in fragment and 'id="export-download"' in fragment
    download = admin_client.get(url("export_download", export.pk))
    text = b"".join(download.streaming_content).decode()
    assert download["Content-Disposition"].startswith('attachment; filename="transactions-')
    assert text.count("\r\n") == 4 and text.startswith("created_at,id,")


def test_other_staff_cannot_see_an_export(client, admin_user, history, settings, tmp_path):
    settings.EXPORT_STREAM_LIMIT = 1
    settings.EXPORTS_DIR = tmp_path
    client.force_login(admin_user)
    client.get(url("member_export"))
    client.get(url("transaction_export"))
    export = Export.objects.get(kind="transactions")
    run_export(export.pk)

    other = User.objects.create_user("viewer", is_staff=True)
    other.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_export", "view_transaction"])
    )
    client.force_login(other)
    assert client.get(url("export_download", export.pk)).status_code == 404
    assert client.get(url("export_progress", export.pk)).status_code == 404


def test_many_rows_cross_chunks(admin_client, currency, mint, settings, tmp_path, monkeypatch):
    """Progress is recorded after every chunk of rows; every row is written once."""
    monkeypatch.setattr("loyalty.services.exports.CHUNK_ROWS", 10)
    settings.EXPORT_STREAM_LIMIT = 10
    settings.EXPORTS_DIR = tmp_path
    account = member_account(member=MemberFactory(loyalty_currency=currency))
    for amount in range(1, 26):
        credit(account, amount)
    admin_client.get(url("transaction_export"))
    export = Export.objects.get()
    with CaptureQueriesContext(connection) as queries:
        run_export(export.pk)
    export.refresh_from_db()
    assert export.written_rows == 25
    progress = [
        q["sql"] for q in queries if q["sql"].startswith("UPDATE") and "written_rows" in q["sql"]
    ]
    assert len(progress) == 3 + 1  # after rows 10, 20 and 25, then done
    download = admin_client.get(url("export_download", export.pk))
    assert b"".join(download.streaming_content).count(b"\r\n") == 26
