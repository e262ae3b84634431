"""Requests staff decide on: site-to-site transfers (L7) and moves to a new computer (L8)."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from licensing.models.entitlements import Activation, Entitlement
from portal.core.money import DEFAULT_CURRENCY


class DecisionRequest(models.Model):
    """What every request staff decide on has: who asked, who decided and when. Each request
    declares its own `State` (with PENDING) and `state` field, since the decisions are named
    differently (approved, confirmed) and the columns already differ in length."""

    State: type[models.TextChoices]
    state: str

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_pending(self) -> bool:
        return self.state == self.State.PENDING

    def mark_decided(self, *, state: str, actor, now: datetime) -> None:
        """Record the decision (the caller holds the row lock and checked it was pending)."""
        self.state = state
        self.decided_by = actor
        self.decided_at = now
        self.save(update_fields=["state", "decided_by", "decided_at"])


class SiteTransfer(DecisionRequest):
    """L7: entitlements moved from one site to another site of the same customer."""

    class State(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    source_site = models.ForeignKey(
        "accounts.Site",
        verbose_name=_("from site"),
        on_delete=models.PROTECT,
        related_name="transfers_out",
    )
    target_site = models.ForeignKey(
        "accounts.Site",
        verbose_name=_("to site"),
        on_delete=models.PROTECT,
        related_name="transfers_in",
    )
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.PENDING)
    note = models.CharField(_("note"), max_length=300, blank=True)
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("site-to-site transfer")
        verbose_name_plural = _("site-to-site transfers")

    def __str__(self) -> str:
        # Site numbers, as staff and customers know them (the admin loads both sites with
        # select_related, so its lists do not query per row).
        return f"{self.source_site.number} → {self.target_site.number} ({self.get_state_display()})"

    def get_additional_data(self) -> dict:
        return {"site_id": self.source_site_id, "target_site_id": self.target_site_id}


class SiteTransferLine(models.Model):
    transfer = models.ForeignKey(
        SiteTransfer, verbose_name=_("transfer"), on_delete=models.CASCADE, related_name="lines"
    )
    entitlement = models.ForeignKey(
        Entitlement, verbose_name=_("entitlement"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])

    class Meta:
        verbose_name = _("transfer line")
        verbose_name_plural = _("transfer lines")

    def __str__(self) -> str:
        return f"{self.quantity} × {self.entitlement_id}"


class LicenceMove(DecisionRequest):
    """L8: moving an online-activated licence to a new computer, with the fee quote."""

    class State(models.TextChoices):
        PENDING = "pending", _("Awaiting confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        REJECTED = "rejected", _("Rejected")

    class Purchase(models.TextChoices):
        NONE = "", _("Nothing else")
        EXTENSION = "extension", _("An S&S extension of this licence")
        UPGRADE = "upgrade", _("An upgrade to the newest version")

    entitlement = models.ForeignKey(
        Entitlement,
        verbose_name=_("entitlement"),
        on_delete=models.PROTECT,
        related_name="moves",
    )
    old_activation = models.ForeignKey(
        Activation,
        verbose_name=_("old activation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    lost_or_stolen = models.BooleanField(_("old machine lost or stolen"), default=False)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    new_machine_id = models.CharField(_("new machine id"), max_length=100)
    purchase = models.CharField(
        _("bought with the move"), max_length=10, choices=Purchase.choices, blank=True, default=""
    )
    requested_on = models.DateField(_("request date"))
    rule = models.CharField(_("rule"), max_length=6)
    fee = models.DecimalField(_("fee"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default=DEFAULT_CURRENCY)
    explanation = models.TextField(_("why this rule applies"))
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    # L8/N6: a fee is paid through a quote (renewals issues it when the move is requested and
    # records here its number and the day it was accepted; licensing never imports renewals).
    fee_quote_number = models.CharField(_("fee quote"), max_length=30, blank=True)
    fee_paid_on = models.DateField(_("fee paid"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("move to a new computer")
        verbose_name_plural = _("moves to a new computer")
        constraints = [
            # L8: one pending move per activation, so two requests sent at once cannot both
            # wait (and both be confirmed, running one licence on two machines).
            models.UniqueConstraint(
                fields=["old_activation"],
                condition=Q(state="pending"),
                name="one_pending_move_per_activation",
            ),
        ]

    def __str__(self) -> str:
        # The site number and PoE number name the licence; the machines say what moves.
        entitlement = self.entitlement
        return (
            f"{entitlement.site.number} {entitlement.poe_number}: "
            f"{self.old_activation.machine_id} → {self.new_machine_id} "
            f"({self.get_state_display()})"
        )

    @property
    def fee_unpaid(self) -> bool:
        """L8: a fee is due and its quote is not accepted yet."""
        return self.fee > 0 and self.fee_paid_on is None

    def get_additional_data(self) -> dict:
        return {"site_id": self.entitlement.site_id}
