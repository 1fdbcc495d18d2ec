"""Programme connectors: how each external currency's programme is reached. The API key is
write-only: typed into the form, stored encrypted (partners.services.connectors), never shown."""

from django import forms
from django.contrib import admin

from loyalty.admin.base import ModelAdmin
from partners.models import ProgrammeConnector
from partners.services.connectors import connector_set


class ProgrammeConnectorForm(forms.ModelForm):
    base_url = forms.URLField(
        assume_scheme="https", help_text="e.g. https://api.avios.com (no trailing slash)."
    )
    api_key = forms.CharField(
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="Our API key at the programme. Leave empty to keep the stored one; it is "
        "stored encrypted and never shown again.",
    )
    clear_api_key = forms.BooleanField(required=False, help_text="Remove the stored API key.")

    class Meta:
        model = ProgrammeConnector
        fields = [
            "loyalty_currency",
            "kind",
            "base_url",
            "api_version",
            "programme_identifier",
            "external_source",
            "connect_timeout",
            "read_timeout",
            "enabled",
        ]


@admin.register(ProgrammeConnector)
class ProgrammeConnectorAdmin(ModelAdmin):
    form = ProgrammeConnectorForm
    list_display = [
        "loyalty_currency",
        "kind",
        "base_url",
        "programme_identifier",
        "external_source",
        "api_key_stored",
        "enabled",
    ]
    list_select_related = ["loyalty_currency"]
    autocomplete_fields = ["loyalty_currency"]

    @admin.display(boolean=True, description="API key stored")
    def api_key_stored(self, obj: ProgrammeConnector) -> bool:
        return obj.has_api_key

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        api_key = "" if data.get("clear_api_key") else (data.get("api_key") or None)
        saved = connector_set(
            loyalty_currency=data["loyalty_currency"],
            base_url=data["base_url"],
            api_key=api_key,
            programme_identifier=data["programme_identifier"],
            external_source=data["external_source"],
            api_version=data["api_version"],
            kind=data["kind"],
            connect_timeout=data["connect_timeout"],
            read_timeout=data["read_timeout"],
            enabled=data["enabled"],
        )
        obj.pk = saved.pk
        obj.refresh_from_db()
        obj._state.adding = False
