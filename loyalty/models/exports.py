from django.conf import settings
from django.db import models
from django.db.models import Q


class ExportKind(models.TextChoices):
    TRANSACTIONS = "transactions", "Transactions"
    MEMBER_BALANCES = "member_balances", "Member balances"


class ExportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class Export(models.Model):
    """A CSV export too large to stream at once, written by a Celery task (loyalty.exports).

    `query` is the pickled Query of the admin's filtered list (Django's documented way to
    re-create a queryset elsewhere), so the task writes exactly the rows staff were looking at.
    `written_rows` grows while the task runs: the admin's progress bar reads it.
    """

    kind = models.CharField(max_length=32, choices=ExportKind.choices)
    status = models.CharField(max_length=16, choices=ExportStatus.choices)
    query = models.BinaryField(editable=False)
    description = models.CharField(max_length=255, blank=True, help_text="What was filtered.")
    total_rows = models.BigIntegerField(default=0)
    written_rows = models.BigIntegerField(default=0)
    file_name = models.CharField(max_length=255, blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="exports"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ExportKind.values), name="export_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ExportStatus.values), name="export_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(written_rows__gte=0) & Q(total_rows__gte=0),
                name="export_rows_not_negative",
            ),
            models.CheckConstraint(
                condition=~Q(status=ExportStatus.DONE) | ~Q(file_name=""),
                name="export_done_has_file",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} export {self.pk}"

    @property
    def percent(self) -> int:
        if self.status == ExportStatus.DONE:
            return 100
        if not self.total_rows:
            return 0
        return min(99, self.written_rows * 100 // self.total_rows)
