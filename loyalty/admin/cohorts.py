"""Cohorts in the staff admin, read-only: owners manage them through the partner API, and staff
see each cohort with the history of its changes (who, when, what changed)."""

from django.contrib import admin

from loyalty.admin.base import ReadOnlyAdmin, ReadOnlyInline
from loyalty.models import Cohort, CohortChange


class CohortChangeInline(ReadOnlyInline):
    model = CohortChange
    fields = ["created_at", "partner", "action", "rule_id", "changes"]
    readonly_fields = fields


@admin.register(Cohort)
class CohortAdmin(ReadOnlyAdmin):
    list_display = ["partner", "owner", "status", "created_at"]
    list_select_related = ["partner", "owner"]
    search_fields = ["partner__company_name", "partner__public_id"]
    inlines = [CohortChangeInline]


@admin.register(CohortChange)
class CohortChangeAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "cohort", "partner", "action", "rule_id", "changes"]
    list_select_related = ["cohort__partner", "partner"]
    list_filter = ["action"]
    search_fields = ["cohort__partner__public_id", "rule_id"]
