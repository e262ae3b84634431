"""The e-mail outbox (E1) with real components: a real Celery worker on a real redis-server,
a SQLite file shared by the processes, and e-mails written as files (each file one message
handed to the "mail server").

- a worker killed (SIGKILL) between the hand-off and marking the row sent: the task is
  re-delivered, and nothing is sent a second time; staff see "outcome unknown";
- the broker on a dead port: the invitation POST still answers 302 at once, the e-mail waits
  in the outbox, and the sweeper delivers it once the broker is back;
- the same key sent by two processes at once: one message.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.infra import free_port, redis_process
from tests.portal.processes import (
    ENROL_DEMO_SITE,
    ROOT,
    celery_worker,
    embedded_only,
    shell,
    stack_env,
    wait_for,
)

pytestmark = embedded_only


def mail_files(env) -> list[str]:
    """The messages the "mail server" received: one file each."""
    return sorted(path.name for path in (Path(env["ENTITLE_VAR_DIR"]) / "mail").glob("*.log"))


def outbox_row(env, key: str) -> dict:
    return json.loads(
        shell(
            env,
            "import json; from django.utils import timezone; "
            "from portal.core.models import OutgoingEmail as E; "
            f"e = E.objects.get(key={key!r}); "
            "print(json.dumps({'status': e.status, 'attempts': e.attempts, "
            "'unknown': e.outcome_unknown(now=timezone.now())}))",
        )
    )


@pytest.fixture
def migrated(tmp_path, embedded_demo) -> Path:
    """A var folder of the test's own holding a copy of the demo database (tests/conftest.py:
    built once per run, its outbox empty)."""
    return embedded_demo.copy_to(tmp_path / "var")


def test_a_worker_killed_after_the_hand_off_never_sends_twice(migrated, tmp_path):
    """E1: claim, hand-off, SIGKILL before "sent" → the re-delivered task finds the row
    claimed and sends nothing; the row shows "outcome unknown" once the lease is over."""
    marker = tmp_path / "handed-off"
    with redis_process() as broker:
        base = {
            "CELERY_BROKER_URL": broker,
            "CELERY_VISIBILITY_TIMEOUT": "2",  # re-deliver the unacknowledged task quickly
            "EMAIL_SEND_LEASE_SECONDS": "1",
            "EMAIL_SWEEP_GRACE_SECONDS": "0",
        }
        hanging = stack_env(
            migrated,
            EMAIL_BACKEND="tests.portal.mail_backends.HandOffThenHangBackend",
            ENTITLE_TEST_HANDOFF_MARKER=str(marker),
            **base,
        )
        env = stack_env(migrated, **base)
        with celery_worker(hanging, tmp_path / "worker1.log") as worker:
            shell(env, ENROL_DEMO_SITE)
            assert wait_for(marker.exists, timeout=60), (tmp_path / "worker1.log").read_text()
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=10)
        assert len(mail_files(env)) == 1
        key = shell(
            env, "from portal.core.models import OutgoingEmail as E; print(E.objects.get().key)"
        )

        with celery_worker(env, tmp_path / "worker2.log"):
            # The broker re-delivers the killed worker's task; the sweeper runs too.
            shell(env, "from portal.core.mail import email_sweep_task; email_sweep_task()")
            redelivered = wait_for(
                lambda: (
                    "email_send_task" in (tmp_path / "worker2.log").read_text()
                    and "succeeded" in (tmp_path / "worker2.log").read_text()
                ),
                timeout=30,
            )
        assert redelivered, (tmp_path / "worker2.log").read_text()
        assert len(mail_files(env)) == 1
        row = outbox_row(env, key)
        assert (row["status"], row["attempts"], row["unknown"]) == ("sending", 1, True)


def test_a_dead_broker_delays_the_invitation_email_and_never_loses_it(migrated, tmp_path):
    """E1: with the broker unreachable, the invitation POST answers 302 at once and the
    e-mail waits in the outbox; when the broker is back, the sweeper delivers it once."""
    port = free_port()  # nothing listens here yet
    env = stack_env(
        migrated,
        CELERY_BROKER_URL=f"redis://127.0.0.1:{port}/0",
        EMAIL_SWEEP_GRACE_SECONDS="0",
    )
    posted = json.loads(
        shell(
            env,
            "import json; from django.test import Client; "
            "from accounts.models import User; "
            "client = Client(HTTP_HOST='127.0.0.1'); "
            "client.force_login(User.objects.get(email='primary@demo.entitle.test')); "
            "response = client.post('/sites/1000001/users/invite/', {'name': 'Nora New', "
            "'email': 'nora@example.test', 'role': 'caller', 'language': 'en'}); "
            "print(json.dumps({'status': response.status_code}))",
        )
    )
    assert posted["status"] == 302
    key = shell(
        env,
        "from portal.core.models import OutgoingEmail as E; "
        "print(E.objects.get(to='nora@example.test').key)",
    )
    assert outbox_row(env, key)["status"] == "pending"
    assert mail_files(env) == []

    with redis_process(port), celery_worker(env, tmp_path / "worker.log"):
        shell(env, "from portal.core.mail import email_sweep_task; email_sweep_task()")
        delivered = wait_for(lambda: mail_files(env), timeout=60)
        assert delivered, (tmp_path / "worker.log").read_text()
        # A second sweep finds nothing due; the e-mail went out once.
        shell(env, "from portal.core.mail import email_sweep_task; email_sweep_task()")
        time.sleep(1)
    assert len(mail_files(env)) == 1
    assert "nora@example.test" in (migrated / "mail" / mail_files(env)[0]).read_text()
    assert outbox_row(env, key)["status"] == "sent"


SEND_SAME_KEY = """
import sys, time
from django.db import transaction
from portal.core.mail import email_deliver, email_queue
start = float(sys.argv[-1])
time.sleep(max(0.0, start - time.time()))
with transaction.atomic():
    email = email_queue(key="race:same-key", to=["race@example.test"], template="move_confirmed",
                        context={"move": None, "entitlement": None, "link": "x"})
print(email_deliver(email_id=email.pk))
"""


def test_the_same_key_sent_by_two_processes_at_once_is_one_message(migrated, tmp_path):
    """E1: two processes write and send the same key at the same moment: one message."""
    env = stack_env(migrated, CELERY_BROKER_URL="memory://")
    script = tmp_path / "send.py"
    script.write_text(SEND_SAME_KEY)
    start = time.time() + 4  # both processes are up by then
    runs = [
        subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "shell",
                "-c",
                f"import sys; sys.argv.append('{start}'); exec(open({str(script)!r}).read())",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    results = [run.communicate(timeout=60) for run in runs]
    assert all(run.returncode == 0 for run in runs), results
    assert len(mail_files(env)) == 1
    assert sorted(out.strip().splitlines()[-1] for out, _err in results) in (
        ["sending", "sent"],
        ["sent", "sent"],
    )
