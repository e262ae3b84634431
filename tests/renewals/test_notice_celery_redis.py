"""ACCEPTANCE (N3, N10, E1): a real Celery worker on a real redis-server delivers a renewal
notice end to end — the job command issues the quote and writes its e-mails to the outbox in
one transaction, the worker sends them after commit (e-mails as files), and the job run again
for the same day sends nothing more.

The embedded stack of `make run` (tests/portal/processes.py): a SQLite file of the test's
own shared by the processes."""

from __future__ import annotations

import email
import email.policy
import json
import time
from pathlib import Path

from tests.infra import free_port, redis_process
from tests.portal.processes import celery_worker, embedded_only, manage, shell, stack_env, wait_for

pytestmark = embedded_only

FORGET_DEMO_NOTICES = (
    "from portal.core.models import OutgoingEmail; from renewals.models import Quote; "
    "OutgoingEmail.objects.all().delete(); Quote.objects.all().delete()"
)
OUTBOX = (
    "import json; from portal.core.models import OutgoingEmail as E; "
    "print(json.dumps(sorted([e.to, e.subject, e.status] for e in E.objects.all())))"
)


def _mail(var: Path) -> list[str]:
    """Each message the "mail server" received, as "Subject: …\n\n<plain text>" (headers
    and body decoded)."""
    messages = []
    for path in sorted((var / "mail").glob("*.log")):
        message = email.message_from_string(path.read_text(), policy=email.policy.default)
        body = message.get_body(preferencelist=("plain",))
        messages.append(f"Subject: {message['subject']}\n\n{body.get_content()}")
    return messages


def test_a_real_worker_on_a_real_redis_delivers_the_renewal_notice(tmp_path, embedded_demo):
    # The demo (migrated and loaded once per run, tests/conftest.py), its outbox emptied; its
    # quotes are forgotten too, so that the job below issues the notices afresh.
    var = embedded_demo.copy_to(tmp_path / "var")
    offline = stack_env(var, CELERY_BROKER_URL=f"redis://127.0.0.1:{free_port()}/0")
    shell(offline, FORGET_DEMO_NOTICES)
    with redis_process() as broker:
        env = stack_env(var, CELERY_BROKER_URL=broker, EMAIL_SWEEP_GRACE_SECONDS="3600")
        with celery_worker(env, tmp_path / "worker.log"):
            printed = manage(env, "send_renewal_notices", timeout=600)
            assert "issued monthly notice" in printed
            delivered = wait_for(
                lambda: [text for text in _mail(var) if "renewal notice q-" in text.lower()],
                timeout=60,
            )
            assert delivered, (tmp_path / "worker.log").read_text()
            outbox = json.loads(shell(env, OUTBOX))
            assert outbox
            assert all(status == "sent" for _to, _subject, status in outbox), outbox
            # Warsaw is Northwind's client: the notice waits for the reseller's price (N6).
            assert any(
                to == "reseller@demo.entitle.test" and "renewal notice Q-" in subject
                for to, subject, _status in outbox
            ), outbox
            files = len(_mail(var))
            again = manage(env, "send_renewal_notices", timeout=600)
            assert "nothing to do" in again
            time.sleep(3)  # give a stray task the time to arrive
            assert len(_mail(var)) == files
    assert "email_send_task" in (tmp_path / "worker.log").read_text()
    text = delivered[0]
    assert "Site 1000001" in text
    assert "/renewals/quotes/Q-" in text
