"""Issue #10 item 4, L4/E3: a worker killed (SIGKILL) in the middle of a large PoE render.

The site PoE of tests/faults/world.py (POE_LINES entitlements, above
RENDER_IN_WORKER_ABOVE) is issued "pending" and queued for the worker after commit; the
worker is killed while WeasyPrint renders it. The task was not acknowledged (acks_late), so
Redis hands it to the next worker (visibility timeout), which renders it: one complete PDF,
stored once, the document ready."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.faults.stack import (
    database_copy,
    elapsed,
    kill,
    production_env,
    report,
    shell,
    sql,
    start_worker,
)
from tests.faults.world import POE_LINES, POE_SITE
from tests.infra import redis_process
from tests.portal.processes import wait_for

pytestmark = pytest.mark.fault

ISSUE_POE = (
    "from django.utils import timezone; from accounts.models import Site; "
    "from licensing.poe import poe_issue; "
    f"d = poe_issue(site=Site.objects.get(number='{POE_SITE}'), order=None, actor=None, "
    "as_of=timezone.localdate()); print(d.pk)"
)
DOCUMENT = "SELECT state, file FROM licensing_poedocument WHERE id = %s"


def _render_started(log: Path) -> bool:
    return "licensing.tasks.poe_render_task" in log.read_text()


def test_a_worker_killed_midway_through_a_large_poe_render_gives_one_complete_pdf(
    cluster, tmp_path, repetition
):
    started = time.monotonic()
    var = tmp_path / "var"
    database = database_copy(cluster, f"poe_killed_{repetition}")
    with redis_process() as redis_url:
        env = production_env(var, database_url=database, redis_url=redis_url)
        log1, log2 = tmp_path / "worker1.log", tmp_path / "worker2.log"
        first, worker = start_worker(env, log1)
        try:
            document_id = int(shell(env, ISSUE_POE))
            assert wait_for(lambda: _render_started(log1), timeout=30), log1.read_text()
            time.sleep(1.0)  # WeasyPrint is laying out the pages
            assert sql(env, DOCUMENT, document_id)[0][0] == "pending", "not midway: done"
            kill(worker)
        finally:
            first.__exit__(None, None, None)
        killed_at = elapsed(started)
        assert sql(env, DOCUMENT, document_id) == [("pending", "")]

        second, _worker = start_worker(env, log2)
        try:
            ready = wait_for(lambda: sql(env, DOCUMENT, document_id)[0][0] != "pending", timeout=90)
            assert ready, log2.read_text()[-3000:]
            time.sleep(1)  # a second delivery, if any, finds it ready and does nothing
        finally:
            second.__exit__(None, None, None)
    state, name = sql(env, DOCUMENT, document_id)[0]
    assert state == "ready", log2.read_text()[-3000:]
    files = sorted(
        path.relative_to(var / "media").as_posix() for path in var.glob("media/**/*.pdf")
    )
    assert files == [name], files  # produced once: no second copy, no partial file
    reader = PdfReader(io.BytesIO((var / "media" / name).read_bytes()))
    text = "".join(page.extract_text() for page in reader.pages)
    # Complete: every entitlement is on it, the last one included.
    assert all(f"POE-P{line:06d}" in text for line in (0, POE_LINES // 2, POE_LINES - 1))
    assert text.count("POE-P") == POE_LINES
    report(
        f"PoE of {POE_LINES} lines: worker killed at {killed_at} s mid-render; one PDF of "
        f"{len(reader.pages)} pages after the restart; {elapsed(started)} s"
    )
