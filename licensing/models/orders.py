"""L2: orders — a purchase at a site on a date — and their lines."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import ScopedQuerySet
from licensing.models.catalogue import PRICE, Edition, Product, Version
from portal.core.money import DEFAULT_CURRENCY

# L2/L6: the most one order line (or one imported row) may carry. One bound for every path
# that writes lines: the order form, the admin and the CSV import. Above it a typo is far
# likelier than a purchase, and it keeps quantities inside every database's integer column.
MAX_LINE_QUANTITY = 1_000_000
# L2: a reseller dates an order within this many days before today (never after it), so end
# of sale (judged on the order date) cannot be got round by back-dating; staff may enter older
# orders (migrations, corrections). Review #7 item 5: the seeds and SPEC give no number.
RESELLER_BACKDATE_DAYS = 30


class OrderQuerySet(ScopedQuerySet):
    site_lookup = "site__"


class Order(models.Model):
    """L2: a purchase at a site on a date, direct or through the site's reseller."""

    class Source(models.TextChoices):
        ADMIN = "admin", _("Entered by staff")
        PORTAL = "portal", _("Placed by the reseller")
        IMPORT = "import", _("Imported")
        QUOTE = "quote", _("From an accepted quote")

    number = models.CharField(_("order number"), max_length=40, unique=True)
    site = models.ForeignKey(
        "accounts.Site", verbose_name=_("site"), on_delete=models.PROTECT, related_name="orders"
    )
    ordered_on = models.DateField(_("order date"))
    reseller = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("through reseller"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
    )
    source = models.CharField(_("source"), max_length=8, choices=Source.choices)
    currency = models.CharField(_("currency"), max_length=3, default=DEFAULT_CURRENCY)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # The confirmation step's one-time key: a confirmation submitted twice places one order
    # (the unique index decides between two concurrent submits).
    placement_token = models.UUIDField(
        _("placement token"), null=True, blank=True, unique=True, editable=False
    )

    objects = OrderQuerySet.as_manager()

    class Meta:
        ordering = ["-ordered_on", "-pk"]
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        indexes = [models.Index(fields=["site", "ordered_on"])]

    def __str__(self) -> str:
        return self.number

    def get_additional_data(self) -> dict:
        return {"site_id": self.site_id}

    @property
    def channel_label(self) -> str:
        """L2: how the order was bought — "Direct" or "Through <reseller>" — in the one
        wording every page, CSV and PDF shows (review #7 item 15)."""
        return self.channel_label_of(self.reseller.name if self.reseller_id else None)

    @staticmethod
    def channel_label_of(reseller_name: str | None) -> str:
        """The same wording from a reseller's name alone (CSV rows read values, not orders)."""
        if reseller_name:
            return gettext("Through %(reseller)s") % {"reseller": reseller_name}
        return gettext("Direct")


class OrderLine(models.Model):
    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="lines"
    )
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    edition = models.ForeignKey(
        Edition, verbose_name=_("edition"), on_delete=models.PROTECT, null=True, blank=True
    )
    version = models.ForeignKey(
        Version, verbose_name=_("version"), on_delete=models.PROTECT, null=True, blank=True
    )
    quantity = models.PositiveIntegerField(
        _("quantity"),
        validators=[MinValueValidator(1), MaxValueValidator(MAX_LINE_QUANTITY)],
    )
    unit_price = models.DecimalField(_("unit price"), **PRICE)
    # A line that renews, reinstates or changes an entitlement it did not create (an accepted
    # quote, N6): the order PoE lists it with the coverage the line paid for.
    applies_to = models.ForeignKey(
        "licensing.Entitlement",
        verbose_name=_("applies to"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applied_order_lines",
    )

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name="order_line_quantity_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product.part_number}"
