"""Partner custom data: the named lists a partner publishes to its partners."""

from django.contrib import admin

from loyalty.admin.base import ModelAdmin
from partners.models import PartnerCustomData


@admin.register(PartnerCustomData)
class PartnerCustomDataAdmin(ModelAdmin):
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
