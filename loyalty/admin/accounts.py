"""Accounts: balances are shown, never edited; a partner account's credit limit is the one setting.

Balances move only through the ledger, so the admin saves nothing but `credit_limit`, and only
when it changed (a full save would write back the balance read when the page was opened). Member
accounts are opened with the member and the mint with its currency; staff add only a partner's
default account in a currency. Accounts are never deleted: their transactions refer to them.
"""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import SafeString

from loyalty.admin.base import ModelAdmin, take_over
from loyalty.admin.display import account_owner, is_mint, link, units
from loyalty.admin.filters import AccountOwnerFilter
from loyalty.admin.forms import PartnerAccountAddForm, PartnerAccountForm
from loyalty.models import Account
from loyalty.services.accounts import partner_account_get_or_create


def credit_limit_editable(account: Account) -> bool:
    """Only a partner's account other than the mint has a credit limit staff may set."""
    return account.partner_id is not None and not is_mint(account)


def credit_limit_text(account: Account) -> str:
    if account.credit_limit is None:
        return "No limit (issuing account)" if is_mint(account) else "No limit"
    return units(account.credit_limit)


def transactions_link(account: Account) -> SafeString:
    url = (
        reverse("admin:loyalty_transaction_changelist")
        + "?"
        + urlencode({"account": account.public_id})
    )
    return format_html('<a href="{}">Transactions of {}</a>', url, account.public_id)


@admin.register(Account)
class AccountAdmin(ModelAdmin):
    list_display = [
        "public_id",
        "owner",
        "loyalty_currency",
        "balance_display",
        "pending_balance_display",
        "credit_limit_display",
        "is_default",
    ]
    list_filter = [AccountOwnerFilter, "loyalty_currency", "is_default"]
    list_select_related = ["member", "partner", "loyalty_currency"]
    search_fields = [
        "=public_id",
        "member__membership_id",
        "partner__company_name",
        "partner__api_identifier",
    ]
    search_help_text = "Account id (acc_…), membership id, partner name or API identifier."
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("member", "partner", "loyalty_currency")

    @admin.display(description="Owner")
    def owner(self, obj: Account) -> SafeString:
        return link(account_owner(obj))

    @admin.display(description="Balance", ordering="balance")
    def balance_display(self, obj: Account) -> str:
        return units(obj.balance)

    @admin.display(description="Pending balance", ordering="pending_balance")
    def pending_balance_display(self, obj: Account) -> str:
        return units(obj.pending_balance)

    @admin.display(description="Credit limit", ordering="credit_limit")
    def credit_limit_display(self, obj: Account) -> str:
        return credit_limit_text(obj)

    @admin.display(description="Transactions")
    def transactions(self, obj: Account) -> SafeString:
        return transactions_link(obj)

    # Add and change -------------------------------------------------------------------------

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": ["partner", "loyalty_currency", "credit_limit"]})]
        limit = "credit_limit" if credit_limit_editable(obj) else "credit_limit_display"
        return [
            ("Account", {"fields": ["public_id", "owner", "loyalty_currency", "is_default"]}),
            (
                "Balance",
                {
                    "fields": ["balance_display", "pending_balance_display", limit],
                    "description": "Balances move only through transactions.",
                },
            ),
            (None, {"fields": ["transactions", "created_at"]}),
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [
            "public_id",
            "owner",
            "loyalty_currency",
            "is_default",
            "balance_display",
            "pending_balance_display",
            "credit_limit_display",
            "transactions",
            "created_at",
        ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = PartnerAccountAddForm
        elif credit_limit_editable(obj):
            kwargs["form"] = PartnerAccountForm
        return super().get_form(request, obj, change, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            if "credit_limit" in form.changed_data:
                obj.save(update_fields=["credit_limit"])
            return
        created = partner_account_get_or_create(
            partner=form.cleaned_data["partner"],
            loyalty_currency=form.cleaned_data["loyalty_currency"],
            credit_limit=form.cleaned_data["credit_limit"],
        )
        take_over(obj, created)

    def has_change_permission(self, request: HttpRequest, obj: Account | None = None) -> bool:
        editable = obj is None or credit_limit_editable(obj)
        return editable and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
