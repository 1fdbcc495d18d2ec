"""Partnerships: what a partner may do with a loyalty currency, recorded from the owner's side.

A partnership is recorded from the currency owner's side: the type says what the partner is to
the owner, and the partner sees the owner in the mirror list (loyalty.selectors.MIRROR). The two
"currency owner for ..." types are those mirror views, so staff never record them directly.
Exchanges are exchange partnerships (loyalty.admin.exchanges), not partnerships.
"""

import re

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from loyalty.admin.base import ModelAdmin, ReadOnlyInline
from loyalty.models import Partnership, PartnershipType

LANGUAGE_CODE = re.compile(r"^[a-z]{2}$")
REQUIRED_FIELD_KEYS = frozenset({"id", "name", "translations"})
REQUIRED_FIELDS_HELP = (
    'A JSON list of the fields the member is identified by, e.g. [{"id": "card_number", '
    '"name": "Loyalty card number", "translations": {"es": "Número de tarjeta"}}]. '
    "Partners see each name in the language they ask for (ISO 639-1), else in English."
)
OWNER_SIDE_TYPES = [
    (PartnershipType.ISSUING.value, "Issuing: the partner gives this currency to members"),
    (PartnershipType.REDEMPTION.value, "Redemption: the partner accepts this currency"),
]


def validate_required_fields(value) -> None:
    """A list of {"id", "name", "translations"?}: non-empty texts, unique ids, and translations
    keyed by two-letter ISO 639-1 codes."""
    if not isinstance(value, list):
        raise ValidationError("Enter a JSON list, e.g. [] or [{...}, {...}].")
    seen: set[str] = set()
    for position, field in enumerate(value, start=1):
        where = f"Field {position}"
        if not isinstance(field, dict):
            raise ValidationError(f"{where} is not a JSON object.")
        unknown = sorted(set(field) - REQUIRED_FIELD_KEYS)
        if unknown:
            raise ValidationError(
                f"{where} has unknown keys {', '.join(unknown)}; use id, name, translations."
            )
        for key in ("id", "name"):
            if not isinstance(field.get(key), str) or not field[key].strip():
                raise ValidationError(f'{where} needs a non-empty text "{key}".')
        if field["id"] in seen:
            raise ValidationError(f'{where} repeats the id "{field["id"]}".')
        seen.add(field["id"])
        translations = field.get("translations", {})
        if not isinstance(translations, dict):
            raise ValidationError(f'{where}: "translations" must be an object such as {{"es": …}}.')
        for language, label in translations.items():
            if not LANGUAGE_CODE.match(language):
                raise ValidationError(
                    f'{where}: "{language}" is not a two-letter ISO 639-1 code such as es.'
                )
            if not isinstance(label, str) or not label.strip():
                raise ValidationError(f'{where}: the "{language}" translation is empty.')


class PartnershipForm(forms.ModelForm):
    type = forms.ChoiceField(
        choices=OWNER_SIDE_TYPES,
        help_text=(
            "What the partner is to the currency's owner. The partner sees the owner in its "
            "mirror list (currency owners for issuance or redemption). Exchanges are set up as "
            "exchange partnerships."
        ),
    )

    class Meta:
        model = Partnership
        fields = [
            "partner",
            "loyalty_currency",
            "type",
            "enabled",
            "minimum_member_transaction_amount",
            "maximum_member_transaction_amount",
            "adjustment_allowed",
            "batch_process",
            "loyalty_rules_execution_mode",
            "member_lookup_available",
            "member_lookup_required_fields",
            "execute_required_fields",
        ]
        help_texts = {
            "execute_required_fields": REQUIRED_FIELDS_HELP,
            "member_lookup_required_fields": REQUIRED_FIELDS_HELP,
        }

    def clean_execute_required_fields(self):
        value = self.cleaned_data["execute_required_fields"]
        validate_required_fields(value)
        return value

    def clean_member_lookup_required_fields(self):
        value = self.cleaned_data["member_lookup_required_fields"]
        validate_required_fields(value)
        return value

    def clean(self):
        cleaned = super().clean()
        partner, currency = cleaned.get("partner"), cleaned.get("loyalty_currency")
        if partner and currency and currency.owner_id == partner.pk:
            raise ValidationError(
                f"{partner} owns {currency.code}: a partnership is with another partner."
            )
        return cleaned


@admin.register(Partnership)
class PartnershipAdmin(ModelAdmin):
    form = PartnershipForm
    list_display = ["partner", "loyalty_currency", "type", "enabled", "created_at"]
    list_filter = ["type", "enabled", "loyalty_currency", "partner"]
    list_select_related = ["partner", "loyalty_currency"]
    search_fields = ["partner__company_name", "partner__api_identifier", "loyalty_currency__code"]
    search_help_text = "Partner name or API identifier, or currency code."
    autocomplete_fields = ["partner", "loyalty_currency"]
    readonly_fields = ["created_at"]
    fieldsets = [
        (None, {"fields": ["partner", "loyalty_currency", "type", "enabled", "created_at"]}),
        (
            "Terms",
            {
                "fields": [
                    "minimum_member_transaction_amount",
                    "maximum_member_transaction_amount",
                    "adjustment_allowed",
                    "batch_process",
                    "loyalty_rules_execution_mode",
                ]
            },
        ),
        (
            "Member identification",
            {
                "fields": [
                    "member_lookup_available",
                    "member_lookup_required_fields",
                    "execute_required_fields",
                ]
            },
        ),
    ]


class PartnershipInline(ReadOnlyInline):
    """The partner's partnerships on its page; each opens in the partnership editor."""

    model = Partnership
    fk_name = "partner"
    fields = ["loyalty_currency", "type", "enabled", "created_at"]
    readonly_fields = fields
    show_change_link = True
    verbose_name_plural = "partnerships (add one from the Partnerships page)"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("loyalty_currency")
