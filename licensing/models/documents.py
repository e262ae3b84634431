"""PDF documents rendered for a user, at once or in the worker while a page shows progress
(STYLE "render in the worker for large documents"): L4 Proofs of Entitlement and L5 customer
statements share the state, the file and the status page; each adds what it is about."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import ScopedQuerySet
from licensing.models.orders import Order


class PoEDocumentQuerySet(ScopedQuerySet):
    site_lookup = "site__"


def new_verification_code() -> str:
    return secrets.token_urlsafe(12)


class RenderedDocument(models.Model):
    """A PDF that is rendered at once when small, by the worker when large (`line_count`
    above RENDER_IN_WORKER_ABOVE, licensing/poe.py), with the state the status page shows."""

    class State(models.TextChoices):
        PENDING = "pending", _("Rendering")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    line_count = models.PositiveIntegerField(_("lines"), default=0)
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        abstract = True


class PoEDocument(RenderedDocument):
    """L4: an issued Proof of Entitlement. The snapshot is exactly what the PDF shows, so
    /verify/<code> can confirm it without revealing more; the fingerprint tells whether it
    still matches the current entitlements ("current")."""

    class Kind(models.TextChoices):
        ORDER = "order", _("Per order")
        SITE = "site", _("Per site")

    code = models.CharField(
        _("verification code"), max_length=32, unique=True, default=new_verification_code
    )
    kind = models.CharField(_("kind"), max_length=5, choices=Kind.choices)
    site = models.ForeignKey(
        "accounts.Site",
        verbose_name=_("site"),
        on_delete=models.CASCADE,
        related_name="poe_documents",
    )
    order = models.ForeignKey(
        Order,
        verbose_name=_("order"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="poe_documents",
    )
    issued_on = models.DateField(_("issue date"))
    fingerprint = models.CharField(_("fingerprint"), max_length=64)
    snapshot = models.JSONField(_("content"))
    file = models.FileField(_("PDF"), upload_to="poe/", blank=True)

    objects = PoEDocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("PoE document")
        verbose_name_plural = _("PoE documents")
        indexes = [models.Index(fields=["site", "kind", "created_at"])]

    def __str__(self) -> str:
        return f"PoE {self.code} ({self.get_kind_display()}, {self.issued_on})"


class StatementDocumentQuerySet(ScopedQuerySet):
    site_lookup = "site__"


class StatementDocument(RenderedDocument):
    """L5: a large customer statement PDF, rendered by the worker for the user who asked.
    It is theirs alone (rendered with or without prices for them: SPEC §1), so the status
    page and the download answer 404 to anyone else, as for another tenant's object (A4)."""

    site = models.ForeignKey(
        "accounts.Site",
        verbose_name=_("site"),
        on_delete=models.CASCADE,
        related_name="statement_documents",
    )
    as_of = models.DateField(_("statement date"))
    with_prices = models.BooleanField(_("with prices"))
    file = models.FileField(_("PDF"), upload_to="statements/", blank=True)

    objects = StatementDocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("statement document")
        verbose_name_plural = _("statement documents")

    def __str__(self) -> str:
        return f"Statement {self.site_id} ({self.as_of})"
