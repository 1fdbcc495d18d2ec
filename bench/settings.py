"""Settings of the API benchmark: production settings, plus the bench-only baseline URL.

`python -m bench.api` serves the project with these under gunicorn, against the throwaway
database it names in DATABASE_URL. Everything the partner API does in production stays as it is
(middleware, authentication, throttling on Redis, health-checked connections); only what follows
differs, and each line says why.
"""

from django.core.exceptions import ImproperlyConfigured

from loyalty.settings import *  # noqa: F403
from loyalty.settings import CACHES, DATABASES

# Production runs with DEBUG off; with it on Django also keeps every query in memory.
DEBUG = False

# The project's URLs plus POST /bench/baseline (bench/urls.py), which never ships.
ROOT_URLCONF = "bench.urls"

# The baseline view writes a balance outside the ledger, so serve only a benchmark's own
# throwaway database (bench.support.throwaway_database names them loyalty_bench_<pid>).
_NAME = DATABASES["default"]["NAME"]
if not _NAME.startswith("loyalty_bench_"):
    raise ImproperlyConfigured(
        f"bench.settings serves only loyalty_bench_* databases, not {_NAME}."
    )

# Persistent connections: each gunicorn worker opens one connection and keeps it for the whole
# run, as production does with its CONN_MAX_AGE, whatever DB_CONN_MAX_AGE the shell has.
DATABASES["default"]["CONN_MAX_AGE"] = None

# The throttle keeps its counters in the cache; keyed by database name, a run cannot share them
# with a test suite or an earlier run whose partner had the same primary key.
CACHES["default"]["KEY_PREFIX"] = _NAME
