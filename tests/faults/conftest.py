"""Fault tests (issue #10 item 4): each starts its own PostgreSQL cluster, redis-server, Celery
worker and gunicorn, whatever the suite's database; marker `fault`, run by `make faults`.
FAULT_REPEAT=N runs each fault N times (the full run by hand; CI runs each once)."""

from __future__ import annotations

import os

import pytest

from tests.faults.stack import build_template
from tests.infra import postgres_process

REPEAT = int(os.environ.get("FAULT_REPEAT", "1"))


def pytest_generate_tests(metafunc):
    if "repetition" in metafunc.fixturenames:
        metafunc.parametrize("repetition", range(REPEAT), ids=lambda n: f"run{n + 1}")


@pytest.fixture(scope="session")
def cluster(tmp_path_factory):
    """One cluster for the session, its template database built once (about 30 s)."""
    with postgres_process() as pg:
        build_template(pg, tmp_path_factory.mktemp("faults-template") / "var")
        yield pg
