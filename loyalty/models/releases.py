"""The release schedule: one row per pending transaction, which the release sweep consumes.

A pending transaction's release date lives here as well as on its row, so that no index of the
transaction table depends on its status. Releasing a transaction then changes no indexed column
of it, and PostgreSQL can write the completed version beside the pending one on the same page
(a heap-only update, the table keeps room for one: migration 0014) without a new entry in any of
the table's indexes; the sweep's only index work is deleting these small rows. An index of the
pending rows in the transaction table (its status in the predicate) cost every release a new
entry in each of that table's seven indexes instead, some 40% of PostgreSQL's time in a sweep.
The free room is a tenth of a page: where all the rows of a page fall due in one batch (written
together, held for the same time) most of them do not fit and are released as ordinary updates,
no dearer than before.

The ledger keeps the two exact (ledger_check verifies it): loyalty.ledger.hold adds the row,
amend changes it, and release, cancel and the sweep delete it. Whoever changes a pending
transaction takes its schedule row before the transaction's own row, as the sweep does, so the
two kinds of lock are always taken in one order.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from loyalty.models.transactions import Transaction


class PendingRelease(models.Model):
    """A pending transaction waiting for its release date (its amount, for the dashboard)."""

    transaction = models.OneToOneField(
        Transaction, on_delete=models.PROTECT, primary_key=True, related_name="pending_release"
    )
    release_date = models.DateTimeField()
    amount = models.BigIntegerField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="pending_release_amount_positive"
            )
        ]
        indexes = [
            # The sweep reads the due rows oldest release date first.
            models.Index(fields=["release_date", "transaction"], name="pending_release_due_idx")
        ]

    def __str__(self) -> str:
        return f"{self.transaction_id} due {self.release_date:%Y-%m-%d %H:%M}"
