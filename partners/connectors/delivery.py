"""Delivery of the forwarding outbox: claim a record, send it through its programme's
connector outside any database transaction, record the answer (loyalty.services.forwarding).

- deliver_after_commit(record_id): what an exchange's request calls; once the exchange has
  committed, a Celery task delivers the record at once. If the broker cannot take the task the
  sweeper still will.
- deliver(record_id): one delivery attempt of one record (the task), if it is due and free.
- sweep(): every due record (the periodic task and `manage.py forward_due`), in batches claimed
  with SKIP LOCKED, so several sweepers and workers share the queue without sending a record
  twice at once.
"""

from __future__ import annotations

import logging

from django.db import transaction

from loyalty.models import AttemptOutcome, ForwardingRecord
from loyalty.services.forwarding import (
    Answer,
    Claim,
    forwarding_claim,
    forwarding_claim_due,
    forwarding_finish,
)
from partners.connectors.base import connector_for
from partners.models import ProgrammeConnector

logger = logging.getLogger(__name__)


def deliver_after_commit(record_id: int) -> None:
    def enqueue() -> None:
        from partners.tasks import deliver_forwarding

        try:
            # No publish retries: a broker that is down must not hold up the request's answer.
            deliver_forwarding.apply_async((record_id,), retry=False)
        except Exception:  # the broker is down: the sweeper delivers it
            logger.warning("forwarding %s left to the sweeper (broker unavailable)", record_id)

    transaction.on_commit(enqueue)


def _send(claim: Claim, connectors: dict | None = None) -> ForwardingRecord:
    """Send a claimed record; `connectors` keeps each currency's connector for one sweep."""
    record = claim.record
    connectors = {} if connectors is None else connectors
    if record.loyalty_currency_id not in connectors:
        config = ProgrammeConnector.objects.filter(
            loyalty_currency_id=record.loyalty_currency_id, enabled=True
        ).first()
        connectors[record.loyalty_currency_id] = config and connector_for(config)
    connector = connectors[record.loyalty_currency_id]
    if connector is None:
        answer = Answer(
            AttemptOutcome.TRANSIENT, None, None, "NO_CONNECTOR", "No enabled connector."
        )
    else:
        try:
            answer = connector.credit(record)
        except Exception as failed:  # a bug or a bad configuration: retry, and say why
            logger.exception("forwarding %s: connector failed", record.reference)
            answer = Answer(
                AttemptOutcome.TRANSIENT, None, None, "CONNECTOR_ERROR", type(failed).__name__
            )
    return forwarding_finish(claim=claim, answer=answer)


def deliver(record_id: int) -> ForwardingRecord | None:
    claim = forwarding_claim(record_id=record_id)
    return None if claim is None else _send(claim)


def sweep(*, limit: int | None = None) -> int:
    """Deliver every due record; return how many attempts were made."""
    attempts, connectors = 0, {}
    while True:
        claims = forwarding_claim_due(limit=limit)
        for claim in claims:
            _send(claim, connectors)
        attempts += len(claims)
        if not claims or (limit and len(claims) < limit):
            return attempts
