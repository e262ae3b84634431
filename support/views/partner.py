"""Partner-branded support (S8): the brand's logo and stylesheet, and the certified service
partner's coverage page.

Who fetches a brand's logo and stylesheet: any signed-in user, and (the logo only) whoever
follows the signed link the ticket e-mails carry. They are not tenant data (a
partner shows its brand to everyone its portal pages and e-mails reach), so there is no
tenant to hide them from; an organisation that is not a certified service partner with a
brand (or has no logo) answers 404, the same as a missing one. Anonymous visitors sign in.

The coverage page is a reseller page (customers and staff: 403, as on every reseller page);
a reseller that is not a certified service partner gets 403 with the reason."""

from __future__ import annotations

import mimetypes

from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from accounts.decorators import allow_methods, guarded, is_reseller_user
from portal.core.pagination import list_context
from support import partner as partner_selectors
from support.branding import brand_of, branded_partner_get, logo_signature_valid
from support.partner_filters import CoverageFilter

LOGO_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
}
BRAND_MAX_AGE = 60 * 60  # an hour; the pages' links carry a version that changes with the brand


def _branded_partner(request, *, partner_id: int, **_kwargs):
    partner = branded_partner_get(partner_id=partner_id)
    if partner is None:
        raise Http404
    return partner


def _cached_privately(response):
    patch_cache_control(response, private=True, max_age=BRAND_MAX_AGE)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def brand_logo(request, partner_id: int):
    """The partner's logo, as uploaded (its content was checked in the admin). Signed-in
    users, and e-mail clients following the signed link of the ticket e-mails (they fetch
    images without the reader's session); anyone else signs in first."""
    signed = logo_signature_valid(partner_id, request.GET.get("sig", ""))
    if not signed and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return _brand_logo(request, partner_id=partner_id)


@allow_methods(("GET",), scope=_branded_partner, login=False)
def _brand_logo(request, partner_id: int):
    partner = _branded_partner(request, partner_id=partner_id)
    if not partner.brand_logo:
        raise Http404
    name = partner.brand_logo.name
    extension = name[name.rfind(".") :].lower() if "." in name else ""
    content_type = LOGO_TYPES.get(extension) or mimetypes.guess_type(name)[0]
    if content_type not in LOGO_TYPES.values():
        raise Http404
    try:
        handle = partner.brand_logo.open("rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    return _cached_privately(FileResponse(handle, content_type=content_type))


@allow_methods(("GET",), scope=_branded_partner)
def brand_style(request, partner_id: int):
    """The brand's colours as CSS custom properties (support.branding.Brand.stylesheet)."""
    brand = brand_of(_branded_partner(request, partner_id=partner_id))
    css = brand.stylesheet() if brand else ""
    if not css:
        raise Http404
    return _cached_privately(HttpResponse(css, content_type="text/css; charset=utf-8"))


def _is_partner(user, _obj=None) -> bool:
    return partner_selectors.is_partner_user(user)


NOT_A_PARTNER = _(
    "Only certified service partners support their clients' sites, so only they have a "
    "coverage page (S8). Ask the vendor about becoming a certified service partner."
)


@guarded(methods=("GET",), role=is_reseller_user, permission=_is_partner)
def partner_coverage(request):
    """S8: the partner's client sites with hardware its support does not cover today; their
    tickets are refused until it is covered."""
    user = request.user
    if not partner_selectors.is_partner_user(user):
        return render(
            request,
            "support/partner/not_partner.html",
            {"reason": NOT_A_PARTNER},
            status=403,
        )
    as_of = timezone.localdate()
    coverage_filter = CoverageFilter(request.GET)
    choice = coverage_filter.choice()
    sites = partner_selectors.partner_sites_with_coverage(
        partner=user.reseller, as_of=as_of, flagged_only=choice["flagged"], sort=choice["sort"]
    )
    listing = list_context(request, sites)
    page_sites = list(listing["page"].object_list)
    lines = partner_selectors.uncovered_lines_by_site(
        site_ids=[site.pk for site in page_sites if site.uncovered_count], as_of=as_of
    )
    for site in page_sites:
        site.uncovered_lines = lines.get(site.pk, [])
    return render(
        request,
        "support/partner/coverage.html",
        {
            "filter": coverage_filter,
            "sites": page_sites,
            "as_of": as_of,
            "partner": user.reseller,
            **listing,
        },
    )
