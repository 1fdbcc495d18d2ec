"""Root URLs: the staff admin, the health check, and the partner API under /public/v3.0/
(partners.api.urls, named by its dotted path like the error handlers below), and the inbound
Avios-style credit door at the root, where the Avios contract puts it (partners.avios.urls)."""

from django.contrib import admin
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import RedirectView

from loyalty.favicon import favicon_view
from loyalty.health import health_view

admin.site.site_header = "Loyalty back office"
admin.site.site_title = "Loyalty back office"
admin.site.index_title = "Start"

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("admin/", admin.site.urls),
    path("health/", health_view, name="health"),
    path("favicon.ico", favicon_view, name="favicon"),
    # CSRF-exempt like the API under it, so that a POST gets the redirect, not an HTML 403.
    path("public/v3.0", csrf_exempt(RedirectView.as_view(url="/public/v3.0/", permanent=False))),
    path("public/v3.0/", include("partners.api.urls")),
    # The inbound Avios-style credit door: /{version}/programmes/{programme}/accounts/...
    path("", include("partners.avios.urls")),
]

# JSON in the contract's error shape under /public/, Django's own pages elsewhere.
handler400 = "partners.api.handlers.bad_request"
handler403 = "partners.api.handlers.permission_denied"
handler404 = "partners.api.handlers.page_not_found"
handler500 = "partners.api.handlers.server_error"
