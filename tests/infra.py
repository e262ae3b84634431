"""Real components for the tests (STYLE: real Redis and PostgreSQL where they run here).

`.ci/run` starts one redis-server for the whole run and exports its URL as
ENTITLE_TEST_REDIS_URL; without it (`make test` alone, one test file) the tests start their
own throw-away redis-server, once per session.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import redis

REDIS_URL_VARIABLE = "ENTITLE_TEST_REDIS_URL"
STARTUP_SECONDS = 10


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
        pytest.fail(
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
                pytest.fail(f"redis-server exited with status {server.returncode} at start-up")
            try:
                probe.ping()
            except redis.ConnectionError:
                time.sleep(0.05)
            else:
                return
        pytest.fail(f"redis-server did not answer on port {port} within {STARTUP_SECONDS} s")
    finally:
        probe.close()
