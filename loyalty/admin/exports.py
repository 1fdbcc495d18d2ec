"""CSV exports from the admin's lists: the filtered transactions and member balances.

A list's "Export CSV" button sends its own query string to the export view, which rebuilds the
list's filtered queryset (ChangeList: the same filters and search as on screen). Up to
settings.EXPORT_STREAM_LIMIT rows stream at once; beyond that the export is recorded and a
Celery task writes it (loyalty.services.exports) while the export's page shows a progress bar
(htmx polls a fragment, from unfold's own static files) and then a download link.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from loyalty.admin.base import ReadOnlyAdmin
from loyalty.models import Export, ExportStatus
from loyalty.reports.exports import FORMATS, export_rows
from loyalty.reports.streaming import csv_response
from loyalty.services.exports import export_create, export_path


def export_list_view(model_admin, request: HttpRequest, kind: str) -> HttpResponse:
    """The model admin's filtered list as CSV: streamed, or queued when it is large."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    try:
        changelist = model_admin.get_changelist_instance(request)
    except IncorrectLookupParameters:
        return HttpResponseRedirect(reverse(f"admin:{_opts(model_admin)}_changelist"))
    queryset = changelist.get_queryset(request)
    limit = settings.EXPORT_STREAM_LIMIT
    if queryset[: limit + 1].count() <= limit:
        return csv_response(
            f"{kind}-{timezone.now():%Y%m%d-%H%M%S}.csv",
            FORMATS[kind].header,
            export_rows(kind, queryset),
        )
    export = export_create(
        kind=kind,
        queryset=queryset,
        user=request.user,
        total_rows=queryset.count(),
        description=request.GET.urlencode(),
    )
    return HttpResponseRedirect(reverse("admin:loyalty_export_progress", args=[export.pk]))


def _opts(model_admin) -> str:
    return f"{model_admin.opts.app_label}_{model_admin.opts.model_name}"


@admin.register(Export)
class ExportAdmin(ReadOnlyAdmin):
    """Large exports: who asked, how far the task is, and the file when it is done. Staff see
    their own exports (superusers everyone's)."""

    list_display = [
        "id",
        "kind",
        "status",
        "progress",
        "total_rows",
        "description",
        "created_by",
        "created_at",
    ]
    list_filter = ["kind", "status"]
    exclude = ["query"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("created_by")
        if request.user.is_superuser:
            return queryset
        return queryset.filter(created_by=request.user)

    @admin.display(description="Progress")
    def progress(self, obj: Export) -> str:
        return f"{obj.percent} %"

    def get_urls(self):
        return [
            path(
                "<int:export_id>/progress/",
                self.admin_site.admin_view(self.progress_view),
                name="loyalty_export_progress",
            ),
            path(
                "<int:export_id>/download/",
                self.admin_site.admin_view(self.download_view),
                name="loyalty_export_download",
            ),
            *super().get_urls(),
        ]

    def _own(self, request: HttpRequest, export_id: int) -> Export:
        export = self.get_queryset(request).filter(pk=export_id).first()
        if export is None:
            raise Http404("No such export.")
        return export

    def progress_view(self, request: HttpRequest, export_id: int) -> HttpResponse:
        """The export's progress; with ?fragment=1 only the part htmx swaps every second."""
        export = self._own(request, export_id)
        context = {
            **self.admin_site.each_context(request),
            "title": f"{export.get_kind_display()} export",
            "opts": self.opts,
            "export": export,
            "running": export.status in (ExportStatus.QUEUED, ExportStatus.RUNNING),
            "fragment_url": reverse("admin:loyalty_export_progress", args=[export.pk])
            + "?fragment=1",
            "download_url": reverse("admin:loyalty_export_download", args=[export.pk]),
        }
        template = (
            "admin/loyalty/export/progress_fragment.html"
            if request.GET.get("fragment")
            else "admin/loyalty/export/progress.html"
        )
        return TemplateResponse(request, template, context)

    def download_view(self, request: HttpRequest, export_id: int) -> HttpResponse:
        export = self._own(request, export_id)
        if export.status != ExportStatus.DONE:
            raise Http404("The export is not ready.")
        path_ = export_path(export)
        if not path_.exists():
            raise Http404("The export's file is gone.")
        return FileResponse(
            path_.open("rb"),
            as_attachment=True,
            filename=f"{export.kind}-{export.created_at:%Y%m%d-%H%M%S}.csv",
            content_type="text/csv; charset=utf-8",
        )
