"""Idempotency records: the stored answers to POST and PATCH requests, read-only."""

from django.contrib import admin

from loyalty.admin.base import ReadOnlyAdmin
from partners.models import IdempotencyRecord


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(ReadOnlyAdmin):
    """Read-only: the stored answers to POST and PATCH requests sent with an Idempotency-Key."""

    list_display = [
        "key",
        "partner",
        "method",
        "path",
        "response_status",
        "created_at",
        "expires_at",
    ]
    list_filter = ["method", "response_status"]
    list_select_related = ["partner"]
    search_fields = ["=key", "path", "partner__company_name", "partner__api_identifier"]
    date_hierarchy = "created_at"
    fields = [
        "partner",
        "key",
        "method",
        "path",
        "response_status",
        "response_content_type",
        "response",
        "request_fingerprint",
        "created_at",
        "expires_at",
    ]
    readonly_fields = fields

    @admin.display(description="Response body")
    def response(self, obj: IdempotencyRecord) -> str:
        return bytes(obj.response_body).decode("utf-8", errors="replace")
