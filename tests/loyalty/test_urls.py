"""The root URLs (loyalty.urls): the admin, the health check and the partner API's root."""

from django.test import Client


def test_the_api_root_without_its_slash_redirects_whatever_the_method(db):
    """GET and POST alike: a client that enforces CSRF used to get Django's HTML 403 page for a
    POST here, the only page under /public/ outside the API's own error shape."""
    response = Client().get("/public/v3.0")
    assert response.status_code == 302
    assert response["Location"] == "/public/v3.0/"

    posted = Client(enforce_csrf_checks=True).post(
        "/public/v3.0", data=b"{}", content_type="application/json"
    )
    assert posted.status_code == 302
    assert posted["Location"] == "/public/v3.0/"
