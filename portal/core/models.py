"""Cross-app records: the e-mail outbox (E1)."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class OutgoingEmail(models.Model):
    """E1: one outgoing e-mail, written in the transaction of the change that causes it and
    sent after commit. The idempotency key makes a second write of the same e-mail a no-op.

    pending → sending (claimed, outside any transaction while the SMTP hand-off runs) → sent;
    or → failed (permanent error, or temporary errors past the retry budget). A row still
    *sending* after the lease is "outcome unknown": the worker died during the hand-off, so it
    may or may not have gone out; only staff resend it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    to = models.CharField(_("to"), max_length=500)
    template = models.CharField(_("template"), max_length=200)
    language = models.CharField(_("language"), max_length=8, default="en")
    # The ids of what the e-mail is about ({"invitation": 12}), for staff reading the log.
    context = models.JSONField(_("about"), default=dict, blank=True)
    subject = models.CharField(_("subject"), max_length=300)
    body_text = models.TextField(_("text"), blank=True)
    body_html = models.TextField(_("HTML"), blank=True)
    # Mails whose body holds a secret (password reset, verification links) are not shown.
    is_sensitive = models.BooleanField(_("body holds a secret link"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to}"

    @property
    def recipients(self) -> list[str]:
        return [address.strip() for address in self.to.split(",") if address.strip()]

    def outcome_unknown(self, *, now: datetime) -> bool:
        """E1: claimed longer ago than the lease and never marked: it may have gone out."""
        return (
            self.status == self.Status.SENDING
            and self.claimed_at is not None
            and self.claimed_at <= now - settings.EMAIL_SEND_LEASE
        )


class OutgoingEmailAttempt(models.Model):
    """E1: each hand-off to the mail server, automatic or a staff resend, with its outcome."""

    class Outcome(models.TextChoices):
        IN_FLIGHT = "in_flight", _("in flight (no answer recorded)")
        SENT = "sent", _("sent")
        TEMPORARY = "temporary", _("temporary error, retried")
        PERMANENT = "permanent", _("permanent error")

    email = models.ForeignKey(OutgoingEmail, on_delete=models.CASCADE, related_name="attempt_log")
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.IN_FLIGHT
    )
    error = models.TextField(_("error"), blank=True)
    resent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resent by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["started_at", "pk"]
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")

    def __str__(self) -> str:
        return f"{self.email.key} @ {self.started_at:%Y-%m-%d %H:%M:%S}: {self.outcome}"


class JobRun(models.Model):
    """N10: one run of a batch job (beat task or management command), with the day it ran for
    and its summary, so staff can read in the admin what each job did and when."""

    class Outcome(models.TextChoices):
        RUNNING = "running", _("running (or killed)")
        FINISHED = "finished", _("finished")
        FAILED = "failed", _("failed")

    job = models.CharField(_("job"), max_length=80, db_index=True)
    as_of = models.DateField(_("run for"))
    dry_run = models.BooleanField(_("dry run"), default=False)
    trigger = models.CharField(_("started by"), max_length=20, default="command")
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.RUNNING
    )
    summary = models.TextField(_("summary"), blank=True)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")
        indexes = [models.Index(fields=["job", "as_of"])]

    def __str__(self) -> str:
        return f"{self.job} for {self.as_of}"
