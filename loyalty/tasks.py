"""Celery tasks: thin wrappers that call the ledger and the services."""

import logging

from celery import shared_task

from loyalty import ledger
from loyalty.models import LoyaltyCurrency
from loyalty.services.expiry import points_expire_all
from loyalty.services.exports import export_run
from loyalty.services.tiers import tiers_recompute

logger = logging.getLogger(__name__)


@shared_task(name="loyalty.tasks.release_due_transactions", ignore_result=True)
def release_due_transactions() -> int:
    """Periodic sweep (every minute, see loyalty/celery.py): release every due transaction."""
    released = ledger.release_due()
    if released:
        logger.info("released %d due pending transaction(s)", released)
    return released


@shared_task(name="loyalty.tasks.recompute_tiers", ignore_result=True)
def recompute_tiers() -> int:
    """Daily (see loyalty/celery.py): recompute the tiers of every hosted currency that has tiers.

    External currencies are left alone: their members earn in the partner programme's books, not
    in our ledger, so their tiers are set by staff. Returns how many members changed tier.
    """
    changed = 0
    for currency in LoyaltyCurrency.objects.filter(is_hosted=True, tiers__isnull=False).distinct():
        result = tiers_recompute(loyalty_currency=currency)
        if result.changed:
            logger.info("%s: %d member(s) changed tier", currency.code, result.changed)
        changed += result.changed
    return changed


@shared_task(name="loyalty.tasks.expire_points", ignore_result=True)
def expire_points() -> int:
    """Daily (see loyalty/celery.py): expire the points due in every currency whose points
    expire; exactly once per member and day however often it runs. Returns the units expired."""
    total = 0
    for code, run in points_expire_all():
        if run.units:
            logger.info("%s: %d unit(s) of %d member(s) expired", code, run.units, run.members)
        total += run.units
    return total


@shared_task(name="loyalty.tasks.run_export", ignore_result=True)
def run_export(export_id: int) -> None:
    """Write a large CSV export (queued by the admin, see loyalty.services.exports)."""
    export_run(export_id=export_id)
