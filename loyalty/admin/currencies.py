"""Loyalty currencies and their tiers.

A currency is added through loyalty_currency_create, which opens its mint (the owner's issuing
account). Its code and owner are fixed afterwards: partners send the code, and the mint belongs
to the owner. A tier stays with its currency for the same reason (its members are in it).
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.http import HttpRequest
from django.urls import path
from django.utils.safestring import SafeString

from loyalty.admin.base import ModelAdmin, NeverDeleted, TabularInline, take_over
from loyalty.admin.display import EMPTY, link, units
from loyalty.admin.finance import reports_view
from loyalty.models import Account, LoyaltyCurrency, Tier
from loyalty.services.accounts import loyalty_currency_create
from loyalty.services.tiers import tiers_recompute


class TierInline(TabularInline):
    model = Tier
    fields = ["code", "name", "level", "threshold"]
    extra = 0
    can_delete = False  # see TierAdmin


def _mint(field: str) -> Subquery:
    """One field of the currency's mint (its owner's default account), as a subquery."""
    mint = Account.objects.filter(
        partner=OuterRef("owner"), loyalty_currency=OuterRef("pk"), is_default=True
    )
    return Subquery(mint.values(field)[:1])


@admin.register(LoyaltyCurrency)
class LoyaltyCurrencyAdmin(NeverDeleted, ModelAdmin):
    never_deleted_note = (
        "a currency is never deleted: its accounts, members and every transaction in it refer "
        "to it. Stop partners from using it by disabling its partnerships."
    )
    list_display = ["code", "name", "owner", "is_hosted", "fiat_currency", "outstanding_units"]
    list_filter = ["is_hosted"]
    list_select_related = ["owner"]
    search_fields = ["code", "name"]
    inlines = [TierInline]
    actions = ["recompute_tiers"]
    fieldsets = [
        ("Currency", {"fields": ["code", "name", "owner", "is_hosted"]}),
        (
            "Value of one unit",
            {
                "fields": [
                    "fiat_currency",
                    "base_economic_value",
                    "customers_perceived_value",
                    "issuing_partners_cost",
                    "default_rounding",
                ]
            },
        ),
        ("Tiers", {"fields": ["tier_window_days"]}),
        (
            "Points expiry",
            {
                "fields": ["expiry_policy", "expiry_period", "expiry_rounding"],
                "description": "Earned points expire this long after they were earned, oldest "
                "first; pending points never expire. The daily expiry run posts them back to "
                "the mint.",
            },
        ),
        ("Partners", {"fields": ["balances_visible_to_partners"]}),
    ]
    issuing_fieldset = (
        "Issuing account",
        {
            "fields": ["mint", "outstanding_units"],
            "description": "The owner's account that issues new units; it has no credit limit.",
        },
    )

    def get_urls(self):
        return [
            path(
                "reports/",
                self.admin_site.admin_view(self.reports_page),
                name="loyalty_loyaltycurrency_reports",
            ),
            *super().get_urls(),
        ]

    def reports_page(self, request: HttpRequest):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return reports_view(self, request)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return (
            super()
            .get_queryset(request)
            .annotate(mint_pk=_mint("pk"), mint_balance=_mint("balance"))
        )

    @admin.display(description="Units outstanding", ordering="mint_balance")
    def outstanding_units(self, obj: LoyaltyCurrency) -> str:
        """Units held by members and partners: what the mint has issued, net of returns."""
        return EMPTY if obj.mint_balance is None else units(-obj.mint_balance)

    @admin.display(description="Mint")
    def mint(self, obj: LoyaltyCurrency) -> SafeString | str:
        account = Account.objects.filter(pk=obj.mint_pk).first()
        return link(account) if account else EMPTY

    @admin.action(description="Recompute tiers", permissions=["change"])
    def recompute_tiers(self, request: HttpRequest, queryset: QuerySet) -> None:
        """Recompute now what the daily task would; external currencies keep staff-set tiers."""
        for currency in queryset:
            if not currency.is_hosted:
                self.message_user(
                    request,
                    f"{currency.code}: external currency, tiers are not recomputed.",
                    messages.WARNING,
                )
                continue
            result = tiers_recompute(loyalty_currency=currency)
            self.message_user(
                request,
                f"{currency.code}: {result.changed} of {result.members} member(s) changed tier.",
                messages.SUCCESS,
            )

    def get_fieldsets(self, request, obj=None):
        return [*self.fieldsets, self.issuing_fieldset] if obj else self.fieldsets

    def get_readonly_fields(self, request, obj=None):
        return ["code", "owner", "mint", "outstanding_units"] if obj else []

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        take_over(obj, loyalty_currency_create(**form.cleaned_data))


@admin.register(Tier)
class TierAdmin(NeverDeleted, ModelAdmin):
    never_deleted_note = (
        "a tier is never deleted: members, their tier history and earning rules refer to it. "
        "Raise its threshold so that the recompute moves members out of it instead."
    )
    list_display = ["name", "code", "level", "threshold", "loyalty_currency", "member_count"]
    list_filter = ["loyalty_currency"]
    list_select_related = ["loyalty_currency"]
    search_fields = ["name", "code"]
    fields = ["loyalty_currency", "code", "name", "level", "threshold"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(member_count=Count("members"))

    @admin.display(description="Members", ordering="member_count")
    def member_count(self, obj: Tier) -> str:
        return units(obj.member_count)

    def get_readonly_fields(self, request, obj=None):
        return ["loyalty_currency"] if obj else []
