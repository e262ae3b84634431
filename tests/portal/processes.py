"""Real processes for the stack tests: manage.py commands and a Celery worker, each on the
embedded settings with a SQLite file of the test's own (Redis: tests/infra.py)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from filelock import FileLock

ROOT = Path(__file__).resolve().parents[2]
CELERY = Path(sys.executable).parent / "celery"


# The stack tests run the embedded default (their own SQLite file) whatever the suite's
# database, so the PostgreSQL pass of .ci/run would only repeat them.
embedded_only = pytest.mark.skipif(
    "sqlite" not in settings.DATABASES["default"]["ENGINE"],
    reason="runs the embedded SQLite stack; covered by the SQLite pass",
)

# Site 4000001 (Direct Dynamics) is the demo site that is not enrolled yet: enrolling it
# writes the welcome e-mail to the outbox (A5, E1).
ENROL_DEMO_SITE = (
    "from django.utils import timezone; from accounts.models import Site; "
    "from accounts.services import site_enrol; "
    "site_enrol(site=Site.objects.get(number='4000001'), actor=None, now=timezone.now())"
)


def stack_env(var_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of `make run` (portal.settings.local), pointed at `var_dir`."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL", "CELERY_", "EMAIL_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings.local",
        ENTITLE_VAR_DIR=str(var_dir),
        SITE_URL="http://127.0.0.1:8000",
        **extra,
    )
    return env


def manage(env: dict[str, str], *args: str, timeout: float = 120) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def shell(env: dict[str, str], code: str) -> str:
    """Run Python in the project (`manage.py shell -c`); returns its last printed line."""
    lines = manage(env, "shell", "-c", code).strip().splitlines()
    return lines[-1] if lines else ""


def wait_for(predicate, *, timeout: float, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = predicate()
        if found:
            return found
        time.sleep(interval)
    return None


@contextlib.contextmanager
def celery_worker(env: dict[str, str], log: Path) -> Iterator[subprocess.Popen]:
    """One solo worker (a single process, so SIGKILL stops the hand-off where it is)."""
    with log.open("ab") as output:
        worker = subprocess.Popen(
            [
                str(CELERY),
                "-A",
                "portal",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        yield worker
    finally:
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait(timeout=10)


# --- one demo database for every stack test of the session -----------------------------------

FORGET_DEMO_EMAILS = (
    "from portal.core.models import OutgoingEmail; OutgoingEmail.objects.all().delete()"
)
DATABASE_FILES = ("db.sqlite3", "db.sqlite3-wal", "db.sqlite3-shm")  # WAL mode: all three


@dataclass(frozen=True)
class DemoTemplate:
    """The embedded database after `migrate` and `demo_data` (what `make run` loads), its
    outbox emptied: the demo issues the renewal notices due today (renewals.demo), and the
    stack tests count the messages of what they do themselves."""

    var: Path
    printed: str  # what demo_data printed (the demo users and their passwords)

    def copy_to(self, var: Path) -> Path:
        """A var folder of the caller's own holding a copy of the database."""
        (var / "mail").mkdir(parents=True, exist_ok=True)
        for name in DATABASE_FILES:
            if (self.var / name).exists():
                shutil.copyfile(self.var / name, var / name)
        return var


def demo_template(tmp_path_factory: pytest.TempPathFactory) -> DemoTemplate:
    """Built once per run and shared by the xdist workers (each used to migrate and load the
    demo on its own, about 45 s a time): the first worker to ask builds it under a file lock
    in the run's common temporary folder; the others wait for it and read it."""
    base = tmp_path_factory.getbasetemp()
    # Under xdist each worker's folder (popen-gwN) sits in the run's own; without xdist the
    # parent would be shared with earlier runs, so the run's folder itself is used.
    root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    var = root / "embedded-demo" / "var"
    done = var / "printed.txt"
    with FileLock(str(root / "embedded-demo.lock")):
        if not done.exists():
            env = stack_env(var)
            manage(env, "migrate", "--noinput", timeout=600)
            printed = manage(env, "demo_data", timeout=600)
            shell(env, FORGET_DEMO_EMAILS)
            done.write_text(printed)
    return DemoTemplate(var=var, printed=done.read_text())
