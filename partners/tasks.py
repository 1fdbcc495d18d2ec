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


@shared_task(name="partners.tasks.deliver_forwarding", ignore_result=True)
def deliver_forwarding(record_id: int) -> None:
    """Right after an exchange commits: one delivery attempt of its forwarding record."""
    from partners.connectors.delivery import deliver

    deliver(record_id)


@shared_task(name="partners.tasks.forward_due", ignore_result=True)
def forward_due() -> int:
    """Periodic (every minute): deliver every forwarding record that is due or was missed."""
    from partners.connectors.delivery import sweep

    attempts = sweep()
    if attempts:
        logger.info("forwarding sweep made %d attempt(s)", attempts)
    return attempts
