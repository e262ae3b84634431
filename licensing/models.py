"""Catalogue, orders, entitlements, coverage, activations, PoE documents, transfers and moves
(SPEC §2, rules L1–L10)."""

from __future__ import annotations

import secrets
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.core.money import DEFAULT_CURRENCY, percent_of

EXPIRING_WITHIN = timedelta(days=90)  # L3: "expiring" when coverage ends within 90 days
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
        help_text=_("Leave empty for 60 % of the list price. Must exceed the annual S&S price."),
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


class Order(models.Model):
    """L2: a purchase at a site on a date, direct or through the site's reseller."""

    class Source(models.TextChoices):
        ADMIN = "admin", _("Entered by staff")
        PORTAL = "portal", _("Placed by the reseller")
        IMPORT = "import", _("Imported")

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

    class Meta:
        ordering = ["-ordered_on", "-pk"]
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        indexes = [models.Index(fields=["site", "ordered_on"])]

    def __str__(self) -> str:
        return self.number

    def get_additional_data(self) -> dict:
        return {"site_id": self.site_id}


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
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    unit_price = models.DecimalField(_("unit price"), **PRICE)

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


def new_poe_number() -> str:
    return "POE-" + secrets.token_hex(5).upper()


class EntitlementQuerySet(models.QuerySet):
    def with_status(self, as_of: date):
        """Annotate `status` (L3) computed in the database, so lists can filter and sort."""
        return self.annotate(
            status=models.Case(
                models.When(coverage_end__lt=as_of, then=models.Value("lapsed")),
                models.When(
                    coverage_end__lte=as_of + EXPIRING_WITHIN, then=models.Value("expiring")
                ),
                default=models.Value("covered"),
                output_field=models.CharField(),
            )
        )

    def covered_on(self, day: date):
        return self.filter(coverage_start__lte=day, coverage_end__gte=day)


class Entitlement(models.Model):
    """L3: one inventory line. Coverage start/end mirror the entitlement's coverage periods
    (the history, never overwritten) so lists can filter and sort without joins."""

    class Status(models.TextChoices):
        COVERED = "covered", _("Covered")
        EXPIRING = "expiring", _("Expiring")
        LAPSED = "lapsed", _("Lapsed")

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

    def status_on(self, day: date) -> str:
        """L3: covered, expiring (coverage ends within 90 days) or lapsed (coverage ended)."""
        if self.coverage_end < day:
            return self.Status.LAPSED
        if self.coverage_end <= day + EXPIRING_WITHIN:
            return self.Status.EXPIRING
        return self.Status.COVERED

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

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("PoE document")
        verbose_name_plural = _("PoE documents")
        indexes = [models.Index(fields=["site", "kind", "created_at"])]

    def __str__(self) -> str:
        return f"PoE {self.code} ({self.get_kind_display()}, {self.issued_on})"


class SiteTransfer(models.Model):
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
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
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
        ordering = ["-requested_at"]
        verbose_name = _("site-to-site transfer")
        verbose_name_plural = _("site-to-site transfers")

    def __str__(self) -> str:
        return f"{self.source_site_id} → {self.target_site_id} ({self.get_state_display()})"

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


class LicenceMove(models.Model):
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
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("move to a new computer")
        verbose_name_plural = _("moves to a new computer")

    def __str__(self) -> str:
        return f"{self.entitlement_id}: → {self.new_machine_id} ({self.get_state_display()})"

    def get_additional_data(self) -> dict:
        return {"site_id": self.entitlement.site_id}


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

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("entitlement import")
        verbose_name_plural = _("entitlement imports")
        indexes = [models.Index(fields=["reseller", "created_at"])]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_state_display()})"
