"""The production stack of the fault tests, each component a real process of the test's own:
a PostgreSQL cluster (tests.infra.postgres_process), a redis-server (broker and cache), a
Celery worker and gunicorn, on the production settings (tests/faults/settings.py).

The cluster is built once per session: migrated, the demo data and tests/faults/world.py
loaded into a template database; each test works on a copy of it (CREATE DATABASE …
TEMPLATE, a second), so a test that kills a process mid-job leaves nothing to the next."""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import psycopg

from tests.infra import PostgresCluster, free_port
from tests.portal.processes import ROOT, celery_worker, wait_for

TEMPLATE_DATABASE = "entitle_template"
SECRET_KEY = secrets.token_urlsafe(50)
MAIL_SEPARATOR = "-" * 79
WORKER_STARTUP_SECONDS = 120  # a loaded CI machine: Django and Celery take a while


def production_env(var: Path, *, database_url: str, redis_url: str, **extra: str) -> dict:
    """The environment of the production processes (portal.settings.production, SPEC §6),
    pointed at this test's folder, database and redis-server; e-mails written as files."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL", "CELERY_", "EMAIL_", "REDIS_URL"))
    }
    for folder in ("mail", "media", "staticfiles"):
        (var / folder).mkdir(parents=True, exist_ok=True)
    env.update(
        DJANGO_SETTINGS_MODULE="tests.faults.settings",
        DJANGO_SECRET_KEY=SECRET_KEY,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        DJANGO_SECURE_SSL_REDIRECT="False",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        ENTITLE_VAR_DIR=str(var),
        MEDIA_ROOT=str(var / "media"),
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(var / "mail"),
        SITE_URL="http://127.0.0.1:8000",
        LOG_LEVEL="INFO",
        # A killed worker's task comes back after this (production: an hour, longer than any
        # task); the sweeper sends a row left pending at once instead of after 3 minutes.
        CELERY_VISIBILITY_TIMEOUT="3",
        EMAIL_SWEEP_GRACE_SECONDS="0",
        **extra,
    )
    return env


def run(env: dict, *args: str, timeout: float = 300) -> str:
    result = subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def sql(env: dict, statement: str, *params) -> list[tuple]:
    """One statement on the test's database, from the test process (a quick poll: no
    Django start-up)."""
    with psycopg.connect(env["DATABASE_URL"], connect_timeout=5) as connection:
        return connection.execute(statement, params).fetchall()


def shell(env: dict, code: str, timeout: float = 120) -> str:
    """Python in the project (`manage.py shell -c`); the last line it printed."""
    lines = run(env, "manage.py", "shell", "-c", code, timeout=timeout).strip().splitlines()
    return lines[-1] if lines else ""


def query(env: dict, code: str) -> dict:
    """`code` assigns `result` (JSON-able); its value."""
    return json.loads(shell(env, f"import json\n{code}\nprint(json.dumps(result))"))


def build_template(cluster: PostgresCluster, var: Path) -> None:
    """Migrate and load the fault world into the template database."""
    cluster.sql(f"CREATE DATABASE {TEMPLATE_DATABASE}")
    env = production_env(
        var, database_url=cluster.url(TEMPLATE_DATABASE), redis_url="redis://127.0.0.1:1/0"
    )
    run(env, "manage.py", "migrate", "--noinput", timeout=600)
    shell(env, "from tests.faults.world import build; build()")


def database_copy(cluster: PostgresCluster, name: str) -> str:
    cluster.sql(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE_DATABASE}")
    return cluster.url(name)


# --- what the "mail server" received -----------------------------------------------------------


def delivered_keys(env: dict) -> Counter:
    """The outbox key (X-Entitle-Key) of every message in the mail files. The file backend
    names a file by the second and the connection's id, so two messages may share a file:
    messages are counted by their separators, not by files."""
    keys: Counter = Counter()
    for path in (Path(env["EMAIL_FILE_PATH"])).glob("*.log"):
        for message in path.read_text().split(MAIL_SEPARATOR):
            found = re.search(r"^X-Entitle-Key: (.+)$", message, re.MULTILINE)
            if found:
                keys[found.group(1).strip()] += 1
    return keys


def outbox(env: dict) -> dict[str, str]:
    """key → status of every outbox row."""
    return dict(sql(env, "SELECT key, status FROM portal_outgoingemail"))


def sweep(env: dict) -> None:
    """What beat runs every minute (E1): queue the sends of the rows still pending."""
    shell(env, "from portal.core.mail import email_sweep_task; email_sweep_task()")


# --- processes -----------------------------------------------------------------------------------


def worker_ready(log: Path) -> bool:
    return log.exists() and " ready." in log.read_text()


def start_worker(env: dict, log: Path):
    """celery_worker (tests/portal/processes.py), waited for until it consumes."""
    context = celery_worker(env, log)
    worker = context.__enter__()
    if not wait_for(lambda: worker_ready(log), timeout=WORKER_STARTUP_SECONDS):
        context.__exit__(None, None, None)
        raise AssertionError(f"the worker did not start:\n{log.read_text()[-3000:]}")
    return context, worker


def kill(process: subprocess.Popen) -> None:
    """SIGKILL: no clean-up, no acknowledgement, what a crash or the OOM killer does."""
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)


class Gunicorn:
    """gunicorn serving the portal (two sync workers, as production's default), on a free
    loopback port; stopped at the end."""

    def __init__(self, env: dict, log: Path, workers: int = 2):
        self.port = free_port()
        self.log = log
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                *("--bind", f"127.0.0.1:{self.port}", "--workers", str(workers)),
                *("--timeout", "30", "--graceful-timeout", "5"),
                *("--error-logfile", str(log), "--access-logfile", str(log)),
                "--capture-output",
                "portal.wsgi:application",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def report(text: str) -> None:
    """The figures of a fault run (`make faults` runs pytest with -s)."""
    print(text, flush=True)  # noqa: T201


def elapsed(started: float) -> float:
    return round(time.monotonic() - started, 2)
