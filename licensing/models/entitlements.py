"""L3: entitlements (inventory lines), their coverage history, quantity events (L7) and
machine activations (L8)."""

from __future__ import annotations

import secrets
from datetime import date

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import ScopedQuerySet
from licensing.models.catalogue import Edition, Product, Version
from licensing.models.orders import OrderLine
from licensing.status import EntitlementStatus, entitlement_status, status_expression


def new_poe_number() -> str:
    return "POE-" + secrets.token_hex(5).upper()


class EntitlementQuerySet(ScopedQuerySet):
    site_lookup = "site__"  # A4: for_user(user) keeps the sites the user may see

    def with_status(self, as_of: date):
        """Annotate `status` (L3) computed in the database, so lists can filter and sort."""
        return self.annotate(status=status_expression("coverage_end", as_of))


class Entitlement(models.Model):
    """L3: one inventory line. Coverage start/end mirror the entitlement's coverage periods
    (the history, never overwritten) so lists can filter and sort without joins."""

    Status = EntitlementStatus

    site = models.ForeignKey(
        "accounts.Site",
        verbose_name=_("site"),
        on_delete=models.PROTECT,
        related_name="entitlements",
    )
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="entitlements"
    )
    edition = models.ForeignKey(
        Edition, verbose_name=_("edition"), on_delete=models.PROTECT, null=True, blank=True
    )
    version = models.ForeignKey(
        Version, verbose_name=_("version"), on_delete=models.PROTECT, null=True, blank=True
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    order_line = models.ForeignKey(
        OrderLine,
        verbose_name=_("order line"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entitlements",
    )
    poe_number = models.CharField(
        _("PoE number"), max_length=20, unique=True, default=new_poe_number
    )
    purchased_on = models.DateField(_("purchased"))
    last_upgraded_on = models.DateField(_("last upgraded"), null=True, blank=True)
    coverage_start = models.DateField(_("S&S coverage start"))
    coverage_end = models.DateField(_("S&S coverage end"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = EntitlementQuerySet.as_manager()

    class Meta:
        ordering = ["site", "product", "pk"]
        verbose_name = _("entitlement")
        verbose_name_plural = _("entitlements")
        indexes = [
            models.Index(fields=["site", "coverage_end"]),
            models.Index(fields=["site", "product"]),
            models.Index(fields=["coverage_end"]),
            # Counts the held lines (quantity > 0) of a site from the index alone (L5 lists).
            models.Index(fields=["site", "quantity"], name="entitlement_site_quantity"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(coverage_end__gte=models.F("coverage_start")),
                name="entitlement_coverage_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.poe_number  # no related lookups: audit pages print many of these

    def get_additional_data(self) -> dict:
        return {"site_id": self.site_id}

    def status_on(self, as_of: date) -> str:
        """L3: covered, expiring or lapsed on `as_of` (licensing.status)."""
        return entitlement_status(self.coverage_end, as_of)

    def is_covered_on(self, day: date) -> bool:
        return self.coverage_start <= day <= self.coverage_end


class CoveragePeriod(models.Model):
    """L3: one period of S&S coverage; periods are added, never overwritten."""

    class Kind(models.TextChoices):
        PURCHASE = "purchase", _("Purchase")
        RENEWAL = "renewal", _("Renewal")
        REINSTATEMENT = "reinstatement", _("Reinstatement")
        TRANSFER = "transfer", _("Transferred from another site")
        IMPORT = "import", _("Imported")

    entitlement = models.ForeignKey(
        Entitlement,
        verbose_name=_("entitlement"),
        on_delete=models.CASCADE,
        related_name="coverage_periods",
    )
    starts_on = models.DateField(_("start"))
    ends_on = models.DateField(_("end"))
    kind = models.CharField(_("kind"), max_length=14, choices=Kind.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["entitlement", "starts_on", "pk"]
        verbose_name = _("coverage period")
        verbose_name_plural = _("coverage periods")

    def __str__(self) -> str:
        return f"{self.starts_on} – {self.ends_on} ({self.get_kind_display()})"


class EntitlementEvent(models.Model):
    """L7: quantity changes of an entitlement (transfers in and out), kept on both sites."""

    entitlement = models.ForeignKey(
        Entitlement,
        verbose_name=_("entitlement"),
        on_delete=models.CASCADE,
        related_name="events",
    )
    happened_on = models.DateField(_("date"))
    quantity_change = models.IntegerField(_("quantity change"))
    description = models.CharField(_("description"), max_length=300)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["entitlement", "happened_on", "pk"]
        verbose_name = _("entitlement event")
        verbose_name_plural = _("entitlement events")

    def __str__(self) -> str:
        return self.description


class Activation(models.Model):
    """L3/L8: a machine an online-activated licence is activated on."""

    entitlement = models.ForeignKey(
        Entitlement,
        verbose_name=_("entitlement"),
        on_delete=models.CASCADE,
        related_name="activations",
    )
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    machine_id = models.CharField(_("machine id"), max_length=100)
    activated_on = models.DateField(_("activated"))
    deactivated_on = models.DateField(_("deactivated"), null=True, blank=True)
    deactivation_reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["entitlement", "-activated_on", "pk"]
        verbose_name = _("activation")
        verbose_name_plural = _("activations")
        constraints = [
            # A machine id can hold one active activation of a product at a time.
            models.UniqueConstraint(
                fields=["product", "machine_id"],
                condition=Q(deactivated_on__isnull=True),
                name="one_active_activation_per_machine",
            ),
        ]

    def __str__(self) -> str:
        return self.machine_id

    def get_additional_data(self) -> dict:
        return {"site_id": self.entitlement.site_id}

    @property
    def is_active(self) -> bool:
        return self.deactivated_on is None
