"""Celery tasks of the gift-card app: thin wrappers that load ids and call a service."""

from celery import shared_task

from giftcards.models import GiftCardCodeImport
from giftcards.services.imports import import_run


@shared_task(name="giftcards.tasks.import_codes", ignore_result=True)
def import_codes(import_id: int) -> int:
    """Import a recorded file of codes (big files uploaded in the admin); returns codes stored."""
    batch = GiftCardCodeImport.objects.select_related("gift_card").filter(pk=import_id).first()
    if batch is None:
        return 0
    return import_run(batch=batch).created
