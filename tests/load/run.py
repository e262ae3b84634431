"""`make load`: the load test of issue #10 item 3 on a production-like stack of its own.

It starts, in one temporary folder, a throw-away PostgreSQL cluster (initdb/pg_ctl, as an
unprivileged user when run as root), a redis-server, gunicorn on `portal.settings.production`
(configured from environment variables, as in production) and a Celery worker; loads the data
(`demo_data`, `--scale` when the command has it, under the local settings on the same
database: demo_data refuses production settings), adds the load-test users
(tests/load/users.py), then drives locust (tests/load/drive.py, in a process of its own:
locust monkey-patches with gevent): the steady phase (LOAD_USERS users for LOAD_SECONDS),
then the saturation steps. Everything binds to 127.0.0.1 and is stopped and removed on exit,
whatever happens (Ctrl-C and SIGTERM included).

Exit status 0 when the steady phase meets its thresholds (p95 of the pages under
LOAD_P95_MS, 0 errors), 1 with the reason otherwise, 2 when the stack does not start.

Settings (environment variables, all optional):
  LOAD_SCALE=demo|small|large   the data (demo: the plain demo_data)           [small]
  LOAD_SECONDS=300              the steady phase, after every user signed in   [300]
  LOAD_USERS=50                 concurrent users of the steady phase           [50]
  LOAD_P95_MS=300               the steady phase's p95 limit for the pages     [300]
  LOAD_STEP_USERS=50            users added at each saturation step            [50]
  LOAD_STEP_SECONDS=30          the measured length of a step (0: no steps)    [30]
  LOAD_MAX_USERS=400            the last step at most                          [400]
  LOAD_CEILING_MS=1000          a step whose p95 exceeds this saturates        [1000]
  LOAD_WORKERS=4                gunicorn worker processes                      [4]
  LOAD_OUT=var/load             the report folder                              [var/load]

`tests/load/run.py --serve` starts the stack and keeps it up (for a locust UI of one's own).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
# A plain script (`python tests/load/run.py`): the project's root is not on the path by itself.
sys.path.insert(0, str(ROOT))
from tests.infra import ComponentError, free_port, postgres_process, redis_process  # noqa: E402

STARTUP_SECONDS = 60


def log(message: str) -> None:
    print(f"[load {time.strftime('%H:%M:%S')}] {message}", flush=True)  # noqa: T201


def wait_until(check, *, seconds: float, what: str, process: subprocess.Popen | None = None):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise StackError(f"{what} exited with status {process.returncode} at start-up")
        with contextlib.suppress(Exception):
            if check():
                return
        time.sleep(0.2)
    raise StackError(f"{what} did not start within {seconds:.0f} s")


def port_open(port: int) -> bool:
    with socket.create_connection(("127.0.0.1", port), timeout=1):
        return True


class StackError(RuntimeError):
    pass


def _terminated(signum, _frame):
    # SIGTERM (and a second Ctrl-C) unwind the stack like an exception: every `finally` runs.
    raise SystemExit(128 + signum)


class Stack:
    """The processes of one run; `close()` stops them all, in reverse order."""

    def __init__(self, work: Path):
        self.work = work
        self.processes: list[tuple[str, subprocess.Popen]] = []
        # PostgreSQL and redis-server (tests/infra.py), stopped after the processes above.
        self.services = contextlib.ExitStack()

    def spawn(self, name: str, args: list[str], env: dict[str, str]) -> subprocess.Popen:
        output = (self.work / f"{name}.log").open("ab")
        process = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        output.close()
        self.processes.append((name, process))
        return process

    def close(self) -> None:
        for name, process in reversed(self.processes):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    log(f"{name} ignored SIGTERM: killing it")
                    process.kill()
                    process.wait(timeout=10)
        self.services.close()

    # --- the services ---------------------------------------------------------------------

    def postgres(self) -> str:
        """tests/infra.py's throw-away cluster (as the fault tests'), with more shared memory
        for the large data; its database `entitle`."""
        try:
            cluster = self.services.enter_context(
                postgres_process(extra_conf="shared_buffers = 256MB\n")
            )
            cluster.sql("CREATE DATABASE entitle")
        except ComponentError as error:
            raise StackError(str(error)) from error
        log(f"PostgreSQL on 127.0.0.1:{cluster.port} (cluster in {cluster.data})")
        return cluster.url("entitle")

    def redis(self) -> str:
        try:
            url = self.services.enter_context(redis_process())
        except ComponentError as error:
            raise StackError(str(error)) from error
        log(f"redis-server on {url.rsplit('/', 1)[0]}")
        return url

    def gunicorn(self, env: dict[str, str], workers: int) -> int:
        port = free_port()
        process = self.spawn(
            "gunicorn",
            [str(BIN / "gunicorn"), "portal.wsgi:application", "--bind", f"127.0.0.1:{port}",
             "--workers", str(workers), "--timeout", "60", "--graceful-timeout", "10",
             "--error-logfile", "-"],
            env,
        )  # fmt: skip
        wait_until(
            lambda: port_open(port), seconds=STARTUP_SECONDS, what="gunicorn", process=process
        )
        warm_up(port, workers)
        log(f"gunicorn ({workers} workers, portal.settings.production) on 127.0.0.1:{port}")
        return port

    def celery_worker(self, env: dict[str, str]) -> None:
        self.spawn(
            "celery",
            [str(BIN / "celery"), "-A", "portal", "worker", "--concurrency=1",
             "--loglevel=INFO", "--without-gossip", "--without-mingle"],
            env,
        )  # fmt: skip
        log("Celery worker started")


def warm_up(port: int, workers: int) -> None:
    """Each gunicorn worker imports the URLconf and the views on its first request (seconds on
    a busy machine): a few parallel requests first, so no simulated user waits for that."""

    def fetch(_index: int) -> int:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/accounts/login/", headers={"X-Forwarded-Proto": "https"}
        )
        with urllib.request.urlopen(request, timeout=STARTUP_SECONDS * 3) as response:  # noqa: S310 (our loopback)
            return response.status

    with ThreadPoolExecutor(max_workers=workers * 2) as pool:
        statuses = list(pool.map(fetch, range(workers * 4)))
    if set(statuses) != {200}:
        raise StackError(f"the sign-in page answered {statuses} at warm-up")


def manage(env: dict[str, str], *args: str, work: Path, timeout: float = 3600) -> str:
    name = args[0]
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False,
    )  # fmt: skip
    with (work / f"manage-{name}.log").open("a") as output:
        output.write(result.stdout + result.stderr)
    if result.returncode:
        raise StackError(f"manage.py {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def production_env(work: Path, database_url: str, redis_url: str) -> dict[str, str]:
    """portal.settings.production, configured from environment variables as in production;
    gunicorn stands behind a TLS-terminating proxy on the loopback (locust sends the
    proxy's X-Forwarded-Proto and X-Forwarded-For)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL", "CELERY_", "EMAIL_", "REDIS_URL"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings.production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        ENTITLE_VAR_DIR=str(work / "var"),
        SITE_URL="https://127.0.0.1",
        # The proxy adds the client's address: the per-address sign-in rate limit (A6)
        # counts each simulated user apart, as it would count real users' addresses.
        ALLAUTH_TRUSTED_PROXY_COUNT="1",
        # E-mails the pages cause are written to files, not sent.
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(work / "var" / "mail"),
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    return env


def data_load(env: dict[str, str], scale: str, work: Path) -> str:
    """demo_data under the local settings on the same database (it refuses production's),
    with --scale when the command has it; returns its output (the demo users)."""
    local = {**env, "DJANGO_SETTINGS_MODULE": "portal.settings.local", "DJANGO_DEBUG": "False"}
    args = ["demo_data"]
    if scale != "demo":
        if "--scale" in manage(local, "demo_data", "--help", work=work):
            args += ["--scale", scale]
        else:
            log(f"demo_data has no --scale yet: loading the plain demo data, not {scale!r}")
            scale = "demo"
    started = time.monotonic()
    manage(local, *args, work=work)
    log(f"data loaded ({' '.join(args)}) in {time.monotonic() - started:.0f} s")
    return scale


def int_env(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


def main() -> int:
    signal.signal(signal.SIGTERM, _terminated)
    settings = {
        "scale": os.environ.get("LOAD_SCALE") or "small",
        "seconds": int_env("LOAD_SECONDS", 300),
        "users": int_env("LOAD_USERS", 50),
        "p95_ms": int_env("LOAD_P95_MS", 300),
        "step_users": int_env("LOAD_STEP_USERS", 50),
        "step_seconds": int_env("LOAD_STEP_SECONDS", 30),
        "max_users": int_env("LOAD_MAX_USERS", 400),
        "ceiling_ms": int_env("LOAD_CEILING_MS", 1000),
        "workers": int_env("LOAD_WORKERS", 4),
    }
    out = (ROOT / (os.environ.get("LOAD_OUT") or "var/load")).resolve()
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*"):
        if old.is_file():
            old.unlink()
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="entitle-load-"))
    work.chmod(0o755)
    stack = Stack(work)
    try:
        try:
            database_url = stack.postgres()
            redis_url = stack.redis()
            env = production_env(work, database_url, redis_url)
            (work / "var").mkdir()
            manage(env, "migrate", "--noinput", work=work)
            manage(env, "collectstatic", "--noinput", work=work)
            settings["scale"] = data_load(env, settings["scale"], work)
            identities = work / "identities.json"
            manage(
                env, "shell", "-c",
                f"from tests.load.users import load_users_create; "
                f"load_users_create(path={str(identities)!r}, "
                f"count={max(settings['max_users'], settings['users'])})",
                work=work,
            )  # fmt: skip
            stack.celery_worker(env)
            port = stack.gunicorn(env, settings["workers"])
        except StackError as error:
            log(f"the stack did not start: {error}")
            return 2
        settings["setup_seconds"] = round(time.monotonic() - started)
        if "--serve" in sys.argv:
            # A developer's mode: the stack stays up for a locust of one's own (Ctrl-C ends).
            log(f"serving http://127.0.0.1:{port} (identities: {identities}); Ctrl-C stops")
            while True:
                time.sleep(3600)
        log(f"stack ready in {settings['setup_seconds']} s; driving locust")
        (out / "settings.json").write_text(json.dumps(settings, indent=2))
        driver = subprocess.run(
            [sys.executable, str(ROOT / "tests/load/drive.py"),
             "--host", f"http://127.0.0.1:{port}", "--identities", str(identities),
             "--out", str(out), "--settings", str(out / "settings.json")],
            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, check=False,
        )  # fmt: skip
        errors = gunicorn_errors(work / "gunicorn.log")
        if errors:
            (out / "server-errors.log").write_text(errors)
            log(f"gunicorn logged errors: see {out / 'server-errors.log'}")
    except KeyboardInterrupt:
        log("interrupted")
        return 130
    else:
        log(f"finished in {time.monotonic() - started:.0f} s; report: {out / 'report.md'}")
        return driver.returncode
    finally:
        stack.close()
        for name in ("gunicorn", "celery"):
            source = work / f"{name}.log"
            if source.exists():
                shutil.copyfile(source, out / f"{name}.log")
        shutil.rmtree(work, ignore_errors=True)
        log("the stack is stopped and removed")


def gunicorn_errors(path: Path) -> str:
    """Tracebacks and error lines of the server's log (the access log lines are left out)."""
    if not path.exists():
        return ""
    lines = path.read_text(errors="replace").splitlines()
    found = [line for line in lines if "Traceback" in line or "ERROR" in line]
    return "\n".join(found)


if __name__ == "__main__":
    sys.exit(main())
