"""Root URLs: the staff admin and the partner API under /public/v3.0/."""

from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from partners.api.errors import not_found
from partners.api.schema import PublicDocsView, PublicSchemaView

admin.site.site_header = "Loyalty back office"
admin.site.site_title = "Loyalty back office"
admin.site.index_title = "Programme administration"

api_patterns = [
    path("schema/", PublicSchemaView.as_view(), name="api-schema"),
    path("docs/", PublicDocsView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include("loyalty.api.urls")),
    path("", include("partners.api.urls")),
]

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("admin/", admin.site.urls),
    path("public/v3.0/", include(api_patterns)),
    re_path(r"^public/v3\.0(?:/.*)?$", not_found),
]
