"""Redemption partnerships: where a partner accepts the currency as payment, and the price of a
point in each category (loyalty.models.redemptions).

A redemption partnership is a Partnership of type redemption, edited here with its prices: one
row per accepted category, and optionally a cheaper price per tier on the price's own page.
The minimum, maximum and adjustment_allowed are the partnership's own fields, as the partners'
list (GET /partners/redemption) shows them.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from loyalty.admin.base import ModelAdmin, TabularInline
from loyalty.models import (
    PartnershipType,
    RedemptionPartnership,
    RedemptionPrice,
    RedemptionTierPrice,
)


class RedemptionPartnershipForm(forms.ModelForm):
    class Meta:
        model = RedemptionPartnership
        fields = [
            "partner",
            "loyalty_currency",
            "enabled",
            "minimum_member_transaction_amount",
            "maximum_member_transaction_amount",
            "adjustment_allowed",
        ]
        labels = {
            "minimum_member_transaction_amount": "Minimum units per redemption",
            "maximum_member_transaction_amount": "Maximum units per redemption",
            "adjustment_allowed": "Adjustments and cancellations allowed",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.type = PartnershipType.REDEMPTION

    def clean(self):
        cleaned = super().clean()
        partner, currency = cleaned.get("partner"), cleaned.get("loyalty_currency")
        if partner and currency and currency.owner_id == partner.pk:
            raise ValidationError(
                f"{partner} owns {currency.code}: a partnership is with another partner."
            )
        return cleaned


class RedemptionPriceInline(TabularInline):
    model = RedemptionPrice
    fk_name = "partnership"
    extra = 0
    fields = ["category", "price_type", "custom_value", "rounding"]
    show_change_link = True
    verbose_name_plural = "prices per accepted category (tier prices on each price's page)"


@admin.register(RedemptionPartnership)
class RedemptionPartnershipAdmin(ModelAdmin):
    form = RedemptionPartnershipForm
    inlines = [RedemptionPriceInline]
    list_display = [
        "partner",
        "loyalty_currency",
        "enabled",
        "categories",
        "adjustment_allowed",
        "minimum_member_transaction_amount",
        "maximum_member_transaction_amount",
    ]
    list_filter = ["enabled", "adjustment_allowed", "loyalty_currency"]
    list_select_related = ["partner", "loyalty_currency"]
    search_fields = ["partner__company_name", "partner__api_identifier", "loyalty_currency__code"]
    search_help_text = "Partner name or API identifier, or currency code."
    autocomplete_fields = ["partner", "loyalty_currency"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("redemption_prices")

    @admin.display(description="Categories")
    def categories(self, obj: RedemptionPartnership) -> str:
        return ", ".join(p.get_category_display() for p in obj.redemption_prices.all()) or "-"


class RedemptionTierPriceInline(TabularInline):
    model = RedemptionTierPrice
    extra = 0
    fields = ["tier", "unit_value"]
    verbose_name_plural = "cheaper prices for tiers (a higher value of a point: fewer points)"


@admin.register(RedemptionPrice)
class RedemptionPriceAdmin(ModelAdmin):
    """One category's price, with its tiers' prices; reached from its partnership's page."""

    inlines = [RedemptionTierPriceInline]
    list_display = ["partnership_partner", "category", "price_type", "custom_value", "rounding"]
    list_select_related = ["partnership__partner", "partnership__loyalty_currency"]
    list_filter = ["category", "price_type"]
    fields = ["partnership", "category", "price_type", "custom_value", "rounding"]
    autocomplete_fields = ["partnership"]

    @admin.display(description="Partner", ordering="partnership__partner__company_name")
    def partnership_partner(self, obj: RedemptionPrice) -> str:
        return f"{obj.partnership.partner} ({obj.partnership.loyalty_currency})"
