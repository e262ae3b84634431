"""The e-mail outbox in one process (E1, E2): rendering, the claim, retries of temporary
errors only, the sweeper, "outcome unknown" and the staff resend."""

from __future__ import annotations

import smtplib
from datetime import timedelta

import pytest
from django.contrib import admin
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core import mail
from django.core.mail import BadHeaderError, EmailMultiAlternatives
from django.db import OperationalError, transaction
from django.utils import timezone

from portal.core.mail import (
    email_deliver,
    email_queue,
    email_sweep_task,
    emails_due,
    header_value,
    is_temporary,
)
from portal.core.models import OutgoingEmail, OutgoingEmailAttempt
from tests.accounts.factories import UserFactory, with_totp

pytestmark = pytest.mark.django_db
Status = OutgoingEmail.Status


def queue(key: str = "test:1", **context) -> OutgoingEmail:
    """A move-confirmed e-mail (any portal template will do) queued and committed."""
    context = {"move": None, "entitlement": None, "link": "https://x.test/", **context}
    return email_queue(key=key, to=["a@example.test"], template="move_confirmed", context=context)


def refuse_with(monkeypatch, error: BaseException) -> None:
    def send(self, fail_silently=False):
        raise error

    monkeypatch.setattr(EmailMultiAlternatives, "send", send)


def test_the_same_key_twice_is_one_row_and_one_message(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = queue()
        second = queue()
    assert first.pk == second.pk
    assert OutgoingEmail.objects.count() == 1
    assert len(mail.outbox) == 1


def test_nothing_is_sent_before_the_transaction_commits(django_capture_on_commit_callbacks):
    """E1: the row is written in the caller's transaction; the send waits for the commit."""
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        email = queue()
    assert mail.outbox == []
    assert OutgoingEmail.objects.get(pk=email.pk).status == Status.PENDING
    assert len(callbacks) == 1


def test_header_values_lose_cr_and_lf():
    assert header_value("Licence\r\nBcc: victim@example.test") == (
        "Licence Bcc: victim@example.test"
    )


def test_tenant_text_in_subject_and_text_is_not_html_escaped(
    world, django_capture_on_commit_callbacks
):
    """A subject is not HTML: quotes and ampersands arrive as typed (was &quot;)."""
    site = world.site
    site.customer.name = 'O\'Neil & "Sons"\nLtd'
    with django_capture_on_commit_callbacks(execute=True):
        email_queue(
            key="test:escape",
            to=["a@example.test"],
            template="invitation",
            context={
                "contact": world.contacts["plain"],
                "site": site,
                "invitation": None,
                "link": "https://x.test/",
                "expires_at": timezone.now(),
            },
        )
    message = mail.outbox[0]
    assert 'O\'Neil & "Sons" Ltd' in message.subject
    assert "\n" not in message.subject
    assert "&quot;" not in message.subject
    assert "&amp;" not in message.body


@pytest.mark.parametrize(
    ("error", "temporary"),
    [
        (ConnectionRefusedError("refused"), True),
        (TimeoutError("timed out"), True),
        (smtplib.SMTPServerDisconnected("gone"), True),
        (smtplib.SMTPResponseException(421, b"try later"), True),
        (smtplib.SMTPResponseException(451, b"greylisted"), True),
        (smtplib.SMTPResponseException(550, b"no such user"), False),
        (smtplib.SMTPRecipientsRefused({"a@x.test": (550, b"unknown")}), False),
        (smtplib.SMTPRecipientsRefused({"a@x.test": (450, b"busy")}), True),
        (BadHeaderError("newline"), False),
        (OperationalError("database is locked"), True),
        (OperationalError("no such table: x"), False),
        (ValueError("bad address"), False),
    ],
)
def test_only_temporary_errors_are_retried(error, temporary):
    assert is_temporary(error) is temporary


def test_a_temporary_error_leaves_the_row_pending_with_a_backoff(monkeypatch):
    email = queue()
    refuse_with(monkeypatch, smtplib.SMTPResponseException(421, b"try later"))

    assert email_deliver(email_id=email.pk) == Status.PENDING

    email.refresh_from_db()
    assert email.attempts == 1
    assert "421" in email.error
    assert email.next_attempt_at > timezone.now()
    attempt = email.attempt_log.get()
    assert attempt.outcome == OutgoingEmailAttempt.Outcome.TEMPORARY
    # Not due before its backoff passes, due after.
    assert not emails_due(now=timezone.now()).filter(pk=email.pk).exists()
    assert emails_due(now=email.next_attempt_at).filter(pk=email.pk).exists()


def test_a_permanent_error_is_failed_with_its_reason_and_not_retried(monkeypatch):
    email = queue()
    refuse_with(monkeypatch, smtplib.SMTPRecipientsRefused({"a@example.test": (550, b"no")}))

    assert email_deliver(email_id=email.pk) == Status.FAILED

    email.refresh_from_db()
    assert email.status == Status.FAILED
    assert "SMTPRecipientsRefused" in email.error
    assert not emails_due(now=timezone.now() + timedelta(days=1)).filter(pk=email.pk).exists()


def test_temporary_errors_stop_after_the_retry_budget(monkeypatch, settings):
    settings.EMAIL_MAX_ATTEMPTS = 2
    email = queue()
    refuse_with(monkeypatch, ConnectionRefusedError("refused"))

    email_deliver(email_id=email.pk)
    OutgoingEmail.objects.filter(pk=email.pk).update(next_attempt_at=None)
    assert email_deliver(email_id=email.pk) == Status.FAILED

    email.refresh_from_db()
    assert email.error.startswith("gave up after 2 attempts")


def test_the_sweeper_sends_a_row_whose_task_never_ran(settings):
    """E1: the broker was down at commit time; the beat sweeper sends the row later."""
    settings.EMAIL_SWEEP_GRACE = timedelta(minutes=3)
    email = queue()  # not committed in this test, so its task never ran
    OutgoingEmail.objects.filter(pk=email.pk).update(
        created_at=timezone.now() - timedelta(minutes=4)
    )

    assert email_sweep_task() == 1

    email.refresh_from_db()
    assert email.status == Status.SENT
    assert len(mail.outbox) == 1


def test_the_sweeper_leaves_young_rows_to_their_own_task():
    queue()
    assert email_sweep_task() == 0
    assert mail.outbox == []


def test_a_second_claim_of_a_sent_row_sends_nothing():
    email = queue()
    assert email_deliver(email_id=email.pk) == Status.SENT
    assert email_deliver(email_id=email.pk) == Status.SENT
    assert len(mail.outbox) == 1


def claimed_long_ago(email: OutgoingEmail) -> None:
    OutgoingEmail.objects.filter(pk=email.pk).update(
        status=Status.SENDING, claimed_at=timezone.now() - timedelta(hours=1), attempts=1
    )


def test_an_unknown_outcome_is_never_resent_automatically():
    """E1: a worker died during the hand-off; the sweeper and a re-delivered task leave it."""
    email = queue()
    claimed_long_ago(email)

    assert email_sweep_task() == 0
    assert email_deliver(email_id=email.pk) == Status.SENDING

    email.refresh_from_db()
    assert email.outcome_unknown(now=timezone.now())
    assert mail.outbox == []


def resend(rf, emails, user):
    request = rf.post("/admin/portal/outgoingemail/")
    request.user = user
    request.session = {}
    request._messages = FallbackStorage(request)
    model_admin = admin.site._registry[OutgoingEmail]
    model_admin.resend(request, OutgoingEmail.objects.filter(pk__in=[e.pk for e in emails]))
    return [str(message) for message in request._messages]


def test_staff_resend_an_unknown_or_failed_email_and_the_attempt_is_on_record(rf):
    staff = UserFactory(is_staff=True, is_superuser=True)
    unknown, failed, sent = queue("test:unknown"), queue("test:failed"), queue("test:sent")
    claimed_long_ago(unknown)
    OutgoingEmail.objects.filter(pk=failed.pk).update(status=Status.FAILED, error="550")
    email_deliver(email_id=sent.pk)
    mail.outbox.clear()

    shown = resend(rf, [unknown, failed, sent], staff)

    assert len(mail.outbox) == 2
    assert "2 e-mails resent." in shown
    assert any("1 skipped" in message for message in shown)
    for email in (unknown, failed):
        email.refresh_from_db()
        assert email.status == Status.SENT
        assert email.attempt_log.get().resent_by == staff


def test_the_log_admin_shows_unknown_outcomes_apart(client):
    email = queue()
    claimed_long_ago(email)
    client.force_login(with_totp(UserFactory(is_staff=True, is_superuser=True)))

    response = client.get("/admin/portal/outgoingemail/?delivery=unknown")

    assert response.status_code == 200
    assert "outcome unknown" in response.content.decode()
    assert email.key in response.content.decode()


def test_a_rolled_back_transaction_leaves_no_email():
    with pytest.raises(RuntimeError), transaction.atomic():
        _queue_then_fail()
    assert not OutgoingEmail.objects.exists()


def _queue_then_fail() -> None:
    queue()
    raise RuntimeError
