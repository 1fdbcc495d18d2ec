"""Debug pages and error reports (loyalty.exception_reporter.CredentialsHidingFilter) never show
a credential, including a password inside a URL setting."""

import pytest
from django.test import Client
from django.utils.functional import SimpleLazyObject

from loyalty.exception_reporter import CredentialsHidingFilter

SECRET_URL = "redis://:s3cret@127.0.0.1:6379/0"
HIDDEN = CredentialsHidingFilter.cleansed_substitute


@pytest.mark.parametrize(
    ("value", "cleansed"),
    [
        (
            "postgres://loyalty:pa55word@db.internal:5432/loyalty",
            "postgres://{}@db.internal:5432/loyalty",
        ),
        ("redis://:s3cret@127.0.0.1:6379/0", "redis://{}@127.0.0.1:6379/0"),
        ("amqp://user:p%40ss@rabbit/vhost", "amqp://{}@rabbit/vhost"),
        ("rediss://only-a-token@cache:6380", "rediss://{}@cache:6380"),
    ],
)
def test_cleanse_setting_drops_the_user_and_password_of_urls(value, cleansed):
    reporter_filter = CredentialsHidingFilter()
    assert reporter_filter.cleanse_setting("BROKER_URL", value) == cleansed.format(HIDDEN)


def test_cleanse_setting_walks_dicts_and_lists_and_keeps_the_rest():
    reporter_filter = CredentialsHidingFilter()
    for unchanged in ("redis://127.0.0.1:6379/15", "filesystem://", "someone@example.com"):
        assert reporter_filter.cleanse_setting("BROKER_URL", unchanged) == unchanged
    assert reporter_filter.cleanse_setting("SECRET_KEY", "abc") == HIDDEN
    caches = {"default": {"LOCATION": SECRET_URL, "OPTIONS": {"PASSWORD": "x"}}}
    assert reporter_filter.cleanse_setting("CACHES", caches) == {
        "default": {
            "LOCATION": f"redis://{HIDDEN}@127.0.0.1:6379/0",
            "OPTIONS": {"PASSWORD": HIDDEN},
        }
    }
    assert reporter_filter.cleanse_setting("URLS", [SECRET_URL]) == [
        f"redis://{HIDDEN}@127.0.0.1:6379/0"
    ]


def test_cleanse_setting_takes_lazy_strings():
    """django-axes has lazy string settings; the debug page used to crash on them."""
    reporter_filter = CredentialsHidingFilter()
    assert reporter_filter.cleanse_setting("X", SimpleLazyObject(lambda: SECRET_URL)) == (
        f"redis://{HIDDEN}@127.0.0.1:6379/0"
    )
    assert reporter_filter.cleanse_setting("X", SimpleLazyObject(lambda: "username")) == "username"


def test_the_debug_page_of_a_bad_host_shows_no_password(db, settings):
    """With DEBUG on, a disallowed Host header gets Django's technical page, settings and all."""
    settings.DEBUG = True
    settings.REDIS_URL = settings.CELERY_BROKER_URL = SECRET_URL
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "sessions": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": SECRET_URL,
        },
    }
    response = Client().get("/admin/", headers={"Host": "evil.example"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "DisallowedHost" in page  # the technical page, with the settings
    assert "CELERY_BROKER_URL" in page and "REDIS_URL" in page
    assert "s3cret" not in page
    assert "127.0.0.1:6379/0" in page
