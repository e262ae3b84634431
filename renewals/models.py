"""Renewals and volume programmes (SPEC §3, N1–N10): quotes of every kind with their lines,
revision chains and PDFs; volume levels (admin data) and each agreement's level and its
history; three-year commitments; the per-user calendar feed."""

from __future__ import annotations

import secrets
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import ScopedQuerySet, site_visibility
from licensing.models import PRICE
from licensing.models.documents import RenderedDocument
from portal.core.money import DEFAULT_CURRENCY

PERCENT = {"max_digits": 6, "decimal_places": 2}


def new_quote_number(issued_on: date) -> str:
    return f"Q-{issued_on:%Y%m%d}-{secrets.token_hex(3).upper()}"


class QuoteQuerySet(models.QuerySet):
    def for_user(self, user):
        """A4: quotes with a line at a site the user may see. Staff see all; a reseller user
        its own quotes (the quotes of the sites it manages); a customer user the quotes of its
        sites."""
        visible = site_visibility(user, via="site__")
        if visible is None:
            return self.none()
        if user.is_staff:
            return self
        if user.reseller_id:
            return self.filter(reseller_id=user.reseller_id)
        return self.filter(pk__in=QuoteLine.objects.filter(visible).values("quote_id"))

    def live(self):
        return self.filter(state__in=(Quote.State.DRAFT, Quote.State.OPEN))


class Quote(models.Model):
    """N6: a quote of any kind. Lines are grouped by site; the reseller that manages the sites
    (the account manager) sets its client's price before the quote is sent (a draft until
    then). A revision supersedes the quote before it in the same series (N4)."""

    class Kind(models.TextChoices):
        RENEWAL = "renewal", _("Renewal")
        REINSTATEMENT = "reinstatement", _("Reinstatement")
        MOVE_FEE = "move_fee", _("Licence move")
        EDITION_CHANGE = "edition_change", _("Edition change or upgrade")
        ONSITE = "onsite", _("Onsite support")
        UNRETURNED_UNIT = "rma_unit", _("Unreturned replacement unit")

    class Notice(models.TextChoices):
        ANNIVERSARY = "anniversary", _("Anniversary quote")
        MONTHLY = "monthly", _("Monthly renewal notice")
        REQUEST = "request", _("On request")

    class State(models.TextChoices):
        DRAFT = "draft", _("Waiting for the reseller's price")
        OPEN = "open", _("Open")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Expired")
        SUPERSEDED = "superseded", _("Replaced by a revision")

    number = models.CharField(_("quote number"), max_length=30, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    notice = models.CharField(
        _("issued as"), max_length=12, choices=Notice.choices, default=Notice.REQUEST
    )
    agreement = models.ForeignKey(
        "accounts.Agreement",
        verbose_name=_("agreement"),
        on_delete=models.PROTECT,
        related_name="quotes",
    )
    reseller = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("account manager (reseller)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="quotes",
    )
    site = models.ForeignKey(
        "accounts.Site",
        verbose_name=_("site"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="quotes",
        help_text=_("The site, when every line is at one site."),
    )
    # The chain a quote belongs to: its revisions share the key (N4), and the key is what a
    # batch job looks for before issuing, so a job run twice issues nothing twice.
    series_key = models.CharField(_("series"), max_length=160)
    revision = models.PositiveSmallIntegerField(_("revision"), default=0)
    supersedes = models.OneToOneField(
        "self",
        verbose_name=_("supersedes"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices)
    issued_on = models.DateField(_("issued"))
    valid_until = models.DateField(_("valid until"))
    renews_to = models.DateField(_("renews to"), null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default=DEFAULT_CURRENCY)
    level_code = models.CharField(_("level"), max_length=8, blank=True)
    discount_percent = models.DecimalField(_("level discount %"), default=Decimal(0), **PERCENT)
    reseller_adjustment_percent = models.DecimalField(
        _("reseller's adjustment %"), null=True, blank=True, **PERCENT
    )
    vendor_total = models.DecimalField(_("vendor total"), default=Decimal(0), **PRICE)
    # N9: why renewing this quote as it stands breaks a three-year commitment ("" when not).
    commitment_warning = models.CharField(_("commitment warning"), max_length=300, blank=True)
    sent_at = models.DateTimeField(_("sent to the customer"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decline_reason = models.CharField(_("reason for declining"), max_length=300, blank=True)
    # What the kind's builder needs to rebuild or apply the quote (ids, dates), e.g. the move
    # a move-fee quote is for.
    subject = models.JSONField(_("about"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = QuoteQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_on", "-pk"]
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        constraints = [
            models.UniqueConstraint(fields=["series_key", "revision"], name="quote_revision"),
            # N4/N6: one live quote per series; a revision supersedes the one before it.
            models.UniqueConstraint(
                fields=["series_key"],
                condition=Q(state__in=["draft", "open"]),
                name="one_live_quote_per_series",
            ),
        ]
        indexes = [
            models.Index(fields=["agreement", "state"]),
            models.Index(fields=["reseller", "state", "valid_until"]),
            models.Index(fields=["state", "valid_until"]),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_live(self) -> bool:
        return self.state in (self.State.DRAFT, self.State.OPEN)

    def get_additional_data(self) -> dict:
        return {"site_id": self.site_id} if self.site_id else {}


class QuoteLineQuerySet(ScopedQuerySet):
    site_lookup = "site__"


class QuoteLine(models.Model):
    """N6: one line of a quote: what it does to which entitlement, at what price."""

    class Action(models.TextChoices):
        EXTEND = "extend", _("Renew S&S")
        REINSTATE = "reinstate", _("Reinstate S&S")
        FEE = "fee", _("Fee")
        UPGRADE = "upgrade", _("Upgrade")
        EDITION = "edition", _("Edition change")
        SERVICE = "service", _("Service")

    quote = models.ForeignKey(
        Quote, verbose_name=_("quote"), on_delete=models.CASCADE, related_name="lines"
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    site = models.ForeignKey(
        "accounts.Site", verbose_name=_("site"), on_delete=models.PROTECT, related_name="+"
    )
    entitlement = models.ForeignKey(
        "licensing.Entitlement",
        verbose_name=_("entitlement"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="quote_lines",
    )
    product = models.ForeignKey(
        "licensing.Product", verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    edition = models.ForeignKey(
        "licensing.Edition",
        verbose_name=_("edition"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    version = models.ForeignKey(
        "licensing.Version",
        verbose_name=_("version"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    target_edition = models.ForeignKey(
        "licensing.Edition",
        verbose_name=_("new edition"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    target_version = models.ForeignKey(
        "licensing.Version",
        verbose_name=_("new version"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    description = models.CharField(_("description"), max_length=300)
    quantity = models.PositiveIntegerField(_("quantity"))
    # N1: co-term lines are offered; the customer chooses them when accepting.
    is_optional = models.BooleanField(_("optional (co-term)"), default=False)
    is_selected = models.BooleanField(_("chosen"), default=True)
    covers_from = models.DateField(_("covers from"), null=True, blank=True)
    covers_to = models.DateField(_("covers to"), null=True, blank=True)
    months = models.PositiveSmallIntegerField(_("months"), null=True, blank=True)
    base_price = models.DecimalField(
        _("base price"), help_text=_("Annual S&S, reinstatement or fee, per unit."), **PRICE
    )
    discount_percent = models.DecimalField(_("discount %"), default=Decimal(0), **PERCENT)
    unit_price = models.DecimalField(_("unit price"), **PRICE)
    amount = models.DecimalField(_("amount"), **PRICE)
    # N6: the client's price once its reseller has set it (None: the vendor's price).
    client_unit_price = models.DecimalField(
        _("client's unit price"), null=True, blank=True, **PRICE
    )
    client_amount = models.DecimalField(_("client's amount"), null=True, blank=True, **PRICE)
    # N9: priced under a three-year commitment (returned if the commitment is not renewed).
    under_commitment = models.BooleanField(_("3YC price"), default=False)
    order_line = models.OneToOneField(
        "licensing.OrderLine",
        verbose_name=_("order line"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="quote_line",
    )

    objects = QuoteLineQuerySet.as_manager()

    class Meta:
        ordering = ["quote", "position", "pk"]
        verbose_name = _("quote line")
        verbose_name_plural = _("quote lines")
        indexes = [models.Index(fields=["entitlement", "quote"])]

    def __str__(self) -> str:
        return self.description

    @property
    def customer_unit_price(self):
        return self.client_unit_price if self.client_unit_price is not None else self.unit_price

    @property
    def customer_amount(self):
        return self.client_amount if self.client_amount is not None else self.amount


class QuoteDocument(RenderedDocument):
    """E3: a quote's PDF, stored with the quote (one per revision and price: a reseller's
    price makes a new one). Reproducible: the same quote gives the same bytes."""

    class Audience(models.TextChoices):
        # N6: whose price the PDF shows. Customers only ever get the client's price; the
        # vendor's price (what the reseller pays) is for the quote's reseller and staff.
        CLIENT = "client", _("Client's price")
        VENDOR = "vendor", _("Vendor's price")

    quote = models.ForeignKey(
        Quote, verbose_name=_("quote"), on_delete=models.CASCADE, related_name="documents"
    )
    audience = models.CharField(
        _("prices for"), max_length=6, choices=Audience.choices, default=Audience.CLIENT
    )
    fingerprint = models.CharField(_("fingerprint"), max_length=64)
    # Exactly what the PDF shows (E3): a large quote renders in the worker from this, so a
    # price set meanwhile cannot slip into a document fingerprinted before it.
    snapshot = models.JSONField(_("content"), default=dict)
    file = models.FileField(_("file"), upload_to="quotes/", blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("quote PDF")
        verbose_name_plural = _("quote PDFs")
        constraints = [
            models.UniqueConstraint(
                fields=["quote", "fingerprint"], name="one_document_per_quote_content"
            )
        ]

    def __str__(self) -> str:
        return f"{self.quote.number} PDF"


# --- levels (N7, N8, N9) -----------------------------------------------------------------


class Level(models.Model):
    """N7/N8/N9: a volume level and its discount — admin data. PA levels are reached by points
    earned in the agreement year, VIP levels by qualifying licences; PAE has one fixed level;
    VIP 3YC levels (12, 13, 14) are the commitment versions of 2, 3 and 4."""

    programme = models.CharField(
        _("programme"), max_length=3, choices=[("PA", "PA"), ("PAE", "PAE"), ("VIP", "VIP")]
    )
    code = models.CharField(_("code"), max_length=8)
    name = models.CharField(_("name"), max_length=60)
    threshold = models.PositiveIntegerField(
        _("from"), help_text=_("Points (PA) or qualifying licences (VIP) that reach this level.")
    )
    discount_percent = models.DecimalField(_("discount %"), default=Decimal(0), **PERCENT)
    is_commitment = models.BooleanField(_("three-year commitment level"), default=False)

    class Meta:
        ordering = ["programme", "is_commitment", "threshold"]
        verbose_name = _("level")
        verbose_name_plural = _("levels")
        constraints = [
            models.UniqueConstraint(fields=["programme", "code"], name="level_code"),
        ]

    def __str__(self) -> str:
        return f"{self.programme} {self.name}"


class AgreementLevel(models.Model):
    """An agreement's level now (N7/N8/N9), kept current by orders, the yearly reconciliation
    and commitments; `vip_select_since` keeps VIP Select for later renewals (N8)."""

    agreement = models.OneToOneField(
        "accounts.Agreement",
        verbose_name=_("agreement"),
        on_delete=models.CASCADE,
        related_name="level_state",
    )
    level = models.ForeignKey(Level, verbose_name=_("level"), on_delete=models.PROTECT)
    since = models.DateField(_("since"))
    vip_select_since = models.DateField(_("VIP Select since"), null=True, blank=True)

    class Meta:
        verbose_name = _("agreement level")
        verbose_name_plural = _("agreement levels")

    def __str__(self) -> str:
        return f"{self.agreement} → {self.level}"


class LevelChange(models.Model):
    """The history of an agreement's level: each change, why, and (for the reconciliation,
    N8) the e-mail key, so a job run twice changes nothing twice."""

    class Reason(models.TextChoices):
        ORDER = "order", _("A single order of 10 or more licences")
        RECONCILIATION = "reconciliation", _("Reconciliation 31 days before the anniversary")
        POINTS_YEAR = "points_year", _("Points earned in the agreement year")
        COMMITMENT = "commitment", _("Three-year commitment accepted")
        COMMITMENT_BROKEN = "commitment_broken", _("Three-year commitment not renewed")
        COMMITMENT_COMPLETED = "commitment_done", _("Three-year commitment term completed")
        ADMIN = "admin", _("Set by staff")

    agreement = models.ForeignKey(
        "accounts.Agreement",
        verbose_name=_("agreement"),
        on_delete=models.CASCADE,
        related_name="level_changes",
    )
    key = models.CharField(_("key"), max_length=160, unique=True)
    changed_on = models.DateField(_("date"))
    old_code = models.CharField(_("old level"), max_length=8, blank=True)
    new_code = models.CharField(_("new level"), max_length=8)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    count = models.PositiveIntegerField(_("points or licences counted"), default=0)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["-changed_on", "-pk"]
        verbose_name = _("level change")
        verbose_name_plural = _("level changes")

    def __str__(self) -> str:
        return f"{self.agreement}: {self.old_code or '–'} → {self.new_code}"


class Commitment(models.Model):
    """N9: a VIP Select customer's three-year commitment to a licence quantity."""

    class State(models.TextChoices):
        INVITED = "invited", _("Invited")
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Completed")
        BROKEN = "broken", _("Not renewed: ended")
        DECLINED = "declined", _("Declined")

    agreement = models.ForeignKey(
        "accounts.Agreement",
        verbose_name=_("agreement"),
        on_delete=models.PROTECT,
        related_name="commitments",
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices)
    invited_on = models.DateField(_("invited"))
    quantity = models.PositiveIntegerField(_("committed licences"), null=True, blank=True)
    accepted_on = models.DateField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The term: from acceptance to the third anniversary after it.
    ends_on = models.DateField(_("term ends"), null=True, blank=True)
    level_before = models.CharField(_("level before"), max_length=8, blank=True)
    # N9: the last anniversary of the term whose renewal was checked (a job run twice checks
    # nothing twice; a day missed is caught up).
    checked_through = models.DateField(_("renewal checked through"), null=True, blank=True)
    ended_on = models.DateField(_("ended"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-invited_on", "-pk"]
        verbose_name = _("three-year commitment")
        verbose_name_plural = _("three-year commitments")
        constraints = [
            models.UniqueConstraint(
                fields=["agreement"],
                condition=Q(state__in=["invited", "active"]),
                name="one_live_commitment_per_agreement",
            ),
        ]

    def __str__(self) -> str:
        return f"3YC {self.agreement} ({self.get_state_display()})"


class CommitmentPrice(models.Model):
    """N9: the prices fixed for the term, per product; a product first priced during the term
    is fixed at its price then (products added to the catalogue are under the same terms)."""

    commitment = models.ForeignKey(
        Commitment, verbose_name=_("commitment"), on_delete=models.CASCADE, related_name="prices"
    )
    product = models.ForeignKey(
        "licensing.Product", verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    list_price = models.DecimalField(_("list price"), **PRICE)
    annual_ss_price = models.DecimalField(_("annual S&S price"), **PRICE)
    fixed_on = models.DateField(_("fixed on"))

    class Meta:
        verbose_name = _("fixed price")
        verbose_name_plural = _("fixed prices")
        constraints = [
            models.UniqueConstraint(fields=["commitment", "product"], name="one_price_per_product")
        ]

    def __str__(self) -> str:
        return f"{self.product_id}: {self.annual_ss_price}"


def new_feed_token() -> str:
    return secrets.token_urlsafe(24)


class CalendarFeed(models.Model):
    """The secret address of a user's .ics feed (anniversaries, reconciliation dates, quote
    deadlines). Whoever has the address can read the feed, so it can be replaced."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="calendar_feed",
    )
    token = models.CharField(_("token"), max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"feed of {self.user_id}"
