from giftcards.models import GiftCardCode, GiftCardCodeImport, ImportStatus
from giftcards.services.imports import import_create
from giftcards.tasks import import_codes
from tests.giftcards.fixtures import csv_of


def test_a_big_file_is_imported_by_the_task_after_commit(
    settings, fixed_card, django_capture_on_commit_callbacks
):
    settings.GIFTCARD_IMPORT_ASYNC_ROWS = 2
    data = csv_of(*(f"BIG-{n},,10.00" for n in range(5)))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        batch = import_create(gift_card=fixed_card, data=data, filename="big.csv")
    assert len(callbacks) == 1
    assert batch.status == ImportStatus.PENDING and not GiftCardCode.objects.exists()
    assert import_codes(batch.pk) == 5
    batch.refresh_from_db()
    assert (batch.status, batch.created_codes, batch.total_rows) == (ImportStatus.DONE, 5, 5)
    assert bytes(batch.data) == b""  # the codes in clear are not kept
    assert import_codes(batch.pk) == 0  # run once only


def test_a_small_file_is_imported_at_once_with_its_report(fixed_card):
    batch = import_create(gift_card=fixed_card, data=csv_of("A,,10.00", "A,,10.00"), filename="x")
    assert batch.status == ImportStatus.REFUSED
    assert batch.errors == [{"line": 3, "message": "the code repeats line 2"}]
    assert GiftCardCodeImport.objects.get().data == b""
