"""L6: uploaded CSV files of entitlements."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportBatchQuerySet(models.QuerySet):
    def for_user(self, user):
        """A4: whose upload it is. Staff see every one, a reseller user its reseller's, anyone
        else none. Not the site rule (site_visibility): one file spans many sites, and a
        contact of one of them must not see a reseller's whole upload."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_staff:
            return self
        if user.reseller_id:
            return self.filter(reseller_id=user.reseller_id)
        return self.none()


class ImportBatch(models.Model):
    """L6: one uploaded CSV of entitlements. It is checked on upload (the preview) and imported
    once on confirmation. The upload stays in storage and confirming reads it again, so a big
    parsed file is never kept in the session; errors and the preview summary are kept here."""

    class State(models.TextChoices):
        INVALID = "invalid", _("Has errors")
        READY = "ready", _("Ready to import")
        QUEUED = "queued", _("Importing")
        IMPORTED = "imported", _("Imported")

    class Format(models.TextChoices):
        NATIVE = "native", _("Entitle columns")
        SNIPEIT = "snipeit", _("Snipe-IT licence export")

    file = models.FileField(_("file"), upload_to="imports/%Y/%m/", blank=True)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    format = models.CharField(_("format"), max_length=8, choices=Format.choices)
    site = models.ForeignKey(
        "accounts.Site",
        verbose_name=_("site for rows without a site number"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reseller = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("reseller"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="import_batches",
        help_text=_("Set when a reseller uploads: only the sites it manages can be imported."),
    )
    state = models.CharField(_("state"), max_length=8, choices=State.choices)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    order_count = models.PositiveIntegerField(_("orders"), default=0)
    entitlement_count = models.PositiveIntegerField(_("entitlements"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    imported_at = models.DateTimeField(_("imported"), null=True, blank=True)

    objects = ImportBatchQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("entitlement import")
        verbose_name_plural = _("entitlement imports")
        indexes = [models.Index(fields=["reseller", "created_at"])]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_state_display()})"
