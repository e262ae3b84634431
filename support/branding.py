"""S8: a certified service partner's name, logo and colours brand its clients' pages and
e-mails (and its own users' pages)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse

from accounts.models import Organisation, Site


@dataclass(frozen=True)
class Brand:
    name: str
    logo_url: str  # "" without a logo
    primary: str  # "#RRGGBB" or ""
    secondary: str
    partner_id: int


def brand_of(partner: Organisation | None, *, absolute: bool = False) -> Brand | None:
    """The brand of a certified service partner that set a brand name (else None)."""
    if partner is None or not partner.is_certified_service_partner or not partner.brand_name:
        return None
    logo = ""
    if partner.brand_logo:
        logo = reverse("support:brand_logo", kwargs={"partner_id": partner.pk})
        if absolute:
            logo = settings.SITE_URL + logo
    return Brand(
        name=partner.brand_name,
        logo_url=logo,
        primary=partner.brand_primary_colour,
        secondary=partner.brand_secondary_colour,
        partner_id=partner.pk,
    )


def brand_for_site(site: Site, *, absolute: bool = False) -> Brand | None:
    return brand_of(site.reseller, absolute=absolute) if site.reseller_id else None
