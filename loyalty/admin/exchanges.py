"""Exchanges: the partnerships staff edit, executed exchanges, linked accounts (also on the
member's page), and the forwarding queue with its attempts, its actions and each programme's
health. Actions call loyalty.services.forwarding; the admin moves no units itself."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.db.models import QuerySet
from django.http import HttpRequest

from loyalty.admin.base import ModelAdmin, ReadOnlyAdmin, ReadOnlyInline, TabularInline
from loyalty.admin.partnerships import REQUIRED_FIELDS_HELP, validate_required_fields
from loyalty.errors import DomainError
from loyalty.models import (
    Exchange,
    ExchangePartnership,
    ForwardingAttempt,
    ForwardingRecord,
    LinkedAccount,
)
from loyalty.selectors import forwarding_health
from loyalty.services.forwarding import forwarding_give_up, forwarding_retry_now


class ExchangePartnershipForm(forms.ModelForm):
    class Meta:
        model = ExchangePartnership
        fields = [
            "partner",
            "loyalty_currency",
            "partner_currency",
            "direction",
            "enabled",
            "conversion_ratio_per_unit",
            "minimum_member_transaction_amount",
            "maximum_member_transaction_amount",
            "execute_required_fields",
        ]
        help_texts = {"execute_required_fields": REQUIRED_FIELDS_HELP}

    def clean_execute_required_fields(self):
        value = self.cleaned_data["execute_required_fields"]
        validate_required_fields(value)
        return value


@admin.register(ExchangePartnership)
class ExchangePartnershipAdmin(ModelAdmin):
    form = ExchangePartnershipForm
    list_display = [
        "__str__",
        "direction",
        "partner",
        "conversion_ratio_per_unit",
        "minimum_member_transaction_amount",
        "maximum_member_transaction_amount",
        "enabled",
    ]
    list_filter = ["direction", "enabled", "loyalty_currency", "partner_currency"]
    list_select_related = ["partner", "loyalty_currency", "partner_currency"]
    search_fields = ["loyalty_currency__code", "partner_currency__code", "partner__company_name"]
    search_help_text = "A currency code or the exchange partner's name."
    autocomplete_fields = ["partner", "loyalty_currency", "partner_currency"]


@admin.register(Exchange)
class ExchangeAdmin(ReadOnlyAdmin):
    """Both sides of each exchange (what the finance exchange report reads)."""

    list_display = [
        "public_id",
        "partnership",
        "origin_transaction",
        "destination_transaction",
        "destination_status",
        "external_reference",
        "created_at",
    ]
    list_select_related = [
        "partnership__loyalty_currency",
        "partnership__partner_currency",
        "origin_transaction",
        "destination_transaction",
    ]
    search_fields = [
        "=public_id",
        "=origin_transaction__public_id",
        "=destination_transaction__public_id",
        "external_reference",
    ]
    search_help_text = "Exchange id, either transaction's id (tx_…) or the external reference."
    date_hierarchy = "created_at"

    @admin.display(description="destination status")
    def destination_status(self, obj: Exchange) -> str:
        return obj.destination_transaction.get_status_display()


class LinkedAccountInline(TabularInline):
    """The member's accounts in other programmes, on the member's page."""

    model = LinkedAccount
    fk_name = "member"
    extra = 0
    fields = ["loyalty_currency", "membership_number", "family_name", "first_name", "source"]
    readonly_fields = ["source"]
    autocomplete_fields = ["loyalty_currency"]


@admin.register(LinkedAccount)
class LinkedAccountAdmin(ModelAdmin):
    list_display = ["member", "loyalty_currency", "membership_number", "family_name", "source"]
    list_filter = ["loyalty_currency", "source"]
    list_select_related = ["member", "loyalty_currency"]
    search_fields = ["membership_number", "member__membership_id", "family_name"]
    search_help_text = "The number in the other programme, our membership id or the family name."
    autocomplete_fields = ["member", "loyalty_currency"]
    readonly_fields = ["source", "created_at"]


class ForwardingAttemptInline(ReadOnlyInline):
    model = ForwardingAttempt
    fields = [
        "number",
        "started_at",
        "outcome",
        "http_status",
        "latency_ms",
        "code",
        "message",
    ]
    readonly_fields = fields


class ReasonActionForm(ActionForm):
    reason = forms.CharField(
        required=False, max_length=200, help_text="Why (for “give up and refund”)."
    )


@admin.register(ForwardingRecord)
class ForwardingRecordAdmin(ReadOnlyAdmin):
    """The forwarding queue: filter by status; retry now or give up and refund."""

    list_display = [
        "reference",
        "loyalty_currency",
        "status",
        "attempts",
        "next_attempt_at",
        "last_code",
        "confirmed_by_duplicate",
        "transaction",
        "created_at",
    ]
    list_filter = ["status", "loyalty_currency", "confirmed_by_duplicate"]
    list_select_related = ["loyalty_currency", "transaction"]
    search_fields = ["=reference", "=transaction__public_id", "payload__account"]
    search_help_text = "Reference, destination transaction id (tx_…) or the programme account."
    date_hierarchy = "created_at"
    inlines = [ForwardingAttemptInline]
    actions = ["retry_now", "give_up_and_refund"]
    action_form = ReasonActionForm
    change_list_template = "admin/loyalty/forwardingrecord/change_list.html"
    fields = [
        "reference",
        "loyalty_currency",
        "status",
        "transaction",
        "exchange",
        "payload",
        "attempts",
        "next_attempt_at",
        "give_up_at",
        "leased_until",
        "loyalty_system_id",
        "confirmed_by_duplicate",
        "last_code",
        "last_message",
        "created_at",
        "finished_at",
    ]
    readonly_fields = fields

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        # The actions need it; the form stays read-only (every field is).
        return request.user.has_perm("loyalty.change_forwardingrecord")

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "programme_health": forwarding_health()}
        return super().changelist_view(request, extra_context=extra_context)

    @admin.action(description="Retry now", permissions=["change"])
    def retry_now(self, request: HttpRequest, queryset: QuerySet) -> None:
        done = 0
        for record in queryset:
            try:
                forwarding_retry_now(record=record)
                done += 1
            except DomainError as refused:
                self.message_user(request, refused.message, messages.WARNING)
        if done:
            self.message_user(request, f"{done} record(s) will be sent again within a minute.")

    @admin.action(description="Give up and refund", permissions=["change"])
    def give_up_and_refund(self, request: HttpRequest, queryset: QuerySet) -> None:
        reason = request.POST.get("reason", "")
        done = 0
        for record in queryset:
            try:
                forwarding_give_up(record=record, reason=reason, user=request.user)
                done += 1
            except DomainError as refused:
                self.message_user(request, refused.message, messages.ERROR)
                return
        if done:
            self.message_user(request, f"{done} record(s) given up; the members are refunded.")
