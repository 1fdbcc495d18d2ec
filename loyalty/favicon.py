"""/favicon.ico: browsers ask for it at the site's root whatever page they show, so it is served
here (from the loyalty app's static file) rather than only linked from the admin's pages."""

from functools import cache
from pathlib import Path

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

FAVICON = Path(__file__).resolve().parent / "static" / "loyalty" / "favicon.ico"


@cache
def _icon() -> bytes:
    return FAVICON.read_bytes()


@require_safe
def favicon_view(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(_icon(), content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=86400"
    return response
