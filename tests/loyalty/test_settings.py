"""Production defaults (loyalty.settings): DEBUG off unless asked for, no development secret
accepted with it off, and `check --deploy` clean with the README's production variables.

Each case starts a fresh interpreter, since the settings module reads the environment once.
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

BASE_DIR = Path(__file__).resolve().parent.parent.parent
SETUP = (
    "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'loyalty.settings'; "
    "django.setup(); from django.conf import settings; "
    "print(settings.DEBUG, settings.DATA_UPLOAD_MAX_MEMORY_SIZE)"
)
# What a development or test environment may have set, and production must not rely on.
_UNSET = (
    "DEBUG",
    "SECRET_KEY",
    "CREDENTIALS_ENCRYPTION_KEY",
    "MAX_REQUEST_BODY_BYTES",
    "SECURE_SSL",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "DJANGO_SETTINGS_MODULE",
)


@pytest.fixture
def bare_env(tmp_path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _UNSET}
    env.update(VAR_DIR=str(tmp_path), PYTHONPATH=str(BASE_DIR))
    return env


def python(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], env=env, cwd=BASE_DIR, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    "variables",
    [
        {},
        {"DEBUG": "false"},
        {"DEBUG": "false", "SECRET_KEY": "insecure-development-key-change-me"},
    ],
    ids=["nothing set", "DEBUG=false", "the development key"],
)
def test_without_debug_the_development_secret_key_is_refused(bare_env, variables):
    result = python({**bare_env, **variables}, "-c", SETUP)
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is not set" in result.stderr


def test_without_debug_a_credentials_encryption_key_is_required(bare_env):
    result = python({**bare_env, "SECRET_KEY": secrets.token_urlsafe(50)}, "-c", SETUP)
    assert result.returncode != 0
    assert "ImproperlyConfigured: CREDENTIALS_ENCRYPTION_KEY is not set" in result.stderr
    assert "SECRET_KEY is not set" not in result.stderr


def test_with_both_keys_it_starts_with_debug_off(bare_env):
    env = {
        **bare_env,
        "SECRET_KEY": secrets.token_urlsafe(50),
        "CREDENTIALS_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "MAX_REQUEST_BODY_BYTES": "2048",
    }
    result = python(env, "-c", SETUP)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "2048"]


def test_check_deploy_is_clean_with_the_readmes_production_variables(bare_env):
    env = {
        **bare_env,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "CREDENTIALS_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "ALLOWED_HOSTS": "loyalty.example.com",
        "CSRF_TRUSTED_ORIGINS": "https://loyalty.example.com",
        "SECURE_SSL": "true",
        "DATABASE_URL": "postgres://loyalty:pass@db.example.com:5432/loyalty",
        "REDIS_URL": "redis://cache.example.com:6379/0",
    }
    result = python(env, "manage.py", "check", "--deploy")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."
