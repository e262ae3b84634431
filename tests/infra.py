"""Real components for the tests (STYLE: real Redis and PostgreSQL where they run here).

`.ci/run` starts one redis-server for the whole run and exports its URL as
ENTITLE_TEST_REDIS_URL; without it (`make test` alone, one test file) the tests start their
own throw-away redis-server, once per session.

Nothing here depends on pytest: the load runner (tests/load/run.py, a plain script) starts its
PostgreSQL and Redis with the same code. A component that cannot start raises
`ComponentError`, which a test reports as its error.
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import redis

REDIS_URL_VARIABLE = "ENTITLE_TEST_REDIS_URL"
STARTUP_SECONDS = 10


class ComponentError(RuntimeError):
    """A real component (redis-server, PostgreSQL) is missing or did not start."""


def free_port() -> int:
    """A loopback TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def redis_server() -> Iterator[str]:
    """The URL of a Redis database the tests may empty at will: ENTITLE_TEST_REDIS_URL when
    set, else a redis-server started here on a free loopback port, with no persistence, and
    stopped at the end."""
    given = os.environ.get(REDIS_URL_VARIABLE)
    if given:
        yield given
        return
    with redis_process() as url:
        yield url


@contextmanager
def redis_process(port: int | None = None) -> Iterator[str]:
    """A redis-server of the caller's own on `port` (default: a free one), no persistence;
    for tests that stop and start the broker (E1: a broker outage)."""
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not os.access(binary, os.X_OK):
        raise ComponentError(
            f"These tests need Redis: install redis-server or set {REDIS_URL_VARIABLE}=redis://…"
        )
    port = port or free_port()
    with tempfile.TemporaryDirectory(prefix="entitle-redis-") as folder:
        server = subprocess.Popen(
            [
                binary,
                *("--bind", "127.0.0.1", "--port", str(port), "--dir", folder),
                *("--save", "", "--appendonly", "no"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait_for_redis(port, server)
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            server.terminate()
            server.wait(timeout=10)


def _wait_for_redis(port: int, server: subprocess.Popen) -> None:
    probe = redis.Redis(host="127.0.0.1", port=port)
    deadline = time.monotonic() + STARTUP_SECONDS
    try:
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise ComponentError(
                    f"redis-server exited with status {server.returncode} at start-up"
                )
            try:
                probe.ping()
            except redis.ConnectionError:
                time.sleep(0.05)
            else:
                return
        raise ComponentError(
            f"redis-server did not answer on port {port} within {STARTUP_SECONDS} s"
        )
    finally:
        probe.close()


# --- PostgreSQL: a throw-away cluster of the caller's own (the fault tests stop it) ---------

POSTGRES_STARTUP_SECONDS = 60
POSTGRES_CONF = """
listen_addresses = '127.0.0.1'
port = {port}
unix_socket_directories = '{folder}'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 100
"""


def postgres_bindir() -> Path | None:
    """The folder of initdb, pg_ctl and postgres of one version (Debian keeps them out of
    PATH, under /usr/lib/postgresql/<major>/bin; /usr/local/bin may hold symlinks to them)."""
    which = shutil.which("pg_ctl")
    candidates = [Path(which).resolve().parent] if which else []
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"))
    for folder in candidates:
        if all(os.access(folder / name, os.X_OK) for name in ("initdb", "pg_ctl", "postgres")):
            return folder
    return None


@dataclass
class PostgresCluster:
    """A running throw-away cluster: `url(name)` for Django's DATABASE_URL; `stop`, `start`
    and `restart` for the fault tests (the data stays, the connections do not)."""

    bindir: Path
    folder: Path
    port: int
    password: str
    as_owner: list[str]

    @property
    def data(self) -> Path:
        return self.folder / "data"

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres:{self.password}@127.0.0.1:{self.port}/{database}"

    def _pg_ctl(self, *args: str) -> None:
        subprocess.run(
            [*self.as_owner, str(self.bindir / "pg_ctl"), "-D", str(self.data), *args],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=POSTGRES_STARTUP_SECONDS + 10,
        )

    def start(self) -> None:
        log = self.folder / "postgres.log"
        try:
            self._pg_ctl("-l", str(log), "-w", "-t", str(POSTGRES_STARTUP_SECONDS), "start")
        except subprocess.CalledProcessError as error:
            text = log.read_text(errors="replace") if log.exists() else ""
            raise ComponentError(f"PostgreSQL did not start:\n{text}") from error

    def stop(self, mode: str = "fast") -> None:
        """`fast` ends the sessions at once (what an outage looks like to the clients)."""
        self._pg_ctl("-m", mode, "-w", "stop")

    def restart(self) -> None:
        self.stop()
        self.start()

    def is_running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def sql(self, statement: str, database: str = "postgres") -> str:
        """Run one statement as the superuser over the cluster's socket; returns psql's output."""
        psql = self.bindir / "psql"
        if not psql.exists():
            psql = Path(shutil.which("psql") or "psql")
        result = subprocess.run(
            [
                *self.as_owner,
                str(psql),
                *("-h", str(self.folder), "-p", str(self.port), "-U", "postgres"),
                *("-d", database, "-v", "ON_ERROR_STOP=1", "-At", "-c", statement),
            ],
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()


def _cluster_owner() -> tuple[str | None, list[str]]:
    """initdb and postgres refuse to run as root: then the cluster belongs to an unprivileged
    system user (Debian's `postgres`, else one created here), as in .ci/run's start_postgres.
    Returns the user's name (None: ourselves) and the command prefix that runs as it."""
    if os.geteuid() != 0:
        return None, []
    for user in ("postgres", "entitle-ci"):
        try:
            pwd.getpwnam(user)
        except KeyError:
            continue
        return user, ["runuser", "-u", user, "--"]
    subprocess.run(
        [
            *("useradd", "--system", "--no-create-home", "--home-dir", "/nonexistent"),
            *("--shell", "/usr/sbin/nologin", "entitle-ci"),
        ],
        check=True,
        timeout=60,
    )
    return "entitle-ci", ["runuser", "-u", "entitle-ci", "--"]


@contextmanager
def postgres_process(extra_conf: str = "") -> Iterator[PostgresCluster]:
    """A PostgreSQL cluster of the caller's own on a free loopback port (initdb in a
    temporary folder, no durability: fsync off), stopped and removed at the end; the
    superuser `postgres` signs in over TCP with a random password. `extra_conf` adds lines
    to postgresql.conf (the load test's shared_buffers)."""
    bindir = postgres_bindir()
    if bindir is None:
        raise ComponentError(
            "These tests need PostgreSQL's server binaries (apt-get install postgresql)"
        )
    owner, as_owner = _cluster_owner()
    folder = Path(tempfile.mkdtemp(prefix="entitle-pg-"))
    cluster = PostgresCluster(bindir, folder, free_port(), secrets.token_hex(16), as_owner)
    try:
        if owner:
            shutil.chown(folder, user=owner)
        password_file = folder / "password"
        password_file.write_text(cluster.password + "\n")
        if owner:
            shutil.chown(password_file, user=owner)
        password_file.chmod(0o600)
        initdb = subprocess.run(
            [
                *as_owner,
                str(bindir / "initdb"),
                *(f"--pgdata={cluster.data}", "--username=postgres"),
                *(f"--pwfile={password_file}", "--auth-local=trust"),
                *("--auth-host=scram-sha-256", "--encoding=UTF8", "--locale=C.UTF-8"),
            ],
            check=False,
            capture_output=True,
            text=True,
            timeout=120,
        )
        password_file.unlink()
        if initdb.returncode:
            raise ComponentError(f"initdb failed:\n{initdb.stdout}{initdb.stderr}")
        conf = POSTGRES_CONF.format(port=cluster.port, folder=folder) + extra_conf
        with (cluster.data / "postgresql.conf").open("a") as handle:
            handle.write(conf)
        cluster.start()
        yield cluster
    finally:
        if cluster.is_running():
            cluster.stop(mode="immediate")
        shutil.rmtree(folder, ignore_errors=True)
