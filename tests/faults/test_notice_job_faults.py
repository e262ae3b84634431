"""Issue #10 item 4, E1: the renewal-notice job (N1, N3, N10) survives a killed worker and a
restarted broker. The job runs in a real Celery worker on the production settings (PostgreSQL,
Redis); it issues one quote and its e-mails per transaction, so a run cut off midway leaves
a prefix of the work done, and the run that follows issues the rest (the series key).

Counted against the due set (tests/faults/world.py: NOTICE_SITES monthly notices, and the
demo's own notices, which it issued when it was loaded): every quote once, every outbox row
once, every row sent, every message delivered exactly once (its X-Entitle-Key header)."""

from __future__ import annotations

import time
from collections import Counter

import pytest

from tests.faults.stack import (
    database_copy,
    delivered_keys,
    elapsed,
    kill,
    outbox,
    production_env,
    report,
    shell,
    sql,
    start_worker,
    sweep,
)
from tests.faults.world import NOTICE_SITES
from tests.infra import free_port, redis_process
from tests.portal.processes import wait_for

pytestmark = pytest.mark.fault

START_JOB = (
    "from renewals.tasks import renewal_notices_send_task; renewal_notices_send_task.delay()"
)
FAULT_QUOTES = (
    "SELECT count(*) FROM renewals_quote q JOIN accounts_site s ON s.id = q.site_id "
    "WHERE s.number LIKE '70%%' AND q.issued_on = CURRENT_DATE"
)
RUNS = "SELECT outcome FROM portal_jobrun WHERE job = 'renewal_notices_send' ORDER BY id"
NOTICES = (
    "SELECT q.number, q.series_key FROM renewals_quote q "
    "JOIN accounts_site s ON s.id = q.site_id "
    "WHERE s.number LIKE '70%%' AND q.issued_on = CURRENT_DATE"
)


def _runs(env) -> list[str]:
    return [outcome for (outcome,) in sql(env, RUNS)]


def _issued(env) -> int:
    return sql(env, FAULT_QUOTES)[0][0]


def _wait_midway(env, *, at_least: int) -> int:
    """Poll until the job has issued `at_least` of the fault world's notices."""
    found = wait_for(lambda: _issued(env) >= at_least, timeout=60, interval=0.1)
    assert found, "the job did not get going"
    issued = _issued(env)
    assert issued < NOTICE_SITES, f"the job was already done ({issued}): not midway"
    return issued


def _assert_every_notice_once(env, *, log) -> int:
    """E1 against the due set: each notice's quote once; each outbox row sent and delivered
    exactly once; nothing delivered that the outbox does not hold. Returns the rows."""
    notices = sql(env, NOTICES)
    assert len(notices) == NOTICE_SITES, len(notices)
    assert len({series for _number, series in notices}) == NOTICE_SITES
    rows = outbox(env)
    numbers = {number for number, _series in notices}
    notice_rows = [key for key in rows if key.split(":")[:2][-1] in numbers]
    # Every notice wrote its e-mail (the site's primary contact) with its quote.
    assert len(notice_rows) == NOTICE_SITES, len(notice_rows)
    unsent = {key: status for key, status in rows.items() if status != "sent"}
    assert not unsent, (unsent, log.read_text()[-3000:])
    delivered = delivered_keys(env)
    doubled = {key: n for key, n in delivered.items() if n > 1}
    assert not doubled, doubled
    assert set(delivered) == set(rows), set(rows) ^ set(delivered)
    return len(rows)


def _wait_all_sent(env, timeout: float = 120) -> bool:
    """Until every outbox row is sent, run beat's sweeper (every minute in production) now
    and then: it queues the rows whose task was lost or never queued."""
    deadline = time.monotonic() + timeout

    def all_sent() -> bool:
        rows = outbox(env)
        return bool(rows) and all(status == "sent" for status in rows.values())

    while time.monotonic() < deadline:
        if wait_for(all_sent, timeout=10, interval=0.5):
            return True
        sweep(env)
    return all_sent()


def _unsent(env) -> dict[str, int]:
    return Counter(status for status in outbox(env).values() if status != "sent")


def test_a_worker_killed_midway_through_the_notice_job_resumes_it_and_sends_each_notice_once(
    cluster, tmp_path, repetition
):
    started = time.monotonic()
    database = database_copy(cluster, f"notices_killed_{repetition}")
    with redis_process() as redis_url:
        env = production_env(tmp_path / "var", database_url=database, redis_url=redis_url)
        log1, log2 = tmp_path / "worker1.log", tmp_path / "worker2.log"
        first, worker = start_worker(env, log1)
        try:
            shell(env, START_JOB)
            issued = _wait_midway(env, at_least=NOTICE_SITES // 5)
            kill(worker)
        finally:
            first.__exit__(None, None, None)
        assert 0 < _issued(env) < NOTICE_SITES
        # The killed run stays visible to staff as "running (or killed)" (N10).
        assert _runs(env) == ["running"]

        second, _worker = start_worker(env, log2)
        try:
            # acks_late: the unacknowledged job comes back from Redis (visibility timeout)
            # and the new worker runs it again; the series keys skip what was issued.
            resumed = wait_for(lambda: "finished" in _runs(env), timeout=90, interval=0.5)
            assert resumed, log2.read_text()[-3000:]
            assert _wait_all_sent(env), (_unsent(env), log2.read_text()[-3000:])
            rows = _assert_every_notice_once(env, log=log2)
        finally:
            second.__exit__(None, None, None)
    # The killed run, then the resumed one (and, with the tests' 3-second visibility
    # timeout, maybe a second delivery of it that found nothing to do: harmless, E1 holds).
    runs = _runs(env)
    assert runs[0] == "running", runs
    assert set(runs[1:]) == {"finished"}, runs
    report(
        f"killed after {issued}/{NOTICE_SITES} notices; resumed; {rows} e-mails once each; "
        f"{elapsed(started)} s"
    )


def test_a_redis_restart_during_the_notice_job_loses_no_notice_and_doubles_none(
    cluster, tmp_path, repetition
):
    """The broker (no persistence: its queue is lost) goes away for two seconds while the job
    runs: the e-mails written meanwhile wait in the outbox, the worker reconnects, and the
    sweeper sends what the lost queue held; nothing is sent twice."""
    started = time.monotonic()
    database = database_copy(cluster, f"notices_broker_{repetition}")
    port = free_port()
    log = tmp_path / "worker.log"
    env = production_env(
        tmp_path / "var", database_url=database, redis_url=f"redis://127.0.0.1:{port}/0"
    )
    with redis_process(port):
        context, _worker = start_worker(env, log)
        shell(env, START_JOB)
        issued = _wait_midway(env, at_least=NOTICE_SITES // 5)
    try:
        time.sleep(2)  # the broker is down; the job goes on writing quotes and e-mails
        with redis_process(port):
            reconnected = wait_for(lambda: "finished" in _runs(env), timeout=90, interval=0.5)
            assert reconnected, log.read_text()[-3000:]
            assert _wait_all_sent(env), (_unsent(env), log.read_text()[-3000:])
            rows = _assert_every_notice_once(env, log=log)
    finally:
        context.__exit__(None, None, None)
    assert set(_runs(env)) == {"finished"}, _runs(env)
    report(
        f"broker down after {issued}/{NOTICE_SITES} notices; {rows} e-mails once each; "
        f"{elapsed(started)} s"
    )
