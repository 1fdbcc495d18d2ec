"""FX rates in the staff admin: the rate list, single edits, and a CSV import of many rates."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from loyalty.admin.base import ModelAdmin
from loyalty.admin.widgets import UnfoldForm
from loyalty.models import FxRate
from loyalty.services.fx import CSV_COLUMNS, fx_rates_import_csv

SOURCE_MAX_LENGTH = FxRate._meta.get_field("source").max_length


class FxRateImportForm(UnfoldForm):
    file = forms.FileField(
        help_text=f"A UTF-8 CSV file whose first line is {','.join(CSV_COLUMNS)}, "
        "with dates as YYYY-MM-DD and rates meaning 1 base = rate quote."
    )
    source = forms.CharField(
        max_length=SOURCE_MAX_LENGTH,
        required=False,
        help_text="Where the rates come from, e.g. ECB. Leave empty to use the file name.",
    )


@admin.register(FxRate)
class FxRateAdmin(ModelAdmin):
    """The changelist template (admin/loyalty/fxrate/change_list.html) adds the import button."""

    list_display = ("date", "base", "quote", "rate", "source", "created_at")
    list_filter = ("base", "quote")
    search_fields = ("base", "quote", "source")
    date_hierarchy = "date"
    readonly_fields = ("created_at",)

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="loyalty_fxrate_import",
            ),
            *super().get_urls(),
        ]

    def has_import_permission(self, request: HttpRequest) -> bool:
        """An import both adds rates and replaces existing ones."""
        return self.has_add_permission(request) and self.has_change_permission(request)

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None):
        extra_context = {**(extra_context or {}), "can_import": self.has_import_permission(request)}
        return super().changelist_view(request, extra_context)

    def import_view(self, request: HttpRequest) -> HttpResponse:
        """Upload a CSV; all its rates are saved, or none and the refused rows are listed."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = FxRateImportForm(request.POST or None, request.FILES or None)
        result = None
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            source = form.cleaned_data["source"] or upload.name[:SOURCE_MAX_LENGTH]
            result = fx_rates_import_csv(file=upload, source=source)
            if not result.errors:
                self.message_user(
                    request,
                    f"Imported {result.imported} rates ({result.created} created, "
                    f"{result.updated} updated).",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:loyalty_fxrate_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": "Import FX rates",
            "opts": self.opts,
            "form": form,
            "adminform": helpers.AdminForm(form, [(None, {"fields": ["file", "source"]})], {}),
            "row_errors": result.errors if result else (),
        }
        return TemplateResponse(request, "admin/loyalty/fxrate/import.html", context)
