"""The health check at /health/ (loyalty.health): the database, the cache and the broker."""

from django.test import Client

DATABASE, CACHE, BROKER = "Database(alias='default')", "Cache(alias='default')", "Broker()"
# What the answer must never show: where the servers are, how to reach them, who logs in.
REVEALING = ("127.0.0.1", "localhost", "://", "@", "6379", "5432", "postgres", "redis")


def health():
    return Client().get("/health/", {"format": "json"})


def test_all_three_answer_200_without_credentials(db):
    response = health()
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {DATABASE: "OK", CACHE: "OK", BROKER: "OK"}
    page = Client().get("/health/")
    assert page.status_code == 200
    assert page["Content-Type"].startswith("text/html")


def test_the_cache_down_is_a_500_that_names_only_the_cache(db, cache_down):
    response = health()
    assert response.status_code == 500
    body = response.json()
    assert body[DATABASE] == body[BROKER] == "OK"
    assert "Connection Error" in body[CACHE]
    assert set(body) == {DATABASE, CACHE, BROKER}
    text = response.content.decode().lower()
    for revealing in (*REVEALING, str(cache_down)):
        assert revealing not in text, revealing
    # The HTML page links to django-health-check's site, and names none of ours.
    page = Client().get("/health/").content.decode().lower()
    for revealing in ("127.0.0.1", "localhost", "redis://", "postgres", str(cache_down)):
        assert revealing not in page, revealing
