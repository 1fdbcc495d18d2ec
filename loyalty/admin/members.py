"""Members: find them, read their balance and history, edit their profile, credit or debit them."""

from dataclasses import dataclass

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.safestring import SafeString

from loyalty.admin.adjustments import balance_adjustment_view
from loyalty.admin.base import ModelAdmin, NeverDeleted, ReadOnlyInline, take_over
from loyalty.admin.display import EMPTY, account_owner, describe, link, units
from loyalty.admin.exchanges import LinkedAccountInline
from loyalty.admin.exports import export_list_view
from loyalty.admin.filters import TierFilter
from loyalty.admin.finance import expiring_view, expiry_lots
from loyalty.admin.forms import MemberAddForm, MemberForm
from loyalty.admin.permissions import can_adjust_balances
from loyalty.expiry import expiry_schedule
from loyalty.models import Account, ExportKind, Member, TierChange, Transaction
from loyalty.services.members import member_create, member_update
from loyalty.services.tiers import member_tier_set

RECENT_TRANSACTIONS = 50

_PROFILE_FIELDSETS = [
    (
        "Person or company",
        {
            "fields": [
                ("first_name", "last_name"),
                "gender",
                "birth_date",
                "company_name",
                "company_registration_number",
            ]
        },
    ),
    (
        "Contact",
        {
            "fields": [
                "email",
                "phone_number",
                "address_line1",
                "address_line2",
                "address_line3",
                ("city", "state", "postal_code"),
                "country",
            ]
        },
    ),
]
_ADD_FIELDSETS = [
    ("Membership", {"fields": ["loyalty_currency", "membership_id", "type", "status", "tier"]}),
    *_PROFILE_FIELDSETS,
]
_CHANGE_FIELDSETS = [
    (
        "Balance and tier",
        {
            "fields": [("balance", "pending_balance"), "current_tier"],
            "description": "Balances move only through transactions: use “Credit or debit”.",
        },
    ),
    (
        "Membership",
        {
            "fields": [
                "membership_id",
                "public_id",
                "loyalty_currency",
                "type",
                "status",
                "tier",
            ]
        },
    ),
    *_PROFILE_FIELDSETS,
    (
        "Other data",
        {
            "classes": ["collapse"],
            "fields": [
                "loyalty_program_identifiers",
                "bank_accounts",
                "additional_information",
                "created_at",
                "updated_at",
            ],
        },
    ),
]
_CHANGE_READONLY = [
    "balance",
    "pending_balance",
    "current_tier",
    "membership_id",
    "public_id",
    "loyalty_currency",
    "loyalty_program_identifiers",
    "bank_accounts",
    "additional_information",
    "created_at",
    "updated_at",
]


def _member_account(field: str) -> Subquery:
    """One field of the member's account in its programme's currency, as a subquery."""
    account = Account.objects.filter(
        member=OuterRef("pk"), loyalty_currency=OuterRef("loyalty_currency")
    )
    return Subquery(account.values(field)[:1])


@dataclass(frozen=True)
class HistoryRow:
    """One line of a member's history, seen from the member's side."""

    transaction: Transaction
    incoming: bool
    counterparty: SafeString

    @property
    def signed_amount(self) -> str:
        return ("+" if self.incoming else "-") + units(self.transaction.amount)

    @property
    def what(self) -> str:
        return describe(self.transaction)


def _expiry(member: Member) -> list[dict]:
    """What the member's points expire when (nothing if their currency's never do)."""
    account = (
        Account.objects.select_related("loyalty_currency")
        .filter(member=member, loyalty_currency=member.loyalty_currency_id)
        .first()
    )
    return expiry_lots(expiry_schedule(account=account)) if account else []


def member_history(member: Member, *, limit: int) -> list[HistoryRow]:
    """The member's latest transactions, newest first, with the other side of each."""
    account_ids = set(member.accounts.values_list("pk", flat=True))
    transactions = (
        Transaction.objects.filter(
            Q(origin_account_id__in=account_ids) | Q(destination_account_id__in=account_ids)
        )
        .select_related(
            "origin_account__member",
            "origin_account__partner",
            "destination_account__member",
            "destination_account__partner",
            "reverses",
        )
        .order_by("-created_at", "-id")[:limit]
    )
    rows = []
    for tx in transactions:
        incoming = tx.destination_account_id in account_ids
        other = tx.origin_account if incoming else tx.destination_account
        rows.append(HistoryRow(tx, incoming, link(account_owner(other))))
    return rows


class TierChangeInline(ReadOnlyInline):
    """The member's tier history, newest first; written only by loyalty.services.tiers."""

    model = TierChange
    fk_name = "member"
    verbose_name = "tier change"
    verbose_name_plural = "Tier history"
    fields = ["created_at", "from_tier", "to_tier", "reason", "changed_by"]
    readonly_fields = fields
    ordering = ["-created_at", "-id"]
    classes = ["collapse"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("from_tier", "to_tier", "changed_by")


@admin.register(Member)
class MemberAdmin(NeverDeleted, ModelAdmin):
    """Members are added through member_create (it opens their account), changed through
    member_update, and never deleted: their account and ledger history must stay, so a leaving
    member is closed by status."""

    list_display = [
        "membership_id",
        "name",
        "email",
        "tier",
        "status",
        "balance",
        "pending_balance",
        "loyalty_currency",
    ]
    list_filter = ["status", ("tier", TierFilter), "loyalty_currency", "type"]
    list_select_related = ["tier", "loyalty_currency"]
    search_fields = [
        "membership_id",
        "first_name",
        "last_name",
        "company_name",
        "email",
        "=public_id",
    ]
    search_help_text = "Membership id, first or last name, company name, email or member id (mp_…)."
    actions = ["adjust_balance"]
    inlines = [TierChangeInline, LinkedAccountInline]
    change_form_template = "admin/loyalty/member/change_form.html"
    never_deleted_note = (
        "a member is never deleted: their account and ledger history must stay. Set the status "
        "to closed when a member leaves (or blocked, fraud, deceased)."
    )
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return (
            super()
            .get_queryset(request)
            .select_related("tier", "loyalty_currency")
            .annotate(
                account_balance=_member_account("balance"),
                account_pending_balance=_member_account("pending_balance"),
            )
        )

    @admin.display(description="Name", ordering="last_name")
    def name(self, obj: Member) -> str:
        return obj.display_name or EMPTY

    @admin.display(description="Balance", ordering="account_balance")
    def balance(self, obj: Member) -> str:
        return units(obj.account_balance)

    @admin.display(description="Pending balance", ordering="account_pending_balance")
    def pending_balance(self, obj: Member) -> str:
        return units(obj.account_pending_balance)

    @admin.display(description="Current tier")
    def current_tier(self, obj: Member) -> str:
        return obj.tier.name if obj.tier else "No tier"

    # Add and change forms -------------------------------------------------------------------

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = MemberForm if obj else MemberAddForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        return _CHANGE_FIELDSETS if obj else _ADD_FIELDSETS

    def get_readonly_fields(self, request, obj=None):
        return _CHANGE_READONLY if obj else []

    def save_model(self, request, obj, form, change):
        if change:
            # Only what the agent changed, under member_update's row lock: a concurrent update
            # of other fields through the partner API is not overwritten.
            changed = {name: form.cleaned_data[name] for name in form.changed_data}
            tier = changed.pop("tier", obj.tier)
            if changed:
                member_update(member=obj, **changed)
            if "tier" in form.changed_data:
                # Through the tier service, so the member's tier history records who changed it.
                member_tier_set(member=obj, tier=tier, user=request.user)
            if form.changed_data:
                obj.refresh_from_db()
            return
        profile = dict(form.cleaned_data)
        loyalty_currency = profile.pop("loyalty_currency")
        membership_id = profile.pop("membership_id")
        created = member_create(
            loyalty_currency=loyalty_currency,
            loyalty_program_identifiers={"id": membership_id},
            **profile,
        )
        take_over(obj, created)

    def get_inline_instances(self, request, obj=None):
        """The tier history only on a displayed page: it is read-only, so a saved form (which
        carries no formset for it) must not be validated against it."""
        if obj is None or request.method == "POST":
            return []
        return super().get_inline_instances(request, obj)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context.update(
                history=member_history(obj, limit=RECENT_TRANSACTIONS),
                history_limit=RECENT_TRANSACTIONS,
                expiry=_expiry(obj),
                all_transactions_url=reverse("admin:loyalty_transaction_changelist")
                + "?"
                + urlencode({"member": obj.public_id}),
                adjust_balance_url=(
                    reverse("admin:loyalty_member_adjust_balance", args=[obj.pk])
                    if can_adjust_balances(request.user)
                    else None
                ),
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    # Credit or debit ------------------------------------------------------------------------

    def get_urls(self):
        return [
            path(
                "export/",
                self.admin_site.admin_view(self.export_view),
                name="loyalty_member_export",
            ),
            path(
                "expiring/",
                self.admin_site.admin_view(self.expiring_page),
                name="loyalty_member_expiring",
            ),
            path(
                "<path:object_id>/adjust-balance/",
                self.admin_site.admin_view(self.adjust_balance_view),
                name="loyalty_member_adjust_balance",
            ),
            *super().get_urls(),
        ]

    def export_view(self, request: HttpRequest) -> HttpResponse:
        return export_list_view(self, request, ExportKind.MEMBER_BALANCES)

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None):
        url = reverse("admin:loyalty_member_export")
        query = request.GET.urlencode()
        extra_context = {**(extra_context or {}), "export_url": f"{url}?{query}" if query else url}
        return super().changelist_view(request, extra_context)

    def expiring_page(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        return expiring_view(self, request)

    def adjust_balance_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        member = self.get_object(request, unquote(object_id))
        if member is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not (self.has_view_permission(request, member) and can_adjust_balances(request.user)):
            raise PermissionDenied
        return balance_adjustment_view(self, request, member)

    def has_adjust_balance_permission(self, request: HttpRequest) -> bool:
        return can_adjust_balances(request.user)

    @admin.action(description="Credit or debit the selected member", permissions=["adjust_balance"])
    def adjust_balance(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        members = list(queryset.values_list("pk", flat=True)[:2])
        if len(members) != 1:
            self.message_user(
                request, "Select exactly one member to credit or debit.", messages.WARNING
            )
            return None
        url = reverse("admin:loyalty_member_adjust_balance", args=[members[0]])
        return HttpResponseRedirect(f"{url}?{urlencode({'next': request.get_full_path()})}")
