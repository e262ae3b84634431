"""Django admin for accounts: search, filters, list_select_related, the enrol action (A5)."""

from pathlib import PurePath

import filetype
from allauth.account.models import EmailAddress
from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_countries.filters import CountryFilter

from accounts import services
from accounts.models import Agreement, Contact, Invitation, Organisation, Site, User
from portal.core.admin_actions import run_for_each


class EmailAddressInline(admin.TabularInline):
    model = EmailAddress
    extra = 0
    fields = ("email", "verified", "primary")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ("email",)
    list_display = (
        "email",
        "first_name",
        "last_name",
        "reseller",
        "is_staff",
        "is_active",
        "last_login",
    )
    list_filter = ("is_staff", "is_superuser", "is_active", "reseller")
    list_select_related = ("reseller",)
    search_fields = ("email", "first_name", "last_name")
    autocomplete_fields = ("reseller",)
    inlines = [EmailAddressInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "language")}),
        (_("Reseller"), {"fields": ("reseller",)}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "reseller", "is_staff", "password1", "password2"),
            },
        ),
    )


class AgreementInline(admin.TabularInline):
    model = Agreement
    extra = 0
    fields = ("programme", "number", "anniversary_month")


# S8: a partner's logo is shown on every page its clients see: a real PNG, JPEG or WebP image
# (recognised by its content, whatever its name says), small enough for a navbar.
BRAND_LOGO_MAX_BYTES = 512 * 1024
BRAND_LOGO_TYPES = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp"}


def brand_logo_checked(upload: UploadedFile) -> UploadedFile:
    """The upload, named after what its content is (a PNG called logo.jpg is stored as
    logo.png, so it is served as what it is); anything but a PNG, JPEG or WebP image, or
    over 512 KB, is refused with the reason."""
    if upload.size > BRAND_LOGO_MAX_BYTES:
        raise ValidationError(
            _("The logo is %(size)s; it may be at most %(limit)s."),
            params={
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(BRAND_LOGO_MAX_BYTES),
            },
        )
    upload.seek(0)
    kind = filetype.guess(upload.read(8192))
    upload.seek(0)
    if kind is None or kind.mime not in BRAND_LOGO_TYPES:
        raise ValidationError(
            _("The logo must be a PNG, JPEG or WebP image; this file is %(what)s."),
            params={"what": kind.mime if kind else _("not an image")},
        )
    upload.name = f"{PurePath(upload.name).stem or 'logo'}.{BRAND_LOGO_TYPES[kind.mime]}"
    return upload


class OrganisationAdminForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = (
            "name",
            "kind",
            "is_certified_service_partner",
            "brand_name",
            "brand_logo",
            "brand_primary_colour",
            "brand_secondary_colour",
        )
        help_texts = {
            "brand_name": _(
                "Shown on the pages and ticket e-mails of the partner's clients and users "
                "(S8). Required when a logo or colours are set."
            ),
            "brand_logo": _("A PNG, JPEG or WebP image of at most 512 KB, shown 28 px high."),
            "brand_primary_colour": _(
                "#RRGGBB: the navigation bar and primary buttons. Text on it is white or dark, "
                "whichever is readable; links use a darker shade where needed (WCAG AA)."
            ),
            "brand_secondary_colour": _("#RRGGBB: a stripe under the navigation bar."),
        }

    def clean_brand_logo(self):
        logo = self.cleaned_data.get("brand_logo")
        if isinstance(logo, UploadedFile):
            return brand_logo_checked(logo)
        return logo

    def clean(self):
        data = super().clean()
        branded = data.get("brand_logo") or any(
            data.get(name) for name in ("brand_primary_colour", "brand_secondary_colour")
        )
        if branded and not data.get("brand_name"):
            self.add_error(
                "brand_name", _("Give the brand a name: the logo and colours are shown with it.")
            )
        return data


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    form = OrganisationAdminForm
    list_display = ("name", "kind", "is_certified_service_partner", "brand_name", "created_at")
    list_filter = ("kind", "is_certified_service_partner")
    search_fields = ("name", "brand_name")
    readonly_fields = ("brand_logo_preview",)
    fieldsets = (
        (None, {"fields": ("name", "kind")}),
        (
            _("Reseller"),
            {
                "fields": (
                    "is_certified_service_partner",
                    "brand_name",
                    "brand_logo",
                    "brand_logo_preview",
                    "brand_primary_colour",
                    "brand_secondary_colour",
                )
            },
        ),
    )
    inlines = [AgreementInline]

    @admin.display(description=_("logo as shown"))
    def brand_logo_preview(self, obj):
        """The logo as the portal serves it (S8: only a certified service partner's, with a
        brand name, is served)."""
        if not (obj and obj.brand_logo and obj.is_certified_service_partner and obj.brand_name):
            return _(
                "(shown once the organisation is a certified service partner with a "
                "brand name and a logo)"
            )
        return format_html(
            '<img src="{}" alt="{}" height="28">',
            reverse("support:brand_logo", kwargs={"partner_id": obj.pk}),
            obj.brand_name,
        )


@admin.register(Agreement)
class AgreementAdmin(admin.ModelAdmin):
    list_display = ("number", "programme", "customer", "anniversary_month")
    list_filter = ("programme", "anniversary_month")
    list_select_related = ("customer",)
    search_fields = ("number", "customer__name")
    autocomplete_fields = ("customer",)


class ContactInline(admin.StackedInline):
    model = Contact
    extra = 0
    autocomplete_fields = ("user",)
    fields = (
        ("name", "email", "phone", "language"),
        "user",
        ("is_primary", "is_site_admin", "stc_role", "is_authorized_caller"),
        ("is_poe_contact", "is_renewal_contact", "is_billing_contact", "is_media_contact"),
    )


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ("number", "name", "customer", "agreement", "reseller", "country", "enrolled_at")
    # CountryFilter lists only the countries sites are in, not all 250 of them.
    list_filter = ("agreement__programme", ("country", CountryFilter), "reseller", "enrolled_at")
    list_select_related = ("customer", "agreement", "reseller")
    search_fields = ("number", "name", "customer__name", "city")
    autocomplete_fields = ("customer", "agreement", "reseller")
    readonly_fields = ("enrolled_at", "created_at")
    inlines = [ContactInline]
    actions = ["enrol", "resend_welcome"]

    @admin.action(description=_("Enrol: send the welcome e-mail to the primary contact"))
    def enrol(self, request, queryset):
        """A5: staff enrol sites; each primary contact gets a single-use set-password link."""
        run_for_each(
            self,
            request,
            queryset,
            action=lambda site, actor: services.site_enrol(
                site=site, actor=actor, now=timezone.now()
            ),
            done=lambda count: (
                ngettext(
                    "%(count)d site enrolled; its welcome e-mail is on its way.",
                    "%(count)d sites enrolled; their welcome e-mails are on their way.",
                    count,
                )
                % {"count": count}
            ),
        )

    @admin.action(description=_("Resend the welcome e-mail (the previous link stops working)"))
    def resend_welcome(self, request, queryset):
        """A5, review #7 item 12: a new welcome link for enrolled sites whose primary contact
        has not accepted; "Enrol" refuses an enrolled site, so this is its own action."""
        run_for_each(
            self,
            request,
            queryset,
            action=lambda site, actor: services.site_welcome_resend(
                site=site, actor=actor, now=timezone.now()
            ),
            done=lambda count: (
                ngettext(
                    "%(count)d welcome e-mail sent again; the previous link stops working.",
                    "%(count)d welcome e-mails sent again; the previous links stop working.",
                    count,
                )
                % {"count": count}
            ),
        )


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "email",
        "site",
        "is_primary",
        "is_site_admin",
        "stc_role",
        "is_authorized_caller",
        "user",
    )
    list_filter = (
        "is_primary",
        "is_site_admin",
        "stc_role",
        "is_authorized_caller",
        "is_poe_contact",
        "is_renewal_contact",
        "is_billing_contact",
        "is_media_contact",
    )
    list_select_related = ("site", "user")
    search_fields = ("name", "email", "site__number", "site__name")
    autocomplete_fields = ("site", "user")


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = (
        "email",
        "kind",
        "contact_site",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "revoked_at",
    )
    list_filter = ("kind", "accepted_at", "revoked_at")
    list_select_related = ("contact__site", "invited_by")
    search_fields = ("email", "contact__site__number")
    readonly_fields = (
        "contact",
        "kind",
        "email",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "revoked_at",
        "superseded_by",
    )

    @admin.display(description=_("site"), ordering="contact__site__number")
    def contact_site(self, invitation):
        return invitation.contact.site.number

    def has_add_permission(self, request):
        return False  # invitations come from enrolment and the site pages
