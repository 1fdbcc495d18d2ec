"""Settings, read only from environment variables (see README.md for each one and its default).

Safe by default: DEBUG is off unless DEBUG=true (`make run` and `make test` set it), and with
DEBUG off the process refuses to start without its own SECRET_KEY and CREDENTIALS_ENCRYPTION_KEY.
With no DATABASE_URL the project runs on an embedded SQLite database, and with no REDIS_URL on an
embedded filesystem broker, so that `make run` works on a machine with neither server.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.templatetags.static import static

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
DEVELOPMENT_SECRET_KEY = "insecure-development-key-change-me"
SECRET_KEY = env.str("SECRET_KEY", default=DEVELOPMENT_SECRET_KEY)
if not DEBUG and SECRET_KEY == DEVELOPMENT_SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is not set. With DEBUG off the development key is refused: set SECRET_KEY "
        "to at least 50 random characters (python -c 'import secrets; "
        "print(secrets.token_urlsafe(50))'), or DEBUG=true on a development machine."
    )
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

INSTALLED_APPS = [
    # django-unfold restyles the admin (its apps come before django.contrib.admin, whose
    # templates they override); loyalty.admin.site configures it.
    "unfold",
    "unfold.contrib.filters",
    "unfold.contrib.import_export",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "health_check",
    "import_export",
    "loyalty.apps.LoyaltyConfig",
    "partners.apps.PartnersConfig",
    "giftcards.apps.GiftcardsConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its lockout answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "loyalty.urls"
WSGI_APPLICATION = "loyalty.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database: PostgreSQL from DATABASE_URL, else an embedded SQLite file whose writers queue
# (BEGIN IMMEDIATE plus a busy timeout) instead of failing with "database is locked".
EMBEDDED_DATABASE = not env.str("DATABASE_URL", default="")
if EMBEDDED_DATABASE:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env.str("SQLITE_PATH", default=str(VAR_DIR / "loyalty.sqlite3")),
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;"
                ),
            },
        }
    }
else:
    DATABASES = {"default": env.db_url("DATABASE_URL")}
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Server-side binding, and prepared statements for the hot path's (loyalty.prepared: the
    # few the partner API runs on every request, parsed and planned once per connection).
    # Behind a pooler in transaction mode (PgBouncer before 1.21), turn both off with
    # DB_SERVER_SIDE_BINDING=false.
    if env.bool("DB_SERVER_SIDE_BINDING", default=True):
        from loyalty.prepared import Cursor as PreparingCursor

        DATABASES["default"].setdefault("OPTIONS", {}).update(
            server_side_binding=True, cursor_factory=PreparingCursor, prepare_threshold=5
        )
    DATABASES["default"].setdefault("TEST", {})
    DATABASES["default"]["TEST"]["NAME"] = env.str("TEST_DATABASE_NAME", default=None)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Broker: Redis from REDIS_URL, else kombu's filesystem transport under VAR_DIR (no server).
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # Short timeouts: when Redis is unreachable the rate limiter lets requests through after
    # at most this long (partners.api.throttling) instead of holding every request up.
    CACHE_TIMEOUT_SECONDS = env.float("CACHE_TIMEOUT_SECONDS", default=0.25)
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default=""),
            "OPTIONS": {
                "socket_connect_timeout": CACHE_TIMEOUT_SECONDS,
                "socket_timeout": CACHE_TIMEOUT_SECONDS,
            },
        }
    }
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(VAR_DIR / "broker"),
        "data_folder_out": str(VAR_DIR / "broker"),
        "processed_folder": str(VAR_DIR / "broker-processed"),
        "control_folder": str(VAR_DIR / "broker-control"),
        "store_processed": False,
    }
    for _folder in ("broker", "broker-processed", "broker-control"):
        (VAR_DIR / _folder).mkdir(exist_ok=True)
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_TIMEZONE = "UTC"
CELERY_ENABLE_UTC = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)

# Ledger tuning.
LEDGER_RELEASE_BATCH_SIZE = env.int("LEDGER_RELEASE_BATCH_SIZE", default=1000)
# Batches one release sweep runs at once, each in its own database connection (PostgreSQL).
LEDGER_RELEASE_CONCURRENCY = env.int("LEDGER_RELEASE_CONCURRENCY", default=2)

# Forwarding credits to partner programmes (the outbox, loyalty.services.forwarding): transient
# failures retry with exponential backoff (base doubling up to the cap, with jitter) until the
# retry window after the exchange has passed; the record is then dead. A delivery holds its
# record for the lease (longer than the connector's timeout).
FORWARDING_RETRY_WINDOW_SECONDS = env.int("FORWARDING_RETRY_WINDOW_SECONDS", default=2 * 86400)
FORWARDING_BACKOFF_BASE_SECONDS = env.float("FORWARDING_BACKOFF_BASE_SECONDS", default=30.0)
FORWARDING_BACKOFF_CAP_SECONDS = env.float("FORWARDING_BACKOFF_CAP_SECONDS", default=4 * 3600.0)
FORWARDING_LEASE_SECONDS = env.int("FORWARDING_LEASE_SECONDS", default=120)
FORWARDING_SWEEP_BATCH_SIZE = env.int("FORWARDING_SWEEP_BATCH_SIZE", default=50)
# The bundled sandbox programme `make run` serves (manage.py sandbox_programme), where the demo's
# AVIOS connector points.
SANDBOX_PROGRAMME_PORT = env.int("SANDBOX_PROGRAMME_PORT", default=8100)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
# Staff read every time as "2026-12-01 19:56:03 UTC" and type ISO dates (loyalty/formats/en).
FORMAT_MODULE_PATH = ["loyalty.formats"]

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# Served by whitenoise from STATIC_ROOT (`manage.py collectstatic`, which `make serve` runs), or
# straight from the apps when DEBUG is on; compressed, without a manifest so that a page never
# fails for a file collected late.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG

# The largest request body accepted (file uploads aside); the partner API answers 413 beyond it.
# Contract requests are a few kilobytes; the biggest (50 redemption items) stays under 100 KB.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("MAX_REQUEST_BODY_BYTES", default=1024 * 1024)

# Behind TLS (SECURE_SSL=true): the proxy terminates TLS and says so in X-Forwarded-Proto; every
# other request is redirected to HTTPS (the health check excepted, for plain-HTTP probes),
# cookies are secure and browsers remember HSTS. `check --deploy` is clean with these on.
SECURE_SSL = env.bool("SECURE_SSL", default=False)
if SECURE_SSL:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^health/$"]
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
X_FRAME_OPTIONS = "DENY"
# Debug pages and error reports hide credentials, including those inside URL settings.
DEFAULT_EXCEPTION_REPORTER_FILTER = "loyalty.exception_reporter.CredentialsHidingFilter"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # django-axes announces itself at every start; its lockouts are warnings and still show.
    "loggers": {"axes.apps": {"level": "WARNING"}},
}

# Staff logins: django-axes locks a username from an IP address after AXES_FAILURE_LIMIT wrong
# passwords, for AXES_COOLOFF_MINUTES; staff lift a lockout in the admin (Access attempts).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_MINUTES", default=15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/lockout.html"

# The staff admin's look (django-unfold): navigation grouped by job, the start page and the
# favicon are defined in loyalty.admin.navigation and loyalty.admin.dashboard.
# Admin CSV exports: up to this many rows stream at once; more are written by a Celery task
# into EXPORTS_DIR, with a progress bar and a download link in the admin.
EXPORT_STREAM_LIMIT = env.int("EXPORT_STREAM_LIMIT", default=20_000)
EXPORTS_DIR = Path(env.str("EXPORTS_DIR", default=str(VAR_DIR / "exports")))

# More front-page tiles, by dotted path to a function of the request returning a dict with
# title, value, detail and link, and optionally a warning and a table (loyalty.admin.dashboard):
# the other apps' tiles, named here so that loyalty imports none of them.
DASHBOARD_TILES: list[str] = ["giftcards.dashboard.low_stock_tile"]

UNFOLD = {
    "SITE_TITLE": "Loyalty back office",
    "SITE_HEADER": "Loyalty back office",
    "SITE_SUBHEADER": "Programme administration",
    "SITE_SYMBOL": "loyalty",
    "SITE_URL": "/admin/",
    "SITE_FAVICONS": [{"rel": "icon", "type": "image/x-icon", "href": "/favicon.ico"}],
    "SHOW_VIEW_ON_SITE": False,
    "DASHBOARD_CALLBACK": "loyalty.admin.dashboard.dashboard_context",
    "SIDEBAR": {
        "show_search": True,
        "show_all_applications": True,
        "navigation": "loyalty.admin.navigation.sidebar_navigation",
    },
    "STYLES": [lambda request: static("loyalty/admin.css")],
}

# Partner API secrets are encrypted at rest with these Fernet keys (comma-separated, the newest
# first: it encrypts, all of them decrypt; `manage.py reencrypt_secrets` moves every secret to the
# newest). Required with DEBUG off; on a development machine they default to a key derived from
# SECRET_KEY.
CREDENTIALS_ENCRYPTION_KEYS = env.list("CREDENTIALS_ENCRYPTION_KEY", default=[])
if not DEBUG and not CREDENTIALS_ENCRYPTION_KEYS:
    raise ImproperlyConfigured(
        "CREDENTIALS_ENCRYPTION_KEY is not set. With DEBUG off partner secrets need their own "
        "key: set CREDENTIALS_ENCRYPTION_KEY to a Fernet key (python -c 'from "
        "cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')."
    )
# Gift-card codes are found by an HMAC-SHA256 of their normalised form keyed with this (they are
# stored encrypted with CREDENTIALS_ENCRYPTION_KEY, so no plaintext is indexed). Set it in
# production to at least 32 random characters and never change it (every stored hash depends on
# it); unset, it is derived from SECRET_KEY (HMAC with a purpose label, so the two never coincide).
GIFTCARD_LOOKUP_HASH_KEY = env.str("GIFTCARD_LOOKUP_HASH_KEY", default="")
# Failed code lookups (unknown code or wrong PIN) a partner may make per minute before the
# validate, redeem, cancel and retrieve operations answer 429 for the rest of the minute.
GIFTCARD_FAILED_LOOKUPS_PER_MINUTE = env.int("GIFTCARD_FAILED_LOOKUPS_PER_MINUTE", default=20)
# Files of more codes than this are imported by a Celery task (the admin shows its progress).
GIFTCARD_IMPORT_ASYNC_ROWS = env.int("GIFTCARD_IMPORT_ASYNC_ROWS", default=5_000)
# Credentials in strict signing mode also sign a timestamp; older (or later) than this, refused.
SIGNATURE_MAX_AGE_SECONDS = env.int("SIGNATURE_MAX_AGE_SECONDS", default=300)
IDEMPOTENCY_KEY_TTL_HOURS = env.int("IDEMPOTENCY_KEY_TTL_HOURS", default=8)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["partners.api.authentication.HMACAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["partners.api.permissions.IsPartner"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["partners.api.parsers.ContractJSONParser"],
    "DEFAULT_PAGINATION_CLASS": "partners.api.pagination.ContractPagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "partners.api.handlers.exception_handler",
    "UNAUTHENTICATED_USER": None,
    "DATETIME_FORMAT": "%Y-%m-%dT%H:%M:%S%z",
    "COERCE_DECIMAL_TO_STRING": True,
}

# The generated OpenAPI schema (/public/v3.0/schema/) and its Swagger UI (/public/v3.0/docs/),
# served from local static files. Paths are the contract's, relative to the server URL.
SPECTACULAR_SETTINGS = {
    "TITLE": "Loyalty back office partner API",
    # The guide (signing with a worked example, idempotency, errors) replaces this description
    # (partners.api.schema.api_guide).
    "DESCRIPTION": "Wire-compatible with Currency Alliance API 3.0.",
    "VERSION": "3.0",
    "SERVERS": [{"url": "/public/v3.0"}],
    "SCHEMA_PATH_PREFIX": r"/public/v3\.0",
    "SCHEMA_PATH_PREFIX_TRIM": True,
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Views validate PATCH bodies with the full serializer, so no all-optional "Patched" copy.
    "COMPONENT_SPLIT_PATCH": False,
    # Docstrings explain the code to its maintainers; partners read summaries and descriptions.
    "DISABLE_DOCSTRING_DESCRIPTIONS": True,
    "ENUM_NAME_OVERRIDES": {
        "TransactionType": "loyalty.models.TransactionType",
        "TransactionSubType": "loyalty.models.TransactionSubType.values",
        "TransactionStatus": "loyalty.models.TransactionStatus",
        "TransactionStatusMessageCode": "loyalty.models.StatusMessageCode",
        "TransactionFieldReasonCode": "loyalty.models.ReasonCode",
        "AccountOwnerType": ["partner", "member"],
        "RedemptionCategory": "loyalty.models.RedemptionCategory",
        "GiftCardTypeEnum": "giftcards.models.GiftCardType",
        "GiftCardDenominationTypeEnum": "giftcards.models.DenominationType",
        "GiftCardProviderEnum": "giftcards.models.Provider",
        "GiftCardBarcodeFormatEnum": "giftcards.models.BarcodeFormat",
        "GiftCardCodeRedemptionStatusEnum": "giftcards.models.RedemptionStatus",
        "GiftCardChannelEnum": "giftcards.models.Channel",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "partners.api.schema.document_body_errors",
        "partners.api.schema.document_idempotency",
        "partners.api.schema.contract_component_names",
        "partners.api.schema.document_fields",
        "partners.api.schema.api_guide",
    ],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
}
