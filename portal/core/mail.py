"""The e-mail outbox (E1, E2), after pretix's OutgoingMail and mail_send_task.

- `email_queue` is called *inside* the business transaction: it renders the e-mail and writes
  its row (a no-op when the key exists), and asks for a send once the transaction commits.
  A broker outage at that moment is logged, never raised: the row is safe in the database and
  the beat sweeper (`email_sweep`) sends it a few minutes later.
- `email_deliver` claims the row in a short transaction (pending → sending), hands it to the
  mail server *outside* any transaction or lock, then marks it sent. Two workers given the same
  row race on the claim (a conditional UPDATE), so only one sends. A worker that dies during the
  hand-off leaves the row *sending*: after the lease it is shown to staff as "outcome unknown"
  and is never resent automatically; staff resend it from the admin.
- Only temporary errors (connection errors, SMTP 4xx, a locked database) are retried, with
  backoff; permanent ones (SMTP 5xx, bad headers) are marked failed with the reason.

This module is the lowest layer: it imports no app. Templates live in `emails/<name>.*`.
"""

from __future__ import annotations

import logging
import smtplib
import socket
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import BadHeaderError, EmailMultiAlternatives
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import F, Q
from django.template import Context, Template
from django.template.loader import render_to_string
from django.utils import timezone, translation

from portal.core.jobs import enqueue_on_commit
from portal.core.models import OutgoingEmail, OutgoingEmailAttempt

logger = logging.getLogger(__name__)

Status = OutgoingEmail.Status
Outcome = OutgoingEmailAttempt.Outcome

# Text parts (subject, plain body) are not HTML: render them without escaping, so a customer
# called O'Neil stays O'Neil and never becomes O&#x27;Neil.
_UNESCAPED = Template("{% autoescape off %}{% include outbox_template_path %}{% endautoescape %}")


def header_value(value: str) -> str:
    """One line for a header: CR, LF and runs of whitespace in tenant text become one space
    (a bare newline in a subject makes Django refuse the whole message)."""
    return " ".join(str(value).split())


def _render_text(name: str, context: dict) -> str:
    return _UNESCAPED.render(Context({**context, "outbox_template_path": name}))


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def email_render(*, template: str, context: dict, language: str) -> Rendered:
    """E2: `emails/<template>.{subject.txt,txt,html}` in the recipient's language."""
    context = {"site_url": settings.SITE_URL, **context}
    with translation.override(language):
        return Rendered(
            subject=header_value(_render_text(f"emails/{template}.subject.txt", context))[:300],
            text=_render_text(f"emails/{template}.txt", context),
            html=render_to_string(f"emails/{template}.html", context),
        )


def email_queue(
    *,
    key: str,
    to: list[str],
    template: str,
    context: dict,
    language: str = "en",
    about: dict | None = None,
    sensitive: bool = False,
    rendered: Rendered | None = None,
) -> OutgoingEmail:
    """E1: write the e-mail into the outbox inside the caller's transaction and send it after
    commit. The same key twice is one e-mail (the existing row is returned, nothing resent).

    `about` holds the ids the e-mail concerns, for the log; `sensitive` hides the body from
    the admin (password-reset and verification links). `rendered` is the e-mail already
    rendered (email_render) by a caller sending the same e-mail to several recipients."""
    existing = OutgoingEmail.objects.filter(key=key).first()
    if existing is not None:
        return existing
    recipients = list(dict.fromkeys(header_value(address) for address in to if address))
    if rendered is None:
        rendered = email_render(template=template, context=context, language=language)
    try:
        # A savepoint: on PostgreSQL a failed INSERT would otherwise abort the caller's
        # transaction. Another process writing the same key at once makes this one a no-op.
        with transaction.atomic():
            email = OutgoingEmail.objects.create(
                key=key,
                to=", ".join(recipients)[:500],
                template=template,
                language=language,
                context=about or {},
                subject=rendered.subject,
                body_text=rendered.text,
                body_html=rendered.html,
                is_sensitive=sensitive,
            )
    except IntegrityError:
        return OutgoingEmail.objects.get(key=key)
    # A broker outage is logged, not raised: the sweeper sends the row later.
    enqueue_on_commit(email_send_task, email.pk)
    return email


# --- sending ---------------------------------------------------------------------------------


def is_temporary(error: BaseException) -> bool:
    """E1: which failures are worth another try. SMTP replies carry their class in the code;
    network failures are temporary; a malformed message or a 5xx refusal is not."""
    if isinstance(error, BadHeaderError | ValueError | UnicodeError):
        return False
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _message in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    if isinstance(error, OperationalError):
        return "locked" in str(error).lower() or "could not connect" in str(error).lower()
    return isinstance(error, smtplib.SMTPException | OSError | socket.timeout)


def _retry_delay(attempts: int) -> timedelta:
    """Exponential backoff: 30 s, 1 min, 2 min, … capped at an hour."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


def _claim(email_id: int, *, now: datetime, resend: bool) -> bool:
    """Take the row for one hand-off in a short transaction (a conditional UPDATE: of two
    workers given the same row at once, exactly one succeeds)."""
    if resend:
        # Staff resend a failed e-mail, or one whose outcome is unknown (lease over).
        claimable = Q(status=Status.FAILED) | _outcome_unknown(now)
    else:
        claimable = Q(status=Status.PENDING) & (
            Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
        )
    with transaction.atomic():
        return bool(
            OutgoingEmail.objects.filter(claimable, pk=email_id).update(
                status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
            )
        )


def _message(email: OutgoingEmail) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=header_value(settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + email.subject),
        body=email.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=email.recipients,
        headers={"X-Entitle-Key": header_value(email.key)},
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    return message


def _finish(email_id: int, attempt_id: int, *, outcome: str, error: str = "") -> None:
    """Record the outcome of a hand-off. Retried briefly when the database is locked: after a
    successful send, a lost mark would leave the row "outcome unknown" for staff."""
    now = timezone.now()
    if outcome == Outcome.SENT:
        changes = {"status": Status.SENT, "sent_at": now, "error": "", "next_attempt_at": None}
    elif outcome == Outcome.TEMPORARY:
        attempts = OutgoingEmail.objects.values_list("attempts", flat=True).get(pk=email_id)
        if attempts >= settings.EMAIL_MAX_ATTEMPTS:
            outcome = Outcome.PERMANENT
            error = f"gave up after {attempts} attempts: {error}"
            changes = {"status": Status.FAILED, "error": error}
        else:
            changes = {
                "status": Status.PENDING,
                "error": error,
                "next_attempt_at": now + _retry_delay(attempts),
            }
    else:
        changes = {"status": Status.FAILED, "error": error}
    for pause in (0.0, 0.2, 0.5, 1.0, 2.0, 4.0):
        try:
            with transaction.atomic():
                OutgoingEmail.objects.filter(pk=email_id, status=Status.SENDING).update(**changes)
                OutgoingEmailAttempt.objects.filter(pk=attempt_id).update(
                    finished_at=now, outcome=outcome, error=error
                )
        except OperationalError as exc:
            if not is_temporary(exc):
                raise
            logger.warning("database busy recording e-mail %s; retrying", email_id)
            time.sleep(pause)
        else:
            return
    logger.error("could not record the outcome of e-mail %s (%s)", email_id, outcome)


def email_deliver(*, email_id: int, resent_by=None) -> str:
    """Hand one outbox row to the mail server at most once per claim; returns the status the
    row ends in. After a temporary error the row is pending again with `next_attempt_at` set,
    and the sweeper retries it then (no long countdown tasks: STYLE, jobs)."""
    now = timezone.now()
    if not _claim(email_id, now=now, resend=resent_by is not None):
        current = OutgoingEmail.objects.filter(pk=email_id).values_list("status", flat=True)
        return current.first() or ""
    email = OutgoingEmail.objects.get(pk=email_id)
    attempt = OutgoingEmailAttempt.objects.create(email=email, started_at=now, resent_by=resent_by)
    try:
        _message(email).send()  # outside any transaction: no row or database lock is held
    except Exception as exc:  # classified below; nothing is lost either way
        reason = f"{type(exc).__name__}: {exc}"[:2000]
        if is_temporary(exc):
            logger.info("e-mail %s: temporary error, will retry: %s", email.key, reason)
            _finish(email.pk, attempt.pk, outcome=Outcome.TEMPORARY, error=reason)
            return OutgoingEmail.objects.values_list("status", flat=True).get(pk=email.pk)
        logger.warning("e-mail %s failed permanently: %s", email.key, reason)
        _finish(email.pk, attempt.pk, outcome=Outcome.PERMANENT, error=reason)
        return Status.FAILED
    _finish(email.pk, attempt.pk, outcome=Outcome.SENT)
    return Status.SENT


@shared_task
def email_send_task(email_id: int) -> str:
    """E1: send one outbox row; safe to run twice (the claim makes the second a no-op)."""
    try:
        return email_deliver(email_id=email_id)
    except OperationalError as exc:
        if not is_temporary(exc):
            raise
        # The claim found the database busy (SQLite's write lock): the row is still pending
        # and the sweeper tries again within a minute.
        logger.warning("database busy; e-mail %s left to the sweeper", email_id)
        return Status.PENDING


def emails_due(*, now: datetime):
    """Rows the sweeper sends: pending for longer than the grace period (their task never ran,
    e.g. the broker was down) or whose backoff has passed."""
    return OutgoingEmail.objects.filter(status=Status.PENDING).filter(
        Q(next_attempt_at__isnull=True, created_at__lte=now - settings.EMAIL_SWEEP_GRACE)
        | Q(next_attempt_at__lte=now)
    )


def emails_outcome_unknown(*, now: datetime):
    """E1: claimed, lease over, never marked: shown to staff, never resent automatically."""
    return OutgoingEmail.objects.filter(_outcome_unknown(now))


def _outcome_unknown(now: datetime) -> Q:
    """E1: claimed longer ago than the lease and never marked (OutgoingEmail.outcome_unknown
    says the same of one loaded row)."""
    return Q(status=Status.SENDING, claimed_at__lte=now - settings.EMAIL_SEND_LEASE)


@shared_task
def email_sweep_task() -> int:
    """Beat, every minute: queue the sends of rows still pending (E1: a broker outage delays
    an e-mail, never loses it). The claim keeps a row queued twice from going out twice."""
    ids = list(emails_due(now=timezone.now()).values_list("pk", flat=True)[:500])
    for email_id in ids:
        email_send_task.apply_async(args=[email_id])
    return len(ids)
