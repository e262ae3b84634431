"""L4: issued Proof of Entitlement documents."""

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


class PoEDocument(models.Model):
    """L4: an issued Proof of Entitlement. The snapshot is exactly what the PDF shows, so
    /verify/<code> can confirm it without revealing more; the fingerprint tells whether it
    still matches the current entitlements ("current")."""

    class Kind(models.TextChoices):
        ORDER = "order", _("Per order")
        SITE = "site", _("Per site")

    class State(models.TextChoices):
        PENDING = "pending", _("Rendering")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

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
    line_count = models.PositiveIntegerField(_("lines"), default=0)
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.PENDING)
    file = models.FileField(_("PDF"), upload_to="poe/", blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = PoEDocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("PoE document")
        verbose_name_plural = _("PoE documents")
        indexes = [models.Index(fields=["site", "kind", "created_at"])]

    def __str__(self) -> str:
        return f"PoE {self.code} ({self.get_kind_display()}, {self.issued_on})"
