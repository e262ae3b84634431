"""L1: the catalogue — products, their editions and versions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.core.money import DEFAULT_CURRENCY, percent_of

REINSTATEMENT_DEFAULT_PERCENT = Decimal(60)  # L1: default reinstatement price, % of list
PRICE = {"max_digits": 12, "decimal_places": 2, "validators": [MinValueValidator(Decimal(0))]}


class Product(models.Model):
    """L1: a catalogue product."""

    class Kind(models.TextChoices):
        SOFTWARE = "software", _("Software")
        SUBSCRIPTION = "subscription", _("Subscription")
        HARDWARE = "hardware", _("Hardware")
        CONSUMABLE = "consumable", _("Consumable")

    class Delivery(models.TextChoices):
        ONLINE = "online", _("Online activation")
        OFFLINE = "offline", _("Offline activation")

    part_number = models.CharField(_("part number"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    family = models.CharField(_("family"), max_length=100, db_index=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    delivery = models.CharField(
        _("delivery"), max_length=8, choices=Delivery.choices, default=Delivery.ONLINE
    )
    currency = models.CharField(_("currency"), max_length=3, default=DEFAULT_CURRENCY)
    list_price = models.DecimalField(_("list price"), **PRICE)
    annual_ss_price = models.DecimalField(_("annual S&S price"), **PRICE)
    reinstatement_price = models.DecimalField(
        _("reinstatement price"),
        null=True,
        blank=True,
        help_text=_(
            "Leave empty for 60 percent of the list price. Must exceed the annual S&S price."
        ),
        **PRICE,
    )
    points_per_unit = models.PositiveIntegerField(_("points per unit (PA)"), default=0)
    counts_toward_volume = models.BooleanField(_("counts toward volume"), default=True)
    end_of_sale = models.DateField(_("end of sale"), null=True, blank=True)

    class Meta:
        ordering = ["family", "name"]
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self) -> str:
        return f"{self.part_number} {self.name}"

    def save(self, *args, **kwargs):
        if self.reinstatement_price is None and self.list_price is not None:
            self.reinstatement_price = percent_of(REINSTATEMENT_DEFAULT_PERCENT, self.list_price)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        errors = {}
        reinstatement = self.reinstatement_price
        if reinstatement is None and self.list_price is not None:
            reinstatement = percent_of(REINSTATEMENT_DEFAULT_PERCENT, self.list_price)
        if (
            reinstatement is not None
            and self.annual_ss_price is not None
            and reinstatement <= self.annual_ss_price
        ):
            errors["reinstatement_price"] = _(
                "The reinstatement price (%(price)s) must exceed the annual S&S price."
            ) % {"price": reinstatement}
        if self.kind == self.Kind.CONSUMABLE and self.counts_toward_volume:
            errors["counts_toward_volume"] = _("Consumables never count toward volume levels.")
        if errors:
            raise ValidationError(errors)

    @property
    def creates_entitlement(self) -> bool:
        """L2: consumables are purchases only."""
        return self.kind != self.Kind.CONSUMABLE

    def is_orderable_on(self, day: date) -> bool:
        """L2: a product past its end-of-sale date cannot be ordered (the date itself is the
        last day of sale)."""
        return self.end_of_sale is None or day <= self.end_of_sale


class Edition(models.Model):
    """L1: an edition of a product (Standard < Plus < Pro) with its price."""

    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="editions"
    )
    name = models.CharField(_("name"), max_length=60)
    rank = models.PositiveSmallIntegerField(_("rank"), help_text=_("Higher is a richer edition."))
    price = models.DecimalField(_("price"), **PRICE)

    class Meta:
        ordering = ["product", "rank"]
        verbose_name = _("edition")
        verbose_name_plural = _("editions")
        constraints = [
            models.UniqueConstraint(fields=["product", "name"], name="edition_name_per_product"),
            models.UniqueConstraint(fields=["product", "rank"], name="edition_rank_per_product"),
        ]

    def __str__(self) -> str:
        return self.name


class Version(models.Model):
    """L1: a released version; supported until its end of service (EOS)."""

    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="versions"
    )
    version = models.CharField(_("version"), max_length=30)
    release_date = models.DateField(_("release date"))
    eos_date = models.DateField(_("end of service"))
    list_price = models.DecimalField(
        _("list price"),
        null=True,
        blank=True,
        help_text=_("Leave empty to use the product's list price."),
        **PRICE,
    )
    upgrade_price = models.DecimalField(
        _("upgrade price"), help_text=_("From any older version."), **PRICE
    )
    download = models.FileField(_("download"), upload_to="downloads/", blank=True)
    notified_at = models.DateTimeField(_("release notified"), null=True, blank=True)

    class Meta:
        ordering = ["product", "release_date"]
        verbose_name = _("version")
        verbose_name_plural = _("versions")
        constraints = [
            models.UniqueConstraint(fields=["product", "version"], name="version_per_product"),
        ]

    def __str__(self) -> str:
        return self.version

    def clean(self) -> None:
        if self.release_date and self.eos_date and self.eos_date <= self.release_date:
            raise ValidationError({"eos_date": _("End of service must follow the release.")})

    @property
    def effective_list_price(self) -> Decimal:
        return self.list_price if self.list_price is not None else self.product.list_price

    def is_supported_on(self, day: date) -> bool:
        """L1: supported until its EOS date; on the EOS date itself it is past EOS."""
        return day < self.eos_date
