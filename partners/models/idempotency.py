from django.db import models


class IdempotencyRecord(models.Model):
    """The stored answer to a POST or PATCH sent with an `Idempotency-Key`, kept 8 hours.

    It is written in the same database transaction as the change it guards, so the key exists if
    and only if the change was committed; a repeat gets `response_status` and `response_body` back
    with `Idempotency-Repeated: true`. `request_fingerprint` (method, path and a hash of the body)
    tells a true repeat from a reuse of the key for a different request.

    A request claims its key by inserting the record with no answer yet and writes the answer
    into it before it commits (partners.api.idempotency): the table keeps half of each page free
    (migration 0003) so that the second write is done in place, without touching the indexes.
    """

    # Indexed by idempotency_key_unique_per_partner (partner first).
    partner = models.ForeignKey(
        "loyalty.Partner",
        on_delete=models.CASCADE,
        related_name="idempotency_records",
        db_index=False,
    )
    key = models.CharField(max_length=255)
    request_fingerprint = models.CharField(max_length=64)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=500)
    response_status = models.PositiveSmallIntegerField()
    response_body = models.BinaryField()
    response_content_type = models.CharField(max_length=100, default="application/json")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "key"], name="idempotency_key_unique_per_partner"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} [{self.key}]"
