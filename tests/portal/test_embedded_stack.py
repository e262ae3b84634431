"""The embedded default of `make run` with real processes: a SQLite file in WAL mode, a
Celery worker on kombu's filesystem broker, and e-mails written as files (issue: foundation,
A5). The welcome e-mail of an enrolment travels through the real worker to var/mail/."""

import subprocess
import threading

import pytest

from tests.portal.processes import CELERY, ENROL_DEMO_SITE, ROOT, embedded_only, stack_env
from tests.portal.processes import manage as _manage
from tests.portal.processes import wait_for as _wait_for

pytestmark = embedded_only


@pytest.fixture
def embedded_env(tmp_path, embedded_demo):
    """`make run`'s settings on a copy of the demo database (migrate and demo_data run once
    per run for every stack test: tests/conftest.py `embedded_demo`)."""
    return stack_env(embedded_demo.copy_to(tmp_path / "var"))


def test_welcome_email_goes_through_the_real_worker_to_a_mail_file(
    embedded_env, embedded_demo, tmp_path
):
    assert "reseller@demo.entitle.test" in embedded_demo.printed
    worker = subprocess.Popen(
        [str(CELERY), "-A", "portal", "worker", "--pool=solo", "--loglevel=INFO"],
        cwd=ROOT,
        env=embedded_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        _manage(embedded_env, "shell", "-c", ENROL_DEMO_SITE)
        mail_dir = tmp_path / "var" / "mail"
        # The welcome e-mail of the enrolment, among whatever else the worker sends.
        mail = _wait_for(
            lambda: [
                path
                for path in sorted(mail_dir.glob("*.log"))
                if "greta@direct-dynamics.example" in path.read_text()
            ],
            timeout=60,
        )
        assert mail, "the worker wrote no e-mail file within 60 s"
        text = mail[0].read_text()
        assert "greta@direct-dynamics.example" in text
        assert "http://127.0.0.1:8000/invitations/" in text
        journal = _manage(
            embedded_env,
            "shell",
            "-c",
            "from django.db import connection; "
            "print(connection.cursor().execute('PRAGMA journal_mode').fetchone()[0])",
        )
        assert journal.strip().splitlines()[-1] == "wal"
    finally:
        worker.terminate()
        output, _ = worker.communicate(timeout=30)
    assert "portal.core.mail.email_send_task" in output


def test_beat_starts_with_the_schedule(embedded_env):
    beat = subprocess.Popen(
        [str(CELERY), "-A", "portal", "beat", "--loglevel=DEBUG"],
        cwd=ROOT,
        env=embedded_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(beat.stdout), daemon=True)
    reader.start()
    try:
        scheduled = _wait_for(
            lambda: any("clear-expired-sessions" in line for line in lines), timeout=60
        )
    finally:
        beat.terminate()
        beat.wait(timeout=30)
        reader.join(timeout=5)
        beat.stdout.close()
    output = "".join(lines)
    assert scheduled, output
    assert "beat: Starting" in output
