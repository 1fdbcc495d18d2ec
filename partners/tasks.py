"""Celery tasks of the partner side: thin wrappers over services."""

import logging

from celery import shared_task

from partners.api import idempotency

logger = logging.getLogger(__name__)


@shared_task(name="partners.tasks.purge_idempotency_records", ignore_result=True)
def purge_idempotency_records() -> int:
    """Periodic (hourly): delete Idempotency-Key records past their 8 hours."""
    deleted = idempotency.purge_expired()
    if deleted:
        logger.info("purged %d expired idempotency record(s)", deleted)
    return deleted
