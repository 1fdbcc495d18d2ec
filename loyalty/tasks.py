"""Celery tasks: thin wrappers that call the ledger."""

import logging

from celery import shared_task

from loyalty import ledger

logger = logging.getLogger(__name__)


@shared_task(name="loyalty.tasks.release_due_transactions", ignore_result=True)
def release_due_transactions() -> int:
    """Periodic sweep (every minute, see loyalty/celery.py): release every due transaction."""
    released = ledger.release_due()
    if released:
        logger.info("released %d due pending transaction(s)", released)
    return released
