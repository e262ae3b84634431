"""S6: advance hardware replacement (RMA) for hardware products under support."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import ScopedQuerySet
from support.models.tickets import Ticket


def new_rma_number() -> str:
    return "RMA-" + secrets.token_hex(4).upper()


class ReplacementQuerySet(ScopedQuerySet):
    site_lookup = "ticket__site__"


class ReplacementRequest(models.Model):
    """S6: the replacement ships by the next business day, before the failed unit comes back;
    the failed unit is due back within 10 business days of the replacement's shipping, with
    tracking both ways; an overdue return is flagged and the customer is quoted the unit's list
    price. The certified service partner of the site installs the part (S6, seed 003)."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested: replacement to ship")
        SHIPPED = "shipped", _("Replacement shipped: failed unit due back")
        RETURNED = "returned", _("Failed unit returned")
        OVERDUE = "overdue", _("Return overdue: unit quoted")
        CANCELLED = "cancelled", _("Cancelled")

    number = models.CharField(_("RMA number"), max_length=14, unique=True, default=new_rma_number)
    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.PROTECT, related_name="replacements"
    )
    entitlement = models.ForeignKey(
        "licensing.Entitlement",
        verbose_name=_("entitlement"),
        on_delete=models.PROTECT,
        related_name="replacements",
    )
    failed_serial = models.CharField(_("serial number of the failed unit"), max_length=100)
    fault = models.TextField(_("fault"))
    ship_to = models.TextField(_("ship the replacement to"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested"))
    ship_by = models.DateField(_("replacement ships by"))
    shipped_on = models.DateField(_("replacement shipped"), null=True, blank=True)
    outbound_tracking = models.CharField(_("replacement tracking"), max_length=100, blank=True)
    return_due_on = models.DateField(_("failed unit due back"), null=True, blank=True)
    return_tracking = models.CharField(_("return tracking"), max_length=100, blank=True)
    returned_on = models.DateField(_("failed unit received"), null=True, blank=True)
    overdue_flagged_on = models.DateField(_("flagged overdue"), null=True, blank=True)
    unit_quote = models.ForeignKey(
        "renewals.Quote",
        verbose_name=_("quote for the unreturned unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # S6, seed 003 footnote 4: the partner installs and configures the replacement part.
    installer = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("installed by (service partner)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    submission_key = models.CharField(  # noqa: DJ001 (unique when given, NULL when not)
        max_length=64, unique=True, null=True, editable=False
    )

    objects = ReplacementQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("advance replacement (RMA)")
        verbose_name_plural = _("advance replacements (RMAs)")
        indexes = [
            models.Index(
                fields=["return_due_on"],
                name="rma_awaiting_return",
                condition=Q(status="shipped"),
            )
        ]
        constraints = [
            # One live RMA per failed unit: a unit is not replaced twice at once.
            models.UniqueConstraint(
                fields=["entitlement", "failed_serial"],
                condition=Q(status__in=("requested", "shipped")),
                name="one_live_rma_per_unit",
            )
        ]

    def __str__(self) -> str:
        return self.number

    def get_additional_data(self) -> dict:
        return {"site_id": self.ticket.site_id}
