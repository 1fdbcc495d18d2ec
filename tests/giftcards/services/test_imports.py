import io
from decimal import Decimal

import pytest
from openpyxl import Workbook

from giftcards import errors
from giftcards.models import GiftCardCode
from giftcards.secrets import code_hash, unseal
from giftcards.services.imports import codes_import
from tests.giftcards.fixtures import csv_of, load_codes

HEADER = "code,pin,denomination,expiration_date,barcode_string"


def test_a_valid_file_is_stored_encrypted(fixed_card):
    data = csv_of("AAA-1,1111,5.00,2099-12-31,BAR1", "AAA-2,,25.00,,", header=HEADER)
    report = codes_import(gift_card=fixed_card, data=data)
    assert report.ok and (report.total_rows, report.created) == (2, 2)
    first = GiftCardCode.objects.get(code_hash=code_hash("aaa1"))
    assert first.denomination == Decimal("5.00")
    assert "AAA-1" not in first.code_encrypted and unseal(first.code_encrypted) == "AAA-1"
    assert unseal(first.pin_encrypted) == "1111" and unseal(first.barcode_encrypted) == "BAR1"


def test_every_bad_line_is_reported_and_nothing_is_stored(fixed_card):
    load_codes(fixed_card, 1, prefix="OLD")
    data = csv_of(
        "GOOD-1,,10.00,,",
        "GOOD-1,,10.00,,",  # repeats line 2
        "BAD-2,,7.00,,",  # not a denomination
        "BAD-3,,,,",  # denomination missing
        "BAD-4,,ten,,",
        "BAD-5,,10.00,2001-01-01,",
        "BAD-6,,10.00,31/12/2099,",
        ",,10.00,,",
        "OLD-000000,,10.00,,",  # already in stock
        header=HEADER,
    )
    report = codes_import(gift_card=fixed_card, data=data)
    assert [e.line for e in report.errors] == [3, 4, 5, 6, 7, 8, 9, 10]
    assert "repeats line 2" in report.errors[0].message
    assert "already in stock" in report.errors[-1].message
    assert GiftCardCode.objects.count() == 1


def test_an_open_card_takes_no_denomination(open_card):
    report = codes_import(gift_card=open_card, data=csv_of("X,,10.00"))
    assert not report.ok
    assert codes_import(gift_card=open_card, data=csv_of("X,,")).ok


def test_xlsx_files_are_read(fixed_card):
    book = Workbook()
    sheet = book.active
    sheet.append(["code", "pin", "denomination"])
    sheet.append(["XL-1", "99", "10.00"])
    buffer = io.BytesIO()
    book.save(buffer)
    report = codes_import(gift_card=fixed_card, data=buffer.getvalue(), filename="codes.xlsx")
    assert report.ok and report.created == 1


@pytest.mark.parametrize(
    "data", [b"", b"pin,denomination\n1,10.00", b"code,colour\nA,red", b"\xff\xfe"]
)
def test_unreadable_files_are_refused(fixed_card, data):
    with pytest.raises(errors.GiftCardImportInvalid):
        codes_import(gift_card=fixed_card, data=data)
