"""Partners, with their accounts, balances and partnerships on the partner's page."""

from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.safestring import SafeString

from loyalty.admin.accounts import credit_limit_text, transactions_link
from loyalty.admin.base import ModelAdmin, NeverDeleted, ReadOnlyInline
from loyalty.admin.display import link, units
from loyalty.admin.partnerships import PartnershipInline
from loyalty.models import Account, Partner


class PartnerAccountInline(ReadOnlyInline):
    """The partner's accounts, read-only; the credit limit is set on the account's own page."""

    model = Account
    fk_name = "partner"
    verbose_name = "account"
    verbose_name_plural = "accounts (open one and set credit limits on the Accounts page)"
    fields = [
        "account",
        "loyalty_currency",
        "is_default",
        "balance_display",
        "pending_balance_display",
        "credit_limit_display",
        "transactions",
    ]
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("loyalty_currency")

    @admin.display(description="Account")
    def account(self, obj: Account) -> SafeString:
        return link(obj)

    @admin.display(description="Balance")
    def balance_display(self, obj: Account) -> str:
        return units(obj.balance)

    @admin.display(description="Pending balance")
    def pending_balance_display(self, obj: Account) -> str:
        return units(obj.pending_balance)

    @admin.display(description="Credit limit")
    def credit_limit_display(self, obj: Account) -> str:
        return credit_limit_text(obj)

    @admin.display(description="Transactions")
    def transactions(self, obj: Account) -> SafeString:
        return transactions_link(obj)


@admin.register(Partner)
class PartnerAdmin(NeverDeleted, ModelAdmin):
    never_deleted_note = (
        "a partner is never deleted: its accounts and the transactions it made refer to it. Set "
        "its status to stop it using the API."
    )
    list_display = [
        "company_name",
        "api_identifier",
        "status",
        "api_rate_limit",
        "public_id",
        "created_at",
    ]
    list_filter = ["status"]
    search_fields = ["company_name", "api_identifier", "=public_id"]
    search_help_text = "Company name, API identifier or partner id (part_…)."
    readonly_fields = ["public_id", "created_at"]
    fields = [
        "company_name",
        "api_identifier",
        "status",
        "logo",
        "api_rate_limit",
        "public_id",
        "created_at",
    ]
    inlines = [PartnerAccountInline, PartnershipInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
