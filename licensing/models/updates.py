"""L10: how users hear about new versions, and the notices of releases to tell them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from licensing.models.catalogue import Version


class UpdatePreference(models.Model):
    """L10: how a user hears about new versions of products their sites are covered for."""

    class Frequency(models.TextChoices):
        IMMEDIATE = "immediate", _("At once")
        WEEKLY = "weekly", _("Weekly digest")
        NEVER = "never", _("Never")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="update_preference",
    )
    frequency = models.CharField(
        _("product update e-mails"),
        max_length=10,
        choices=Frequency.choices,
        default=Frequency.IMMEDIATE,
    )

    class Meta:
        verbose_name = _("update preference")
        verbose_name_plural = _("update preferences")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.frequency}"


class UpdateNotice(models.Model):
    """L10: a release a user is to hear about; sent at once or collected for the digest."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="update_notices",
    )
    version = models.ForeignKey(
        Version, verbose_name=_("version"), on_delete=models.CASCADE, related_name="notices"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("update notice")
        verbose_name_plural = _("update notices")
        constraints = [
            models.UniqueConstraint(fields=["user", "version"], name="one_notice_per_release"),
        ]
        indexes = [models.Index(fields=["sent_at", "user"])]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.version_id}"
