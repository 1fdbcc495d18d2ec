"""Large CSV exports: recorded, then written by a Celery task with its progress on the row.

`export_create` records what to export (the filtered queryset's pickled Query) and queues the
task after commit; `export_run` claims the export (queued -> running, once: a repeated task
finds it claimed and does nothing), writes the CSV into settings.EXPORTS_DIR through a
server-side cursor, and counts the rows written every chunk, outside any transaction, so the
admin's progress bar sees them at once.
"""

from __future__ import annotations

import logging
import pickle
import uuid
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from loyalty.models import Export, ExportStatus
from loyalty.reports.exports import FORMATS, export_rows
from loyalty.reports.streaming import CHUNK_ROWS, csv_chunks

logger = logging.getLogger(__name__)


def export_path(export: Export) -> Path:
    return Path(settings.EXPORTS_DIR) / export.file_name


@transaction.atomic
def export_create(
    *, kind: str, queryset: QuerySet, user: AbstractBaseUser, total_rows: int, description: str = ""
) -> Export:
    """Record an export of `queryset` and queue its task (after commit)."""
    from loyalty.tasks import run_export  # the tasks module imports this one

    export = Export.objects.create(
        kind=kind,
        status=ExportStatus.QUEUED,
        query=pickle.dumps(queryset.query),
        total_rows=total_rows,
        description=description[:255],
        created_by=user,
    )
    transaction.on_commit(lambda: run_export.delay(export.pk))
    return export


def export_run(*, export_id: int) -> Export | None:
    """Write the export's file; None if another run has it (or it is finished)."""
    claimed = Export.objects.filter(pk=export_id, status=ExportStatus.QUEUED).update(
        status=ExportStatus.RUNNING
    )
    if not claimed:
        return None
    export = Export.objects.get(pk=export_id)
    file_name = f"{export.kind}-{export.pk}-{uuid.uuid4().hex[:12]}.csv"
    path = Path(settings.EXPORTS_DIR) / file_name
    path.parent.mkdir(parents=True, exist_ok=True)
    model = FORMATS[export.kind]
    written = 0

    def counted():
        nonlocal written
        for row in export_rows(export.kind, _queryset(export)):
            written += 1
            yield row

    try:
        with path.open("wb") as out:
            # csv_chunks yields every CHUNK_ROWS rows: each chunk reports the progress.
            for chunk in csv_chunks(model.header, counted(), chunk_rows=CHUNK_ROWS):
                out.write(chunk)
                Export.objects.filter(pk=export.pk).update(written_rows=written)
        Export.objects.filter(pk=export.pk).update(
            status=ExportStatus.DONE,
            file_name=file_name,
            written_rows=written,
            total_rows=max(written, export.total_rows),
            finished_at=timezone.now(),
        )
    except Exception as exc:
        logger.exception("export %s failed", export.pk)
        path.unlink(missing_ok=True)
        Export.objects.filter(pk=export.pk).update(
            status=ExportStatus.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
        raise
    export.refresh_from_db()
    return export


def _queryset(export: Export) -> QuerySet:
    query = pickle.loads(bytes(export.query))
    queryset = query.model.objects.all()
    queryset.query = query
    return queryset
