"""Ledger transactions: read-only for everyone; staff act on them only through ledger actions.

Nobody adds, changes or deletes a transaction here, superusers included: a posted transaction is
corrected by a new one. The list's actions call loyalty.ledger (release now, cancel, reverse) one
transaction at a time, so one refusal leaves the others' results standing, and report each
refusal with the ledger's own message.
"""

from collections.abc import Callable

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from loyalty import ledger
from loyalty.admin.base import ReadOnlyAdmin
from loyalty.admin.display import EMPTY, account_with_owner, link, units
from loyalty.admin.filters import (
    AccountTransactionsFilter,
    DateRangeFilter,
    MemberTransactionsFilter,
)
from loyalty.admin.forms import ReversalForm
from loyalty.admin.permissions import can_operate_ledger
from loyalty.errors import LedgerError
from loyalty.models import Account, Transaction

_RELATED = [
    "loyalty_currency",
    "origin_account__member",
    "origin_account__partner",
    "destination_account__member",
    "destination_account__partner",
]


def _count(n: int) -> str:
    return f"{n} transaction" if n == 1 else f"{n} transactions"


@admin.register(Transaction)
class TransactionAdmin(ReadOnlyAdmin):
    """Nobody writes a transaction through the admin (ReadOnlyAdmin); staff act on them only
    through the ledger actions below."""

    list_display = [
        "public_id",
        "created_at",
        "type",
        "sub_type",
        "status",
        "amount_display",
        "origin",
        "destination",
        "loyalty_currency",
    ]
    list_filter = [
        "type",
        "status",
        "loyalty_currency",
        ("created_at", DateRangeFilter),
        MemberTransactionsFilter,
        AccountTransactionsFilter,
    ]
    list_select_related = _RELATED
    search_fields = ["public_id", "external_reference"]  # shows the box; see get_search_results
    search_help_text = (
        "Exact transaction id (tx_…), external reference, or a member's membership id, member id "
        "(mp_…) or account id (acc_…) for all their transactions."
    )
    actions = ["release_now", "cancel_pending", "reverse_transactions"]
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER  # counts per filter choice over the whole ledger
    readonly_fields = ["amount_display", "origin", "destination", "reversals"]
    fieldsets = [
        (
            "Transaction",
            {
                "fields": [
                    "public_id",
                    ("type", "sub_type"),
                    "status",
                    ("status_message", "status_message_code"),
                    "amount_display",
                    "loyalty_currency",
                    "bonus",
                ]
            },
        ),
        ("From and to", {"fields": ["origin", "destination"]}),
        ("Dates", {"fields": ["created_at", "release_date", "completed_at"]}),
        (
            "Why and by whom",
            {
                "fields": [
                    ("reason", "reason_code"),
                    "external_reference",
                    "reverses",
                    "reversals",
                    "created_by_partner",
                    "created_by_user",
                ]
            },
        ),
        (
            "Partner programme and other data",
            {
                "classes": ["collapse"],
                "fields": ["loyalty_system_id", "loyalty_system_data", "metadata", "related_data"],
            },
        ),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related(*_RELATED)

    def get_search_results(self, request, queryset, search_term):
        """Exact matches only: a LIKE over the ledger, the largest table, would scan all of it."""
        term = search_term.strip()
        if not term:
            return queryset, False
        accounts = Account.objects.filter(
            Q(public_id=term) | Q(member__membership_id=term) | Q(member__public_id=term)
        ).values("pk")
        return (
            queryset.filter(
                Q(public_id=term)
                | Q(external_reference=term)
                | Q(origin_account__in=accounts)
                | Q(destination_account__in=accounts)
            ),
            False,
        )

    @admin.display(description="Amount", ordering="amount")
    def amount_display(self, obj: Transaction) -> str:
        return units(obj.amount)

    @admin.display(description="Origin")
    def origin(self, obj: Transaction) -> SafeString:
        return account_with_owner(obj.origin_account)

    @admin.display(description="Destination")
    def destination(self, obj: Transaction) -> SafeString:
        return account_with_owner(obj.destination_account)

    @admin.display(description="Reversed by")
    def reversals(self, obj: Transaction) -> SafeString | str:
        return format_html_join(", ", "{}", ((link(r),) for r in obj.reversals.all())) or EMPTY

    # Ledger actions -------------------------------------------------------------------------

    def has_operate_ledger_permission(self, request: HttpRequest) -> bool:
        return can_operate_ledger(request.user)

    @admin.action(description="Release now (pending → completed)", permissions=["operate_ledger"])
    def release_now(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._apply(
            request,
            queryset,
            verb="released",
            operation=lambda tx: ledger.release(transaction=tx),
        )

    @admin.action(
        description="Cancel pending (units go back to the origin)", permissions=["operate_ledger"]
    )
    def cancel_pending(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._apply(
            request,
            queryset,
            verb="cancelled",
            operation=lambda tx: ledger.cancel(transaction=tx),
        )

    @admin.action(description="Reverse completed…", permissions=["operate_ledger"])
    def reverse_transactions(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        """Ask for a reason on an intermediate page, then reverse each selected transaction."""
        form = ReversalForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            reason = form.cleaned_data["reason"]
            self._apply(
                request,
                queryset,
                verb="reversed",
                operation=lambda tx: ledger.reverse(
                    transaction=tx, reason=reason, created_by_user=request.user
                ),
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Reverse transactions",
            "opts": self.opts,
            "rows": [(tx, units(tx.amount)) for tx in queryset.order_by("created_at", "id")],
            "form": form,
            "adminform": helpers.AdminForm(form, [(None, {"fields": ["reason"]})], {}),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "action_name": "reverse_transactions",
        }
        return TemplateResponse(
            request, "admin/loyalty/transaction/reverse_confirmation.html", context
        )

    def _apply(
        self,
        request: HttpRequest,
        queryset: QuerySet,
        *,
        verb: str,
        operation: Callable[[Transaction], Transaction],
    ) -> None:
        """Run `operation` on each transaction (oldest first) and report what happened.

        Each ledger call is its own database transaction: a refused one changes nothing and
        the others stand.
        """
        done: list[str] = []
        for tx in queryset.order_by("created_at", "id"):
            try:
                result = operation(tx)
            except LedgerError as exc:
                self.message_user(
                    request, f"{tx.public_id} was not {verb}: {exc.message}", messages.ERROR
                )
                continue
            done.append(
                tx.public_id if result.pk == tx.pk else f"{tx.public_id} (by {result.public_id})"
            )
        if done:
            self.message_user(
                request,
                f"{verb.capitalize()} {_count(len(done))}: {', '.join(done)}.",
                messages.SUCCESS,
            )
        else:
            self.message_user(request, f"No transaction was {verb}.", messages.WARNING)
