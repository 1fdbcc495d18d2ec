"""The catalogue editor: a card with its denominations and prices, its stock per denomination
(with the low-stock warning) and the import of codes from CSV or XLSX."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from giftcards.errors import GiftCardImportInvalid
from giftcards.models import (
    DenominationType,
    GiftCard,
    GiftCardDenomination,
    GiftCardPrice,
    ImportStatus,
)
from giftcards.selectors import stock_of
from giftcards.services.catalogue import gift_card_price_set, gift_card_save
from giftcards.services.imports import COLUMNS, import_create
from loyalty.admin.base import ModelAdmin, TabularInline
from loyalty.admin.widgets import UnfoldForm


class DenominationInline(TabularInline):
    model = GiftCardDenomination
    extra = 0
    verbose_name = "denomination (fixed cards)"


class PriceInline(TabularInline):
    model = GiftCardPrice
    extra = 0
    verbose_name = "loyalty currency that buys it"
    autocomplete_fields = []


class CodeImportForm(UnfoldForm):
    file = forms.FileField(
        help_text="CSV (UTF-8) or XLSX whose first line names the columns: "
        + ", ".join(COLUMNS)
        + " (only code is required; denomination is required for fixed cards)."
    )


def stock_table(card: GiftCard) -> SafeString:
    """Available, issued, unavailable and total codes per denomination; a denomination below the
    card's low-stock threshold is flagged."""
    rows = format_html_join(
        "",
        "<tr><td>{}</td><td>{}{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        (
            (
                s.key,
                s.available,
                mark_safe(' <strong class="text-red-600">low stock</strong>')
                if s.available < card.low_stock_threshold
                else "",
                s.issued,
                s.unavailable,
                s.total,
            )
            for s in stock_of(card)
        ),
    )
    return format_html(
        '<table class="gift-card-stock"><thead><tr><th>Denomination</th><th>Available</th>'
        "<th>Issued</th><th>Unavailable</th><th>Total</th></tr></thead><tbody>{}</tbody></table>",
        rows,
    )


class GiftCardForm(forms.ModelForm):
    """The admin's form of a card (its Meta comes from GiftCardAdmin's fieldsets)."""

    def clean(self):
        data = super().clean()
        is_open = data.get("denomination_type") != DenominationType.FIXED
        if is_open and (data.get("minimum_value") is None or data.get("maximum_value") is None):
            raise forms.ValidationError("An open gift card needs a minimum and a maximum value.")
        return data


@admin.register(GiftCard)
class GiftCardAdmin(ModelAdmin):
    form = GiftCardForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = [
        "name",
        "partner",
        "type",
        "denomination_type",
        "fiat_currency",
        "enabled",
        "stock_summary",
        "public_id",
    ]
    list_filter = ["enabled", "type", "denomination_type", "fiat_currency", "provider"]
    search_fields = ["name", "=public_id", "partner__company_name"]
    readonly_fields = ["public_id", "stock", "import_link", "created_at"]
    inlines = [DenominationInline, PriceInline]
    fieldsets = [
        (None, {"fields": ["public_id", "partner", "name", "type", "enabled", "provider"]}),
        (
            "Value",
            {
                "fields": [
                    "fiat_currency",
                    "denomination_type",
                    "minimum_value",
                    "maximum_value",
                    "discount_value",
                    "countries",
                ]
            },
        ),
        (
            "Stock",
            {"fields": ["low_stock_threshold", "stock", "import_link"]},
        ),
        (
            "Redemption",
            {"fields": ["redeemable_in_store", "redeemable_online", "expiration_policy"]},
        ),
        (
            "Presentation (HTML is sanitised on save)",
            {
                "fields": [
                    "image",
                    "barcode_format",
                    "description",
                    "redeem_instructions_html",
                    "terms_and_conditions_html",
                    "terms_and_conditions_url",
                    "created_at",
                ]
            },
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("partner")

    @admin.display(description="Stock (available)")
    def stock_summary(self, obj: GiftCard) -> SafeString:
        parts = []
        for s in stock_of(obj):
            label = f"{s.key}: {s.available}"
            if s.available < obj.low_stock_threshold:
                parts.append(format_html('<strong class="text-red-600">{} (low)</strong>', label))
            else:
                parts.append(format_html("{}", label))
        return format_html_join(", ", "{}", ((p,) for p in parts))

    @admin.display(description="Codes per denomination")
    def stock(self, obj: GiftCard) -> SafeString | str:
        return stock_table(obj) if obj.pk else "-"

    @admin.display(description="Import")
    def import_link(self, obj: GiftCard) -> SafeString | str:
        if not obj.pk:
            return "Save the card first."
        url = reverse("admin:giftcards_giftcard_import", args=[obj.pk])
        return format_html('<a href="{}">Import codes from CSV or XLSX</a>', url)

    def save_model(self, request, obj, form, change):
        gift_card_save(gift_card=obj)

    def save_formset(self, request, form, formset, change):
        if formset.model is not GiftCardPrice:
            return super().save_formset(request, form, formset, change)
        for price in formset.save(commit=False):
            gift_card_price_set(
                gift_card=form.instance,
                loyalty_currency=price.loyalty_currency,
                price_type=price.price_type,
            )
        for price in formset.deleted_objects:
            price.delete()

    def get_urls(self):
        return [
            path(
                "<int:pk>/import/",
                self.admin_site.admin_view(self.import_view),
                name="giftcards_giftcard_import",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Upload a file of codes: validated whole, then stored (a big file by a Celery task),
        or refused with the line-by-line report."""
        card = get_object_or_404(GiftCard, pk=pk)
        if not request.user.has_perm("giftcards.add_giftcardcode"):
            raise PermissionDenied
        form = CodeImportForm(request.POST or None, request.FILES or None)
        batch, refusal = None, None
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                batch = import_create(
                    gift_card=card, data=upload.read(), filename=upload.name, user=request.user
                )
            except GiftCardImportInvalid as exc:
                refusal = exc.message
            else:
                if batch.status == ImportStatus.DONE:
                    self.message_user(
                        request, f"Imported {batch.created_codes} codes.", messages.SUCCESS
                    )
                    return HttpResponseRedirect(
                        reverse("admin:giftcards_giftcard_change", args=[card.pk])
                    )
                if batch.status == ImportStatus.PENDING:
                    self.message_user(
                        request,
                        "The file is being imported in the background; its progress shows in "
                        "the list of code imports.",
                        messages.INFO,
                    )
                    return HttpResponseRedirect(
                        reverse("admin:giftcards_giftcardcodeimport_changelist")
                    )
        context = {
            **self.admin_site.each_context(request),
            "title": f"Import codes into {card.name}",
            "opts": self.opts,
            "card": card,
            "form": form,
            "adminform": helpers.AdminForm(form, [(None, {"fields": ["file"]})], {}),
            "refusal": refusal,
            "row_errors": batch.errors if batch is not None else (),
        }
        return TemplateResponse(request, "admin/giftcards/giftcard/import.html", context)
