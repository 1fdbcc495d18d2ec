from django.db import models
from django.db.models import Q
from django.utils import timezone

from loyalty.ids import forwarding_reference


class ForwardingStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RETRYING = "retrying", "Retrying"
    CONFIRMED = "confirmed", "Confirmed"
    REJECTED = "rejected", "Rejected"
    DEAD = "dead", "Dead"


OPEN_FORWARDING_STATUSES = (ForwardingStatus.QUEUED, ForwardingStatus.RETRYING)


class ForwardingRecord(models.Model):
    """The outbox row of one credit to a partner programme (an exchange to an external currency).

    Written in the same database transaction as the member's debit; delivered after commit and
    by the sweeper (SKIP LOCKED), never inside a database transaction. `reference` is ours and
    unique: the programme stores it (externalTransactionIdentifier, and in the description), so
    a repeat of the same credit is recognised there. `payload` is what to send (account number,
    names, amount, description, date, source), fixed when the record is written so that every
    attempt sends the same request. A transient failure moves it to `retrying` with
    `next_attempt_at` after an exponential backoff with jitter; after `give_up_at` it is `dead`.
    A delivery holds the record by `leased_until`, so two workers never send it at once; a
    worker killed mid-delivery leaves a lease that expires and an attempt with no answer.
    """

    reference = models.CharField(max_length=20, unique=True, default=forwarding_reference)
    exchange = models.OneToOneField(
        "loyalty.Exchange", on_delete=models.PROTECT, related_name="forwarding"
    )
    transaction = models.OneToOneField(
        "loyalty.Transaction", on_delete=models.PROTECT, related_name="forwarding"
    )
    loyalty_currency = models.ForeignKey(
        "loyalty.LoyaltyCurrency", on_delete=models.PROTECT, related_name="forwarding_records"
    )
    payload = models.JSONField(default=dict)
    status = models.CharField(
        max_length=16, choices=ForwardingStatus.choices, default=ForwardingStatus.QUEUED
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    give_up_at = models.DateTimeField()
    leased_until = models.DateTimeField(null=True, blank=True)
    loyalty_system_id = models.CharField(max_length=64, blank=True)
    confirmed_by_duplicate = models.BooleanField(
        default=False,
        help_text="Confirmed because the programme answered DUPLICATE_TRANSACTION to a retry "
        "after an attempt that got no answer: it already had the credit.",
    )
    last_code = models.CharField(max_length=64, blank=True)
    last_message = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ForwardingStatus.values),
                name="forwarding_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=OPEN_FORWARDING_STATUSES) | Q(finished_at__isnull=False),
                name="forwarding_finished_has_time",
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at", "id"],
                condition=Q(status__in=OPEN_FORWARDING_STATUSES),
                name="forwarding_due_idx",
            ),
            models.Index(fields=["loyalty_currency", "status"], name="forwarding_currency_idx"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_FORWARDING_STATUSES


class AttemptOutcome(models.TextChoices):
    IN_FLIGHT = "in_flight", "No answer (yet)"
    CONFIRMED = "confirmed", "Confirmed"
    DUPLICATE = "duplicate", "Duplicate: the programme had it"
    REJECTED = "rejected", "Rejected"
    TRANSIENT = "transient", "Transient failure"


class ForwardingAttempt(models.Model):
    """One delivery attempt of a forwarding record: when, the HTTP status, the latency and the
    programme's code and message. Written as `in_flight` before the request is sent, so a worker
    killed mid-delivery leaves an attempt with no answer. Never holds the API key."""

    record = models.ForeignKey(ForwardingRecord, on_delete=models.CASCADE, related_name="tries")
    number = models.PositiveIntegerField()
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(
        max_length=16, choices=AttemptOutcome.choices, default=AttemptOutcome.IN_FLIGHT
    )
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    latency_ms = models.PositiveIntegerField(null=True, blank=True)
    code = models.CharField(max_length=64, blank=True)
    message = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["record", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["record", "number"], name="forwarding_attempt_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=AttemptOutcome.values),
                name="forwarding_attempt_outcome_valid",
            ),
        ]
        indexes = [models.Index(fields=["started_at"], name="forwarding_attempt_started_idx")]

    def __str__(self) -> str:
        return f"{self.record} #{self.number}"
