"""Organisations, agreements, sites, contacts, users and invitations (SPEC §1, rules A1–A5)."""

from __future__ import annotations

import calendar
import secrets
import zoneinfo
from datetime import date, datetime

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

SITE_NUMBER_VALIDATOR = RegexValidator(
    r"^\d{7}$", _("A site number is exactly seven digits, e.g. 1234567.")
)
COLOUR_VALIDATOR = RegexValidator(
    r"^#[0-9a-fA-F]{6}$", _("Enter a colour as #RRGGBB, e.g. #0055AA.")
)
TIME_ZONE_CHOICES = [(name, name) for name in sorted(zoneinfo.available_timezones())]


class Language(models.TextChoices):
    ENGLISH = "en", _("English")
    POLISH = "pl", _("Polish")
    TRADITIONAL_CHINESE = "zh-hant", _("Traditional Chinese")


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A portal user. Signs in by e-mail (A6); linked to sites through contacts or to a reseller."""

    username = None
    email = models.EmailField(_("e-mail address"), unique=True)
    language = models.CharField(
        _("language"), max_length=8, choices=Language.choices, default=Language.ENGLISH
    )
    reseller = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("reseller"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        limit_choices_to={"kind": "reseller"},
        help_text=_("Set for reseller users: they act on the sites this reseller manages."),
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []
    objects = UserManager()

    class Meta:
        ordering = ["email"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        name = self.get_full_name()
        return f"{name} <{self.email}>" if name else self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.email.lower()
        if self.reseller_id and self.reseller.kind != Organisation.Kind.RESELLER:
            raise ValidationError({"reseller": _("Choose a reseller organisation.")})

    @property
    def is_reseller_user(self) -> bool:
        return self.reseller_id is not None

    @property
    def requires_mfa(self) -> bool:
        """A6: multi-factor sign-in is required for reseller and staff users."""
        return self.is_staff or self.is_reseller_user


class Organisation(models.Model):
    """A1: a customer or a reseller (business partner)."""

    class Kind(models.TextChoices):
        CUSTOMER = "customer", _("Customer")
        RESELLER = "reseller", _("Reseller")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    is_certified_service_partner = models.BooleanField(
        _("certified service partner"),
        default=False,
        help_text=_(
            "Resellers only: may open tickets for client sites and brand support (S2, S8)."
        ),
    )
    brand_name = models.CharField(_("brand name"), max_length=200, blank=True)
    brand_logo = models.ImageField(_("brand logo"), upload_to="branding/", blank=True)
    brand_primary_colour = models.CharField(
        _("brand primary colour"), max_length=7, blank=True, validators=[COLOUR_VALIDATOR]
    )
    brand_secondary_colour = models.CharField(
        _("brand secondary colour"), max_length=7, blank=True, validators=[COLOUR_VALIDATOR]
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        indexes = [models.Index(fields=["kind", "name"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"

    def clean(self) -> None:
        if self.kind == self.Kind.CUSTOMER and self.is_certified_service_partner:
            raise ValidationError(
                {"is_certified_service_partner": _("Only a reseller can be a service partner.")}
            )


class Agreement(models.Model):
    """A1: a customer's agreement in one programme, with its anniversary month."""

    class Programme(models.TextChoices):
        PA = "PA", _("PA – multi-site volume programme")
        PAE = "PAE", _("PAE – single-site express programme")
        VIP = "VIP", _("VIP – licence-count programme")

    customer = models.ForeignKey(
        Organisation,
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="agreements",
        limit_choices_to={"kind": Organisation.Kind.CUSTOMER},
    )
    programme = models.CharField(_("programme"), max_length=3, choices=Programme.choices)
    number = models.CharField(_("agreement number"), max_length=30, unique=True)
    anniversary_month = models.PositiveSmallIntegerField(
        _("anniversary month"),
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        choices=[(m, calendar.month_name[m]) for m in range(1, 13)],
        help_text=_("The anniversary is the last day of this month each year."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "programme"], name="one_agreement_per_programme"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme} {self.number}"

    def clean(self) -> None:
        if self.customer_id and self.customer.kind != Organisation.Kind.CUSTOMER:
            raise ValidationError({"customer": _("Agreements belong to customers.")})

    def anniversary_in(self, year: int) -> date:
        """A1: the anniversary date is the last day of the anniversary month."""
        last_day = calendar.monthrange(year, self.anniversary_month)[1]
        return date(year, self.anniversary_month, last_day)

    def next_anniversary(self, as_of: date) -> date:
        this_year = self.anniversary_in(as_of.year)
        return this_year if this_year >= as_of else self.anniversary_in(as_of.year + 1)


def site_visibility(user, *, via: str = "") -> Q | None:
    """A4, the one place the visibility rule is written: staff see every site, a reseller user
    the sites its reseller manages, anyone else the sites where they are a contact. `via` is
    the lookup path from another model to its site ("site__" for an entitlement). None means
    "nothing" (signed out or deactivated)."""
    if not user.is_authenticated or not user.is_active:
        return None
    if user.is_staff:
        return Q()
    if user.reseller_id:
        # A condition on the joined site rather than `site IN (subquery)`: the database then
        # walks the reseller's sites in (reseller, number) index order (tests/bench).
        return Q(**{f"{via}reseller_id": user.reseller_id})
    # The site itself (pk) or the foreign key that leads to it (site).
    field = via.removesuffix("__") or "pk"
    return Q(**{f"{field}__in": Contact.objects.filter(user=user).values("site_id")})


class ScopedQuerySet(models.QuerySet):
    """Rows that belong to a site; `site_lookup` is the path from the row to it ("site__")."""

    site_lookup = ""

    def for_user(self, user):
        """A4: the rows of the sites `user` may see (site_visibility)."""
        visible = site_visibility(user, via=self.site_lookup)
        return self.none() if visible is None else self.filter(visible)


class Site(models.Model):
    """A2: a customer site with a unique seven-digit number."""

    number = models.CharField(
        _("site number"), max_length=7, unique=True, validators=[SITE_NUMBER_VALIDATOR]
    )
    name = models.CharField(_("name"), max_length=200)
    address_line1 = models.CharField(_("address"), max_length=200)
    address_line2 = models.CharField(_("address (line 2)"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100)
    postcode = models.CharField(_("postcode"), max_length=20, blank=True)
    country = CountryField(_("country"))
    time_zone = models.CharField(
        _("time zone"), max_length=64, choices=TIME_ZONE_CHOICES, default="UTC"
    )
    language = models.CharField(
        _("language"), max_length=8, choices=Language.choices, default=Language.ENGLISH
    )
    customer = models.ForeignKey(
        Organisation,
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="sites",
        limit_choices_to={"kind": Organisation.Kind.CUSTOMER},
    )
    agreement = models.ForeignKey(
        Agreement, verbose_name=_("agreement"), on_delete=models.PROTECT, related_name="sites"
    )
    reseller = models.ForeignKey(
        Organisation,
        verbose_name=_("account manager (reseller)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="managed_sites",
        limit_choices_to={"kind": Organisation.Kind.RESELLER},
        help_text=_("Leave empty when the customer buys direct."),
    )
    enrolled_at = models.DateTimeField(_("enrolled"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["number"]
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        indexes = [
            models.Index(fields=["reseller", "number"]),
            models.Index(fields=["customer", "number"]),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"

    def get_additional_data(self) -> dict:
        """A7: audit entries carry the site so its customers can see the site's history."""
        return {"site_id": self.pk}

    def local_date(self, now: datetime) -> date:
        """The calendar date at the site at the instant `now` (A2: each site has its time
        zone); anniversaries (A1) are calendar dates there."""
        return timezone.localdate(now, zoneinfo.ZoneInfo(self.time_zone))

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.customer_id and self.customer.kind != Organisation.Kind.CUSTOMER:
            errors["customer"] = _("A site belongs to a customer organisation.")
        if self.reseller_id and self.reseller.kind != Organisation.Kind.RESELLER:
            errors["reseller"] = _("The account manager must be a reseller.")
        if self.agreement_id and self.customer_id:
            if self.agreement.customer_id != self.customer_id:
                errors["agreement"] = _("The agreement belongs to another customer.")
            elif self.agreement.programme == Agreement.Programme.PAE:
                others = Site.objects.filter(agreement_id=self.agreement_id).exclude(pk=self.pk)
                if others.exists():
                    errors["agreement"] = _(
                        "A PAE agreement has exactly one site; this one already has a site."
                    )
        if errors:
            raise ValidationError(errors)


class Contact(models.Model):
    """A3: a person acting for a site. Portal users are contacts with a user account.

    Roles are flags because one person may hold several (A3). Exactly one primary contact per
    site and at most one primary STC are database constraints; "never without a primary" is
    enforced by the services (accounts.services).
    """

    class STCRole(models.TextChoices):
        NONE = "", _("Not a technical contact")
        PRIMARY = "primary", _("Primary site technical contact")
        SECONDARY = "secondary", _("Secondary site technical contact")

    site = models.ForeignKey(
        Site, verbose_name=_("site"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail address"))
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    language = models.CharField(
        _("preferred language"), max_length=8, choices=Language.choices, default=Language.ENGLISH
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("portal user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contacts",
    )
    is_primary = models.BooleanField(_("primary contact"), default=False)
    is_site_admin = models.BooleanField(_("site administrator"), default=False)
    stc_role = models.CharField(
        _("site technical contact"), max_length=10, choices=STCRole.choices, blank=True, default=""
    )
    is_authorized_caller = models.BooleanField(_("authorized technical caller"), default=False)
    is_poe_contact = models.BooleanField(_("PoE contact"), default=False)
    is_renewal_contact = models.BooleanField(_("renewal contact"), default=False)
    is_billing_contact = models.BooleanField(_("billing contact"), default=False)
    is_media_contact = models.BooleanField(_("media shipping contact"), default=False)
    site_number_confirmed_at = models.DateTimeField(
        _("site number confirmed"), null=True, blank=True
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-is_primary", "name"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        constraints = [
            models.UniqueConstraint(fields=["site", "email"], name="contact_email_unique_per_site"),
            models.UniqueConstraint(
                fields=["site"], condition=Q(is_primary=True), name="one_primary_contact_per_site"
            ),
            models.UniqueConstraint(
                fields=["site"], condition=Q(stc_role="primary"), name="one_primary_stc_per_site"
            ),
            models.UniqueConstraint(
                fields=["site", "user"],
                condition=Q(user__isnull=False),
                name="one_contact_per_user_per_site",
            ),
        ]
        indexes = [models.Index(fields=["user", "site"])]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"

    def get_additional_data(self) -> dict:
        return {"site_id": self.site_id}

    @property
    def role_labels(self) -> list[str]:
        labels = []
        if self.is_primary:
            labels.append(_("Primary contact"))
        if self.is_site_admin:
            labels.append(_("Site administrator"))
        if self.stc_role == self.STCRole.PRIMARY:
            labels.append(_("Primary STC"))
        elif self.stc_role == self.STCRole.SECONDARY:
            labels.append(_("Secondary STC"))
        if self.is_authorized_caller:
            labels.append(_("Authorized caller"))
        for flag, label in (
            (self.is_poe_contact, _("PoE")),
            (self.is_renewal_contact, _("Renewals")),
            (self.is_billing_contact, _("Billing")),
            (self.is_media_contact, _("Media shipping")),
        ):
            if flag:
                labels.append(label)
        return labels

    @property
    def role_names(self) -> list[str]:
        """The roles in prose, lower case, for sentences such as "Your roles: site
        administrator and billing contact" (review #7 item 9); role_labels are the badges."""
        names = []
        if self.is_primary:
            names.append(_("primary contact"))
        if self.is_site_admin:
            names.append(_("site administrator"))
        if self.stc_role == self.STCRole.PRIMARY:
            names.append(_("primary site technical contact"))
        elif self.stc_role == self.STCRole.SECONDARY:
            names.append(_("secondary site technical contact"))
        if self.is_authorized_caller:
            names.append(_("authorized technical caller"))
        for flag, name in (
            (self.is_poe_contact, _("proof of entitlement contact")),
            (self.is_renewal_contact, _("renewals contact")),
            (self.is_billing_contact, _("billing contact")),
            (self.is_media_contact, _("media shipping contact")),
        ):
            if flag:
                names.append(name)
        return names


def _new_nonce() -> str:
    return secrets.token_urlsafe(24)


class Invitation(models.Model):
    """A5: a single-use, expiring link that lets a contact set a password and join a site.

    The welcome invitation goes to the primary contact when a site is enrolled; other
    invitations come from primary contacts, site admins and account-managing resellers.
    """

    class Kind(models.TextChoices):
        WELCOME = "welcome", _("Welcome (enrolment)")
        INVITATION = "invitation", _("Invitation")

    contact = models.ForeignKey(
        Contact, verbose_name=_("contact"), on_delete=models.CASCADE, related_name="invitations"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    email = models.EmailField(_("e-mail address"))
    nonce = models.CharField(max_length=64, unique=True, default=_new_nonce, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    superseded_by = models.ForeignKey(
        "self",
        verbose_name=_("replaced by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The newer link that replaced this one (its holder is told to use it)."),
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        indexes = [models.Index(fields=["contact", "accepted_at", "revoked_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.email}"

    def get_additional_data(self) -> dict:
        return {"site_id": self.contact.site_id}

    def is_usable(self, *, now: datetime) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > now

    def status_at(self, *, now: datetime) -> str:
        if self.accepted_at:
            return _("accepted")
        if self.superseded_by_id:
            return _("replaced")
        if self.revoked_at:
            return _("revoked")
        if self.expires_at <= now:
            return _("expired")
        return _("pending")
