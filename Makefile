# Loyalty back office. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

UV := $(shell command -v uv 2>/dev/null)
ifeq ($(UV),)
UV := python3 -m uv
endif

# Defaults for `make test` and `make bench`: PostgreSQL and Redis on loopback.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/loyalty
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15

.PHONY: help install run serve worker test lint fmt bench

help: ## List the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

install: ## Install uv if missing, then the locked dependencies into .venv
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 \
		|| python3 -m pip install --quiet uv
	$(UV) sync --frozen --compile-bytecode

# `make run` is the development server: DEBUG on, the development keys allowed. run_dev is the
# parent of the web server and the worker: one Ctrl-C or SIGTERM stops them all.
PORT ?= 8000
run: export DEBUG ?= true
run: install ## Migrate, seed demo data, serve admin + API on :$(PORT) with the Celery worker and scheduler
	$(UV) run python manage.py migrate --noinput
	$(UV) run python manage.py seed_demo
	@exec $(UV) run python manage.py run_dev --port $(PORT)

serve: install ## Production: migrate, collect static files, serve with gunicorn (see README)
	$(UV) run python manage.py migrate --noinput
	$(UV) run python manage.py collectstatic --noinput --verbosity 0
	$(UV) run gunicorn -c python:loyalty.gunicorn loyalty.wsgi

test: install ## Whole suite on PostgreSQL and Redis (plus the embedded SQLite smoke test)
	DEBUG=true DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
	TEST_DATABASE_NAME=test_loyalty_$$(date +%s)_$$$$ CACHE_KEY_PREFIX=test_$$$$ \
	$(UV) run pytest $(PYTEST_ARGS)

lint: install ## ruff check and ruff format --check
	$(UV) run ruff check .
	$(UV) run ruff format --check .

fmt: install ## Fix what ruff can and format the code
	$(UV) run ruff check --fix .
	$(UV) run ruff format .

bench: install ## Ledger benchmarks on PostgreSQL, each beside a baseline from the same run
	DEBUG=true DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
	$(UV) run python -m bench
