"""S7: onsite support, priced by the customer's country zone and the product type (data)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from support.models.tickets import Ticket


class OnsiteZone(models.Model):
    """A group of countries priced alike for onsite visits."""

    code = models.CharField(_("code"), max_length=10, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = _("onsite zone")
        verbose_name_plural = _("onsite zones")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class OnsiteCountry(models.Model):
    """Which zone a country is in (a country without a row has no onsite service)."""

    country = CountryField(_("country"), unique=True)
    zone = models.ForeignKey(
        OnsiteZone, verbose_name=_("zone"), on_delete=models.PROTECT, related_name="countries"
    )

    class Meta:
        ordering = ["country"]
        verbose_name = _("onsite country")
        verbose_name_plural = _("onsite countries")

    def __str__(self) -> str:
        return f"{self.country} → {self.zone.code}"


class OnsiteRate(models.Model):
    """S7: the fee for one onsite visit in a zone for a product type (licensing's kinds)."""

    zone = models.ForeignKey(
        OnsiteZone, verbose_name=_("zone"), on_delete=models.PROTECT, related_name="rates"
    )
    product_kind = models.CharField(_("product type"), max_length=12)
    price = models.DecimalField(
        _("price per visit"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    currency = models.CharField(_("currency"), max_length=3, default="EUR")

    class Meta:
        ordering = ["zone", "product_kind"]
        verbose_name = _("onsite rate")
        verbose_name_plural = _("onsite rates")
        constraints = [
            models.UniqueConstraint(fields=["zone", "product_kind"], name="one_rate_per_zone_kind")
        ]

    def __str__(self) -> str:
        return f"{self.zone.code} {self.product_kind}: {self.price} {self.currency}"


class OnsiteRequest(models.Model):
    """S7: a request for an onsite visit made from a ticket, answered with a quote of the
    renewals machinery (kind "onsite"); accepting the quote books the visit."""

    class Status(models.TextChoices):
        QUOTED = "quoted", _("Quoted")
        BOOKED = "booked", _("Booked: quote accepted")
        CLOSED = "closed", _("Not taken")

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.PROTECT, related_name="onsite_requests"
    )
    reason = models.TextField(_("why a visit is needed"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested"))
    zone = models.ForeignKey(
        OnsiteZone, verbose_name=_("zone"), on_delete=models.PROTECT, related_name="+"
    )
    price = models.DecimalField(_("price per visit"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    quote = models.ForeignKey(
        "renewals.Quote",
        verbose_name=_("quote"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.QUOTED
    )
    booked_on = models.DateField(_("booked"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("onsite request")
        verbose_name_plural = _("onsite requests")

    def __str__(self) -> str:
        return f"{self.ticket_id} onsite {self.pk}"

    def get_additional_data(self) -> dict:
        return {"site_id": self.ticket.site_id}
