from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from giftcards.models import GiftCardCode
from tests.giftcards.fixtures import load_codes


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("giftcard_codes", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_then_stock(tmp_path, fixed_card):
    path = tmp_path / "codes.csv"
    path.write_text("code,pin,denomination\nSECRET-1,11,10.00\nSECRET-2,,5.00\n")
    out, _ = run("import", fixed_card.public_id, str(path))
    assert "Imported 2 codes" in out and "SECRET" not in out
    out, _ = run("stock", fixed_card.public_id)
    lines = {line.split()[0]: line.split()[1:] for line in out.splitlines()[2:]}
    assert lines["10.00"] == ["1", "0", "0", "1", "low"]
    assert lines["5.00"] == ["1", "0", "0", "1", "low"]


def test_a_refused_file_prints_its_report_and_stores_nothing(tmp_path, fixed_card):
    load_codes(fixed_card, 1)
    path = tmp_path / "codes.csv"
    path.write_text("code,denomination\nNEW-1,10.00\nCODE-000000,10.00\nNEW-2,3.00\n")
    err = StringIO()
    with pytest.raises(CommandError, match="2 of 3 lines refused"):
        call_command("giftcard_codes", "import", fixed_card.public_id, str(path), stderr=err)
    assert "line 3: the code is already in stock" in err.getvalue()
    assert "line 4: 3.00 is not a denomination" in err.getvalue()
    assert GiftCardCode.objects.count() == 1


def test_unknown_card(db):
    with pytest.raises(CommandError, match="No gift card"):
        run("stock", "gcb_nope")
