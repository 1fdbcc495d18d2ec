"""Root URLs: the staff admin and the partner API under /public/v3.0/ (partners.api.urls)."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

admin.site.site_header = "Loyalty back office"
admin.site.site_title = "Loyalty back office"
admin.site.index_title = "Programme administration"

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("admin/", admin.site.urls),
    path("public/v3.0", RedirectView.as_view(url="/public/v3.0/", permanent=False)),
    path("public/v3.0/", include("partners.api.urls")),
]
