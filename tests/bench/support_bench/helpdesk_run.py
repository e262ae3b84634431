"""django-helpdesk 2.6.1 for the ticket-list comparison (issue #9): its own virtualenv under
var/bench/helpdesk-venv (python3.11 -m venv, then pip install -r tests/bench/helpdesk/
requirements.txt), created once and kept while the requirements file is unchanged; then
tests/bench/helpdesk/measure.py run with it, in a subprocess, on SQLite (a file under
var/bench/) or, when DATABASE_URL is PostgreSQL, on a database of its own beside ours."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
PROJECT = ROOT / "tests" / "bench" / "helpdesk"
REQUIREMENTS = PROJECT / "requirements.txt"
VENV = ROOT / "var" / "bench" / "helpdesk-venv"
# Change it whenever measure.py's data changes: its cached database is then rebuilt.
HELPDESK_DATA_VERSION = "helpdesk-v1"
TICKETS, FOLLOWUPS = 100_000, 200_000


class HelpdeskUnavailableError(RuntimeError):
    """The virtualenv could not be made or django-helpdesk not installed (the text says why)."""


def _run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, check=False, **kwargs)


def _python() -> str:
    found = shutil.which("python3.11")
    if found is None:
        raise HelpdeskUnavailableError("python3.11 is not on PATH")
    return found


def _pip_install(python: Path, *packages: str) -> None:
    installed = _run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *packages]
    )
    if installed.returncode:
        raise HelpdeskUnavailableError(
            f"pip install {' '.join(packages)} failed: {installed.stderr[-2000:]}"
        )


def ensure_venv(*, postgres: bool) -> Path:
    """The venv's python, installing first when the venv is missing or its pins changed (and
    psycopg when the run is on PostgreSQL)."""
    stamp = VENV / "bench-requirements.sha256"
    digest = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()
    python = VENV / "bin" / "python"
    if not (python.exists() and stamp.exists() and stamp.read_text() == digest):
        shutil.rmtree(VENV, ignore_errors=True)
        made = _run([_python(), "-m", "venv", str(VENV)])
        if made.returncode:
            raise HelpdeskUnavailableError(f"python3.11 -m venv failed: {made.stderr[-2000:]}")
        _pip_install(python, "-r", str(REQUIREMENTS))
        stamp.write_text(digest)
    if postgres and _run([str(python), "-c", "import psycopg"]).returncode:
        _pip_install(python, "psycopg[binary]>=3.2")
    return python


def _postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return None
    parts = urlsplit(url)
    name = parts.path.lstrip("/") or "postgres"
    return urlunsplit(parts._replace(path=f"/{name}_helpdesk_bench"))


def _create_postgres_database(url: str) -> None:
    """The helpdesk project's own database on the same server (created once, kept)."""
    import psycopg  # noqa: PLC0415 (only on the PostgreSQL pass)
    from psycopg import sql  # noqa: PLC0415

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def measure(*, runs: int) -> dict:
    """measure.py's figures: {"page_1": {"seconds", "queries", "rows"}, "deep_page": …}."""
    postgres_url = _postgres_url()
    python = ensure_venv(postgres=postgres_url is not None)
    environment = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    environment.pop("PYTHONPATH", None)
    if postgres_url:
        _create_postgres_database(postgres_url)
        environment["HD_DATABASE_URL"] = postgres_url
    else:
        environment["HD_SQLITE_PATH"] = str(
            ROOT / "var" / "bench" / f"{HELPDESK_DATA_VERSION}.sqlite3"
        )
    result = _run(
        [
            str(python),
            str(PROJECT / "measure.py"),
            f"--data-version={HELPDESK_DATA_VERSION}-{TICKETS}-{FOLLOWUPS}",
            f"--tickets={TICKETS}",
            f"--followups={FOLLOWUPS}",
            f"--runs={runs}",
        ],
        env=environment,
        cwd=PROJECT,
    )
    if result.returncode:
        sys.stderr.write(result.stderr)
        raise RuntimeError(f"measure.py failed ({result.returncode}): {result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])
