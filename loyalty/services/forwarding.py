"""The outbox of credits to partner programmes: claiming records for delivery, recording each
attempt's answer, and the staff actions (retry now, give up and refund).

Nothing here speaks HTTP: a connector (partners.connectors) sends the request between a claim
and its finish, outside any database transaction. A claim takes the record with
SELECT ... FOR UPDATE SKIP LOCKED, leases it (`leased_until`) and writes an `in_flight` attempt,
then commits; the finish locks the record again and applies the answer once:

- confirmed: the destination transaction completes with the programme's identifier, and the
  member's account in that programme is linked if it was not;
- a business rejection: final; the destination is rejected with the programme's reason and the
  origin reversed, so the member has the units back at once;
- DUPLICATE_TRANSACTION after an attempt that got no answer (a timeout, a killed worker): the
  programme has the credit, so it is confirmed and marked `confirmed_by_duplicate`;
- a transient failure: retried after an exponential backoff with jitter (or the programme's
  Retry-After, if longer) until `give_up_at`; then the record is dead and staff decide.

A worker killed between claim and finish leaves the lease to expire; the next claim resends the
same request (same reference, description and date), which the programme recognises.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from loyalty import ledger
from loyalty.errors import ForwardingClosed, ReasonRequired
from loyalty.models import (
    OPEN_FORWARDING_STATUSES,
    AttemptOutcome,
    Exchange,
    ForwardingAttempt,
    ForwardingRecord,
    ForwardingStatus,
    LinkedAccount,
    LinkedAccountSource,
)


@dataclass(frozen=True)
class Answer:
    """What one attempt got back from the programme (a connector's result)."""

    outcome: str  # AttemptOutcome other than IN_FLIGHT
    http_status: int | None = None
    latency_ms: int | None = None
    code: str = ""
    message: str = ""
    loyalty_system_id: str = ""
    retry_after: float | None = None


@dataclass(frozen=True)
class Claim:
    record: ForwardingRecord
    attempt: ForwardingAttempt


def backoff_seconds(attempt: int, *, rng: random.Random | None = None) -> float:
    """Delay before retry number `attempt` (1 = the first retry): base * 2^(attempt-1), capped,
    times a jitter between 0.5 and 1.5 so that a programme coming back is not hit all at once."""
    base = settings.FORWARDING_BACKOFF_BASE_SECONDS
    delay = min(base * 2 ** max(attempt - 1, 0), settings.FORWARDING_BACKOFF_CAP_SECONDS)
    return delay * (0.5 + (rng or random).random())


def _claimable(now: dt.datetime) -> Q:
    return Q(status__in=OPEN_FORWARDING_STATUSES, next_attempt_at__lte=now) & (
        Q(leased_until__isnull=True) | Q(leased_until__lt=now)
    )


def _lease(record: ForwardingRecord, now: dt.datetime) -> Claim:
    record.attempts += 1
    record.leased_until = now + dt.timedelta(seconds=settings.FORWARDING_LEASE_SECONDS)
    record.save(update_fields=["attempts", "leased_until"])
    attempt = ForwardingAttempt.objects.create(
        record=record, number=record.attempts, started_at=now
    )
    return Claim(record=record, attempt=attempt)


@transaction.atomic
def forwarding_claim(*, record_id: int, now: dt.datetime | None = None) -> Claim | None:
    """Lease one record for delivery if it is due and nobody holds it; None otherwise."""
    now = now or timezone.now()
    record = (
        ForwardingRecord.objects.select_for_update(skip_locked=True)
        .filter(_claimable(now), pk=record_id)
        .first()
    )
    return None if record is None else _lease(record, now)


@transaction.atomic
def forwarding_claim_due(
    *, limit: int | None = None, now: dt.datetime | None = None
) -> list[Claim]:
    """Lease up to `limit` due records, oldest first; concurrent sweepers skip each other's."""
    now = now or timezone.now()
    records = list(
        ForwardingRecord.objects.select_for_update(skip_locked=True)
        .filter(_claimable(now))
        .order_by("next_attempt_at", "id")[: limit or settings.FORWARDING_SWEEP_BATCH_SIZE]
    )
    if not records:
        return []
    leased_until = now + dt.timedelta(seconds=settings.FORWARDING_LEASE_SECONDS)
    for record in records:
        record.attempts += 1
        record.leased_until = leased_until
    ForwardingRecord.objects.bulk_update(records, ["attempts", "leased_until"])
    attempts = ForwardingAttempt.objects.bulk_create(
        ForwardingAttempt(record=record, number=record.attempts, started_at=now)
        for record in records
    )
    return [Claim(record=r, attempt=a) for r, a in zip(records, attempts, strict=True)]


def _unanswered_before(record: ForwardingRecord, number: int) -> bool:
    """Did an earlier attempt get no answer, so that the programme may have the credit?"""
    return (
        record.tries.filter(number__lt=number)
        .filter(
            Q(outcome=AttemptOutcome.IN_FLIGHT)
            | Q(outcome=AttemptOutcome.TRANSIENT, http_status__isnull=True)
        )
        .exists()
    )


@transaction.atomic
def forwarding_finish(
    *, claim: Claim, answer: Answer, now: dt.datetime | None = None
) -> ForwardingRecord:
    """Record the attempt's answer and apply it to the record and the ledger (once)."""
    now = now or timezone.now()
    record = (
        ForwardingRecord.objects.select_for_update(of=("self",))
        .select_related("transaction", "exchange__origin_transaction__origin_account")
        .get(pk=claim.record.pk)
    )
    outcome = answer.outcome
    if outcome == AttemptOutcome.DUPLICATE and not _unanswered_before(record, claim.attempt.number):
        outcome = AttemptOutcome.REJECTED  # a duplicate of nothing we sent: the programme refuses
    ForwardingAttempt.objects.filter(pk=claim.attempt.pk).update(
        finished_at=now,
        outcome=outcome,
        http_status=answer.http_status,
        latency_ms=answer.latency_ms,
        code=answer.code[:64],
        message=answer.message[:500],
    )
    if not record.is_open or record.attempts != claim.attempt.number:
        return record  # answered meanwhile (staff, or a later attempt after the lease expired)
    record.leased_until = None
    record.last_code, record.last_message = answer.code[:64], answer.message[:500]
    if outcome in (AttemptOutcome.CONFIRMED, AttemptOutcome.DUPLICATE):
        _confirm(
            record, answer.loyalty_system_id, now, duplicate=outcome == AttemptOutcome.DUPLICATE
        )
    elif outcome == AttemptOutcome.REJECTED:
        reason = f"{answer.code}: {answer.message}" if answer.code else answer.message
        _refund(record, reason or "Rejected by the partner programme.", now)
    else:
        delay = backoff_seconds(record.attempts)
        if answer.retry_after:
            delay = max(delay, answer.retry_after)
        record.next_attempt_at = now + dt.timedelta(seconds=delay)
        if record.next_attempt_at > record.give_up_at:
            record.status, record.finished_at = ForwardingStatus.DEAD, now
        else:
            record.status = ForwardingStatus.RETRYING
    record.save()
    return record


def _confirm(record: ForwardingRecord, identifier: str, now: dt.datetime, *, duplicate: bool):
    tx = record.transaction
    ledger.confirm(transaction=tx, loyalty_system_id=identifier or record.reference, now=now)
    record.status, record.finished_at = ForwardingStatus.CONFIRMED, now
    record.loyalty_system_id = identifier[:64]
    record.confirmed_by_duplicate = duplicate
    origin_member_id = record.exchange.origin_transaction.origin_account.member_id
    payload = record.payload
    if origin_member_id:
        LinkedAccount.objects.get_or_create(
            member_id=origin_member_id,
            loyalty_currency_id=record.loyalty_currency_id,
            defaults={
                "membership_number": payload.get("account", ""),
                "family_name": payload.get("family_name", "")[:150],
                "first_name": payload.get("first_name", "")[:150],
                "source": LinkedAccountSource.EXCHANGE,
            },
        )


def _refund(record: ForwardingRecord, reason: str, now: dt.datetime, user=None) -> None:
    """Reject the destination with `reason` and reverse the origin: the member is refunded."""
    ledger.reject(transaction=record.transaction, reason=reason)
    ledger.reverse(
        transaction=record.exchange.origin_transaction,
        reason=f"Refund: {reason}"[:255],
        created_by_user=user,
        now=now,
    )
    record.status, record.finished_at = ForwardingStatus.REJECTED, now
    record.leased_until = None
    Exchange.objects.filter(pk=record.exchange_id).update(refunded=True)


@transaction.atomic
def forwarding_retry_now(*, record: ForwardingRecord, now: dt.datetime | None = None) -> None:
    """Staff: send a dead or waiting record again now, with a fresh retry window."""
    now = now or timezone.now()
    locked = ForwardingRecord.objects.select_for_update().get(pk=record.pk)
    if locked.status not in (*OPEN_FORWARDING_STATUSES, ForwardingStatus.DEAD):
        raise ForwardingClosed(f"Forwarding {locked.reference} is {locked.status}.")
    locked.status = ForwardingStatus.RETRYING
    locked.next_attempt_at = now
    locked.give_up_at = max(
        locked.give_up_at, now + dt.timedelta(seconds=settings.FORWARDING_RETRY_WINDOW_SECONDS)
    )
    locked.finished_at = None
    locked.save()


@transaction.atomic
def forwarding_give_up(
    *,
    record: ForwardingRecord,
    reason: str,
    user: AbstractBaseUser | None = None,
    now: dt.datetime | None = None,
) -> None:
    """Staff: stop forwarding a record and refund the member, with the staff member's reason."""
    now = now or timezone.now()
    if not (reason or "").strip():
        raise ReasonRequired("Say why the forwarding is given up.")
    locked = ForwardingRecord.objects.select_for_update().get(pk=record.pk)
    if locked.status not in (*OPEN_FORWARDING_STATUSES, ForwardingStatus.DEAD):
        raise ForwardingClosed(f"Forwarding {locked.reference} is {locked.status}.")
    if locked.leased_until is not None and locked.leased_until > now:
        # Refunding now could refund a credit the programme is accepting at this moment.
        raise ForwardingClosed(
            f"Forwarding {locked.reference} is being delivered right now; try again when "
            "its attempt has an answer."
        )
    _refund(locked, f"Given up by staff: {reason.strip()}", now, user=user)
    locked.last_message = reason.strip()[:500]
    locked.save()
