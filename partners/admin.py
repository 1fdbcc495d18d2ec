"""The staff admin of the partner side: partnerships, custom data, API credentials, idempotency.

Credentials are created and revoked only through partners.services.credentials: the create page
shows the secret key once, on the answer to the form, and nothing stores or shows it again.
"""

import re

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from loyalty.models import Partner
from partners.models import (
    CredentialStatus,
    IdempotencyRecord,
    PartnerCredential,
    PartnerCustomData,
    Partnership,
    PartnershipType,
)
from partners.services.credentials import (
    IssuedCredential,
    TooManyActiveCredentials,
    credential_create,
    credential_revoke,
)

LANGUAGE_CODE = re.compile(r"^[a-z]{2}$")
REQUIRED_FIELD_KEYS = frozenset({"id", "name", "translations"})
REQUIRED_FIELDS_HELP = (
    'A JSON list of the fields the member is identified by, e.g. [{"id": "card_number", '
    '"name": "Loyalty card number", "translations": {"es": "Número de tarjeta"}}]. '
    "Partners see each name in the language they ask for (ISO 639-1), else in English."
)
# A partnership is recorded from the currency owner's side: the type says what the partner is to
# the owner, and the partner sees the owner in the mirror list (partners.api.partners). The two
# "currency owner for ..." types are those mirror views, so staff never record them directly.
OWNER_SIDE_TYPES = [
    (PartnershipType.ISSUING.value, "Issuing: the partner gives this currency to members"),
    (PartnershipType.REDEMPTION.value, "Redemption: the partner accepts this currency"),
    (
        PartnershipType.EXCHANGE_IN.value,
        "Exchange in: the partner's members exchange their units into this currency",
    ),
    (
        PartnershipType.EXCHANGE_OUT.value,
        "Exchange out: this currency's members exchange units out to the partner's programme",
    ),
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


# Partnerships ------------------------------------------------------------------------------


class PartnershipForm(forms.ModelForm):
    type = forms.ChoiceField(
        choices=OWNER_SIDE_TYPES,
        help_text=(
            "What the partner is to the currency's owner. The partner sees the owner in its "
            "mirror list (currency owners for issuance or redemption; exchange in and out swap)."
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
            "conversion_ratio_per_unit",
            "exchange_enabled",
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
class PartnershipAdmin(admin.ModelAdmin):
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
                    "conversion_ratio_per_unit",
                    "exchange_enabled",
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


# Custom data -------------------------------------------------------------------------------


@admin.register(PartnerCustomData)
class PartnerCustomDataAdmin(admin.ModelAdmin):
    list_display = ["field_name", "partner", "number_of_values", "updated_at"]
    list_filter = ["partner"]
    list_select_related = ["partner"]
    search_fields = ["field_name", "partner__company_name", "partner__api_identifier"]
    autocomplete_fields = ["partner"]
    readonly_fields = ["updated_at"]
    fields = ["partner", "field_name", "values", "updated_at"]

    @admin.display(description="Values")
    def number_of_values(self, obj: PartnerCustomData) -> int:
        return len(obj.values)


# Credentials -------------------------------------------------------------------------------


class CredentialCreateForm(forms.Form):
    partner = forms.ModelChoiceField(queryset=Partner.objects.order_by("company_name"))
    label = forms.CharField(
        max_length=100, required=False, help_text="e.g. production, rotation 2027"
    )


@admin.register(PartnerCredential)
class PartnerCredentialAdmin(admin.ModelAdmin):
    """Lists credentials without their secrets; the add page creates one and shows it once."""

    list_display = ["public_key", "partner", "label", "status", "created_at", "last_used_at"]
    list_filter = ["status", "partner"]
    list_select_related = ["partner"]
    search_fields = ["=public_key", "label", "partner__company_name", "partner__api_identifier"]
    search_help_text = "Public key, label, partner name or API identifier."
    fields = [
        "partner",
        "public_key",
        "label",
        "status",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    readonly_fields = [
        "partner",
        "public_key",
        "status",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    actions = ["revoke"]

    def add_view(self, request: HttpRequest, form_url="", extra_context=None) -> HttpResponse:
        """Create API credential: pick a partner and a label; the answer shows both keys once."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = CredentialCreateForm(
            request.POST or None, initial={"partner": request.GET.get("partner")}
        )
        if request.method == "POST" and form.is_valid():
            try:
                issued = credential_create(
                    partner=form.cleaned_data["partner"], label=form.cleaned_data["label"]
                )
            except TooManyActiveCredentials as exc:
                form.add_error("partner", exc.message)
            else:
                self.log_addition(request, issued.credential, [{"added": {}}])
                return self._created(request, issued)
        context = {
            **self.admin_site.each_context(request),
            "title": "Create API credential",
            "opts": self.opts,
            "form": form,
            "adminform": helpers.AdminForm(form, [(None, {"fields": ["partner", "label"]})], {}),
        }
        return TemplateResponse(request, "admin/partners/partnercredential/create.html", context)

    def _created(self, request: HttpRequest, issued: IssuedCredential) -> HttpResponse:
        context = {
            **self.admin_site.each_context(request),
            "title": "API credential created",
            "opts": self.opts,
            "issued": issued,
            "partner": issued.credential.partner,
        }
        return TemplateResponse(request, "admin/partners/partnercredential/created.html", context)

    @admin.action(description="Revoke selected credentials", permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[PartnerCredential]) -> None:
        active = list(queryset.filter(status=CredentialStatus.ACTIVE).select_related("partner"))
        for credential in active:
            credential_revoke(credential=credential)
            self.log_change(request, credential, "Revoked")
        if active:
            keys = ", ".join(credential.public_key for credential in active)
            self.message_user(
                request,
                f"Revoked {len(active)} credential(s): {keys}. Requests signed with them now "
                "get 401.",
                messages.SUCCESS,
            )
        else:
            self.message_user(request, "The selected credentials were already revoked.")

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # revoke instead: the row records who had access, and when


# Idempotency records -----------------------------------------------------------------------


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(admin.ModelAdmin):
    """Read-only: the stored answers to POST and PATCH requests sent with an Idempotency-Key."""

    list_display = [
        "key",
        "partner",
        "method",
        "path",
        "response_status",
        "created_at",
        "expires_at",
    ]
    list_filter = ["method", "response_status"]
    list_select_related = ["partner"]
    search_fields = ["=key", "path", "partner__company_name", "partner__api_identifier"]
    date_hierarchy = "created_at"
    fields = [
        "partner",
        "key",
        "method",
        "path",
        "response_status",
        "response_content_type",
        "response",
        "request_fingerprint",
        "created_at",
        "expires_at",
    ]
    readonly_fields = fields

    @admin.display(description="Response body")
    def response(self, obj: IdempotencyRecord) -> str:
        return bytes(obj.response_body).decode("utf-8", errors="replace")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
