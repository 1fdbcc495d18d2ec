"""Loading codes into a card's stock from CSV or XLSX, validated whole before anything is stored.

Columns (a header row; names in any order and case): `code`, then optional `pin`,
`denomination` (a fiat amount such as 10.00; required for fixed cards, refused for open ones),
`expiration_date` (YYYY-MM-DD, not in the past) and `barcode_string`. Every line is checked
(format, denomination of the card, duplicates within the file and against the card's codes)
and the report lists each refused line; if any is refused nothing is stored. Otherwise the codes
are encrypted and inserted in batches, `progress(done, total)` called after each.
"""

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from giftcards import secrets
from giftcards.errors import GiftCardImportInvalid
from giftcards.models import (
    DenominationType,
    GiftCard,
    GiftCardCode,
    GiftCardCodeImport,
    ImportStatus,
)
from giftcards.selectors import denominations_of

COLUMNS = ("code", "pin", "denomination", "expiration_date", "barcode_string")
BATCH_SIZE = 2_000
MAX_CODE_LENGTH = 200


@dataclass(frozen=True)
class LineError:
    """A refused line: `line` counts the header as line 1."""

    line: int
    message: str


@dataclass
class ImportReport:
    total_rows: int = 0
    created: int = 0
    errors: list[LineError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class _Row:
    line: int
    code: str
    code_hash: str
    pin: str
    denomination: Decimal | None
    expiration_date: dt.date | None
    barcode_string: str


def read_rows(data: bytes, *, filename: str = "") -> Iterator[tuple[int, dict[str, str]]]:
    """(line, {column: text}) of a CSV (UTF-8) or XLSX file; GiftCardImportInvalid when the file
    is neither or has no `code` column."""
    if filename.lower().endswith(".xlsx") or data[:2] == b"PK":
        rows = _xlsx_rows(data)
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise GiftCardImportInvalid("The file is neither UTF-8 CSV nor XLSX.") from exc
        rows = iter(csv.reader(io.StringIO(text, newline="")))
    header = [str(name or "").strip().lower() for name in next(rows, [])]
    if "code" not in header:
        raise GiftCardImportInvalid(
            "The first line must be a header naming the columns: code, then optionally "
            + ", ".join(COLUMNS[1:])
            + "."
        )
    unknown = [name for name in header if name and name not in COLUMNS]
    if unknown:
        raise GiftCardImportInvalid(f"Unknown columns: {', '.join(unknown)}.")
    for line, values in enumerate(rows, start=2):
        cells = ["" if v is None else str(v).strip() for v in values]
        if not any(cells):
            continue
        yield line, dict(zip(header, cells + [""] * (len(header) - len(cells)), strict=False))


def _xlsx_rows(data: bytes) -> Iterator[list]:
    from openpyxl import load_workbook

    try:
        sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).active
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise GiftCardImportInvalid("The file is not a readable XLSX workbook.") from exc
    for values in sheet.iter_rows(values_only=True):
        yield [v.date().isoformat() if isinstance(v, dt.datetime) else v for v in values]


def validate(
    gift_card: GiftCard, data: bytes, *, filename: str = ""
) -> tuple[list[_Row], ImportReport]:
    """Every line checked; the rows to store (only if the report is ok) and the report."""
    fixed = gift_card.denomination_type == DenominationType.FIXED
    allowed = set(denominations_of(gift_card))
    today = timezone.localdate()
    report, rows, seen = ImportReport(), [], {}
    for line, raw in read_rows(data, filename=filename):
        report.total_rows += 1
        problems = []
        code = raw.get("code", "")
        normal = secrets.normalise(code)
        if not normal:
            problems.append("code is empty")
        elif len(code) > MAX_CODE_LENGTH or not code.isprintable():
            problems.append(f"code must be at most {MAX_CODE_LENGTH} printable characters")
        denomination = None
        text = raw.get("denomination", "")
        if text:
            try:
                denomination = Decimal(text)
                if not denomination.is_finite() or denomination != denomination.quantize(
                    Decimal("0.01")
                ):
                    raise InvalidOperation
            except InvalidOperation:
                problems.append(f"denomination {text!r} is not an amount such as 10.00")
                denomination = None
        if fixed and denomination is None and not text:
            problems.append("denomination is required for this card")
        elif fixed and denomination is not None and denomination not in allowed:
            listed = ", ".join(f"{v:.2f}" for v in sorted(allowed)) or "none"
            problems.append(f"{denomination:.2f} is not a denomination of this card ({listed})")
        elif not fixed and text:
            problems.append("an open card's codes take no denomination")
        expiration = None
        if text := raw.get("expiration_date", ""):
            try:
                expiration = dt.date.fromisoformat(text)
            except ValueError:
                problems.append(f"expiration_date {text!r} is not a date (YYYY-MM-DD)")
            else:
                if expiration < today:
                    problems.append(f"expiration_date {text} is in the past")
        digest = secrets.code_hash(code) if normal else ""
        if digest and digest in seen:
            problems.append(f"the code repeats line {seen[digest]}")
        elif digest:
            seen[digest] = line
        if problems:
            report.errors.append(LineError(line, "; ".join(problems)))
            continue
        rows.append(
            _Row(
                line=line,
                code=code.strip(),
                code_hash=digest,
                pin=raw.get("pin", ""),
                denomination=denomination if fixed else None,
                expiration_date=expiration,
                barcode_string=raw.get("barcode_string", ""),
            )
        )
    if report.total_rows == 0:
        report.errors.append(LineError(1, "The file holds no codes."))
    by_hash = {row.code_hash: row.line for row in rows}
    hashes = list(by_hash)
    for start in range(0, len(hashes), 5_000):
        existing = GiftCardCode.objects.filter(
            gift_card=gift_card, code_hash__in=hashes[start : start + 5_000]
        ).values_list("code_hash", flat=True)
        for digest in existing:
            report.errors.append(LineError(by_hash[digest], "the code is already in stock"))
    report.errors.sort(key=lambda e: e.line)
    return rows, report


@transaction.atomic
def codes_import(
    *,
    gift_card: GiftCard,
    data: bytes,
    filename: str = "",
    batch: GiftCardCodeImport | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Validate the whole file, then store every code or none (see the module's docstring)."""
    rows, report = validate(gift_card, data, filename=filename)
    if not report.ok:
        return report
    for start in range(0, len(rows), BATCH_SIZE):
        chunk = rows[start : start + BATCH_SIZE]
        GiftCardCode.objects.bulk_create(
            [
                GiftCardCode(
                    gift_card=gift_card,
                    code_hash=row.code_hash,
                    code_encrypted=secrets.seal(row.code),
                    pin_encrypted=secrets.seal(row.pin),
                    barcode_encrypted=secrets.seal(row.barcode_string),
                    denomination=row.denomination,
                    expiration_date=row.expiration_date,
                    import_batch=batch,
                )
                for row in chunk
            ],
            batch_size=BATCH_SIZE,
        )
        report.created += len(chunk)
        if progress is not None:
            progress(report.created, len(rows))
    return report


PROGRESS_KEY = "giftcards:import-progress:{}"


def import_progress(batch: GiftCardCodeImport) -> tuple[int, int] | None:
    """(codes stored, codes to store) of a running import, as its task last reported."""
    return cache.get(PROGRESS_KEY.format(batch.pk))


def import_create(
    *, gift_card: GiftCard, data: bytes, filename: str, user=None
) -> GiftCardCodeImport:
    """Record an upload and import it: at once for a small file, by a Celery task after commit
    for one of more than GIFTCARD_IMPORT_ASYNC_ROWS lines."""
    batch = GiftCardCodeImport.objects.create(
        gift_card=gift_card, filename=filename[:255], data=data, created_by=user
    )
    if data.count(b"\n") > settings.GIFTCARD_IMPORT_ASYNC_ROWS:
        from giftcards.tasks import import_codes

        transaction.on_commit(lambda: import_codes.delay(batch.pk))
    else:
        import_run(batch=batch)
        batch.refresh_from_db()
    return batch


def import_run(*, batch: GiftCardCodeImport) -> ImportReport:
    """Run a recorded import: its outcome and report on the record, its progress in the cache
    (the import itself is one transaction, invisible to the admin until it commits). The
    file's content is emptied once it has been read: it holds the codes in clear."""
    claimed = GiftCardCodeImport.objects.filter(pk=batch.pk, status=ImportStatus.PENDING).update(
        status=ImportStatus.RUNNING
    )
    if not claimed:
        return ImportReport()  # another worker has it, or it has run
    data = bytes(GiftCardCodeImport.objects.values_list("data", flat=True).get(pk=batch.pk))
    key = PROGRESS_KEY.format(batch.pk)

    def progress(done: int, total: int) -> None:
        cache.set(key, (done, total), timeout=3600)

    try:
        report = codes_import(
            gift_card=batch.gift_card,
            data=data,
            filename=batch.filename,
            batch=batch,
            progress=progress,
        )
    except GiftCardImportInvalid as exc:
        report = ImportReport(errors=[LineError(1, exc.message)])
    GiftCardCodeImport.objects.filter(pk=batch.pk).update(
        status=ImportStatus.DONE if report.ok else ImportStatus.REFUSED,
        total_rows=report.total_rows,
        processed=report.created,
        created_codes=report.created,
        errors=[{"line": e.line, "message": e.message} for e in report.errors[:1000]],
        data=b"",
        finished_at=timezone.now(),
    )
    cache.delete(key)
    return report
