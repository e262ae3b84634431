"""Issue #10 item 4: PostgreSQL stopped for 10 s while gunicorn serves pages to a signed-in
user (production settings: CONN_MAX_AGE, CONN_HEALTH_CHECKS, sessions in Redis).

During the outage every page answers 503 with the portal's plain page and a sentence
(templates/503.html: portal.middleware.DatabaseUnavailableMiddleware, portal.errors), never
a traceback or Django's debug page; once the database is back, every request succeeds: the
workers' broken persistent connections are found by the health check and opened again."""

from __future__ import annotations

import http.client
import time

import pytest

from tests.faults.stack import Gunicorn, database_copy, elapsed, production_env, report, shell
from tests.faults.world import PAGE_USER, POE_SITE
from tests.infra import redis_process
from tests.portal.processes import wait_for

pytestmark = pytest.mark.fault

OUTAGE_SECONDS = 10
PAGES = ("/", "/inventory/", f"/sites/{POE_SITE}/")
SENTENCE = "The portal cannot reach its database just now; try again in a minute."
SIGN_IN = (
    "from django.test import Client; from accounts.models import User; "
    f"client = Client(); client.force_login(User.objects.get(email='{PAGE_USER}')); "
    "print(client.cookies['sessionid'].value)"
)


def get(port: int, path: str, session: str | None = None) -> tuple[int, str, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        headers = {"Cookie": f"sessionid={session}"} if session else {}
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, response.read().decode(), dict(response.getheaders())
    finally:
        connection.close()


def _serving(port: int, seen: list) -> bool:
    try:
        status, body, _headers = get(port, "/accounts/login/")
    except OSError as error:
        seen.append(repr(error))
        return False
    seen.append((status, body[:300]))
    return status == 200


def _round(port: int, session: str) -> list[tuple[str, int, str, dict]]:
    return [(path, *get(port, path, session)) for path in PAGES]


def test_pages_during_a_database_outage_answer_503_and_every_request_after_it_succeeds(
    cluster, tmp_path, repetition
):
    started = time.monotonic()
    database = database_copy(cluster, f"outage_{repetition}")
    with redis_process() as redis_url:
        env = production_env(tmp_path / "var", database_url=database, redis_url=redis_url)
        session = shell(env, SIGN_IN)
        with Gunicorn(env, tmp_path / "gunicorn.log") as server:
            seen: list = []
            serving = wait_for(lambda: _serving(server.port, seen), timeout=120, interval=0.5)
            assert serving, (seen[-3:], server.log.read_text()[-3000:])
            for _ in range(3):  # every worker holds a persistent connection (CONN_MAX_AGE)
                before = _round(server.port, session)
                assert [status for _path, status, _body, _headers in before] == [200] * 3

            cluster.stop()
            outage_started = time.monotonic()
            during = []
            try:
                while time.monotonic() - outage_started < OUTAGE_SECONDS:
                    during += _round(server.port, session)
            finally:
                cluster.start()
            after = []
            after_started = time.monotonic()
            while time.monotonic() - after_started < 5:
                after += _round(server.port, session)

    assert during
    for path, status, body, headers in during:
        assert status == 503, (path, status, body[:500])
        assert SENTENCE in body, body[:2000]
        assert "Traceback" not in body
        assert "OperationalError" not in body
        assert headers.get("Retry-After") == "60"
    failed = [(path, status, body[:300]) for path, status, body, _headers in after if status != 200]
    assert not failed, failed
    assert all("Traceback" not in body for _path, _status, body, _headers in after)
    report(
        f"database down {OUTAGE_SECONDS} s: {len(during)} requests, all 503 with the plain page; "
        f"after the restart {len(after)} requests, all 200; {elapsed(started)} s"
    )
