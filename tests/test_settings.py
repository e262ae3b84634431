"""Settings per environment (SPEC §6): production passes Django's deployment checks; the
embedded default runs on SQLite in WAL mode, a filesystem broker and e-mails as files.

Each environment is loaded in a subprocess so the test settings stay untouched.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

BASE_DIR = Path(__file__).resolve().parent.parent

# Variables that would make the subprocess read something other than the defaults.
OVERRIDES = (
    "DJANGO_SETTINGS_MODULE",
    "DATABASE_URL",
    "CACHE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "EMAIL_BACKEND",
    "EMAIL_FILE_PATH",
    "DJANGO_DEBUG",
    "DJANGO_SECRET_KEY",
    "DJANGO_ALLOWED_HOSTS",
    "ALLAUTH_TRUSTED_PROXY_COUNT",
    "ALLAUTH_TRUSTED_CLIENT_IP_HEADER",
    "MAX_REQUEST_BODY_BYTES",
)

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "portal.settings.production",
    "DATABASE_URL": "postgres://u:p@localhost:5432/entitle",
    "REDIS_URL": "redis://localhost:6379/0",
    "DJANGO_ALLOWED_HOSTS": "entitle.example",
}


def _run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    clean = {key: value for key, value in os.environ.items() if key not in OVERRIDES}
    return subprocess.run(
        [sys.executable, *args],
        cwd=BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


# --- production ------------------------------------------------------------------------------


def test_production_settings_pass_the_deployment_checks():
    """SPEC §6: `manage.py check --deploy` finds no warning with production settings and
    real-looking secrets (HTTPS, HSTS, secure cookies, a long secret key, DEBUG off)."""
    result = _run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        **PRODUCTION_ENV,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_refuse_to_start_without_a_secret_key():
    """SPEC §6: production has no default secret key to fall back on."""
    result = _run(["manage.py", "check"], **PRODUCTION_ENV)

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


SETTINGS_PROBE = """
import json, django
django.setup()
from django.conf import settings
print(json.dumps({name: getattr(settings, name, None) for name in %r}))
"""


def _settings(names: tuple[str, ...], **env: str) -> dict:
    result = _run(["-c", SETTINGS_PROBE % (names,)], **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


PROXY_SETTINGS = ("ALLAUTH_TRUSTED_PROXY_COUNT", "ALLAUTH_TRUSTED_CLIENT_IP_HEADER")


def test_production_reads_the_trusted_proxy_count_and_client_ip_header_from_the_environment():
    """Issue #7 item 6 (A6): behind a reverse proxy the rate limits count the client's address,
    which only the operator can say how to find."""
    found = _settings(
        PROXY_SETTINGS,
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        ALLAUTH_TRUSTED_PROXY_COUNT="1",
        ALLAUTH_TRUSTED_CLIENT_IP_HEADER="X-Real-IP",
        **PRODUCTION_ENV,
    )

    assert found == {
        "ALLAUTH_TRUSTED_PROXY_COUNT": 1,
        "ALLAUTH_TRUSTED_CLIENT_IP_HEADER": "X-Real-IP",
    }


def test_without_a_configured_proxy_no_forwarded_header_is_trusted():
    found = _settings(PROXY_SETTINGS, DJANGO_SECRET_KEY="x" * 60, **PRODUCTION_ENV)

    assert found == {"ALLAUTH_TRUSTED_PROXY_COUNT": 0, "ALLAUTH_TRUSTED_CLIENT_IP_HEADER": None}


def test_the_request_body_cap_is_read_from_the_environment():
    """Issue #7 item 4: an operator may lower or raise the cap."""
    found = _settings(
        ("MAX_REQUEST_BODY_BYTES",),
        DJANGO_SECRET_KEY="x" * 60,
        MAX_REQUEST_BODY_BYTES="1048576",
        **PRODUCTION_ENV,
    )

    assert found == {"MAX_REQUEST_BODY_BYTES": 1048576}


def test_demo_data_refuses_to_run_under_production_settings():
    """Issue #7 item 8: the demo superuser's password and TOTP secret are in the README."""
    result = _run(
        ["manage.py", "demo_data"], DJANGO_SECRET_KEY=secrets.token_urlsafe(50), **PRODUCTION_ENV
    )

    assert result.returncode != 0
    assert "demo_data is refused under these settings" in result.stderr


# --- the embedded default (local) ------------------------------------------------------------

LOCAL_PROBE = """
import json, sys, django
django.setup()
from django.conf import settings
from django.db import connection

database = settings.DATABASES["default"]
report = {
    "engine": database["ENGINE"],
    "name": str(database["NAME"]),
    "init_command": database.get("OPTIONS", {}).get("init_command", ""),
    "broker": settings.CELERY_BROKER_URL,
    "email_backend": settings.EMAIL_BACKEND,
    "email_file_path": settings.EMAIL_FILE_PATH,
    "debug": settings.DEBUG,
    "demo_data_allowed": settings.DEMO_DATA_ALLOWED,
}
# Open a throwaway database with the same options to see the journal mode in force.
database["NAME"] = sys.argv[1]
with connection.cursor() as cursor:
    cursor.execute("PRAGMA journal_mode")
    report["journal_mode"] = cursor.fetchone()[0]
print(json.dumps(report))
"""


@pytest.fixture(scope="module")
def local_settings(tmp_path_factory) -> dict:
    probe_db = tmp_path_factory.mktemp("local") / "probe.sqlite3"
    result = _run(
        ["-c", LOCAL_PROBE, str(probe_db)], DJANGO_SETTINGS_MODULE="portal.settings.local"
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_local_settings_use_sqlite_under_var(local_settings):
    """SPEC §6: the embedded default database is SQLite under var/."""
    assert local_settings["engine"] == "django.db.backends.sqlite3"
    assert local_settings["name"] == str(BASE_DIR / "var" / "db.sqlite3")


def test_local_settings_put_sqlite_in_wal_mode(local_settings):
    """SPEC §6: WAL lets the Celery worker and beat write while runserver reads."""
    assert "journal_mode=WAL" in local_settings["init_command"]
    assert local_settings["journal_mode"] == "wal"


def test_local_settings_use_the_filesystem_celery_broker(local_settings):
    """SPEC §6: a broker that needs no server."""
    assert local_settings["broker"] == "filesystem://"


def test_local_settings_write_emails_to_files(local_settings):
    """SPEC §6: e-mails written to files under var/mail."""
    assert local_settings["email_backend"] == "django.core.mail.backends.filebased.EmailBackend"
    assert local_settings["email_file_path"] == str(BASE_DIR / "var" / "mail")


def test_local_settings_run_with_debug_on(local_settings):
    """SPEC §6: the embedded default is for development."""
    assert local_settings["debug"] is True


def test_local_settings_allow_demo_data(local_settings):
    """Issue #7 item 8: `make demo` works on the embedded default."""
    assert local_settings["demo_data_allowed"] is True


def test_demo_data_refuses_where_the_settings_do_not_allow_it(settings):
    """Issue #7 item 8: refused with the reason, before anything is written."""
    settings.DEMO_DATA_ALLOWED = False

    with pytest.raises(CommandError, match="password and TOTP secret"):
        call_command("demo_data")
