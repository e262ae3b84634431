"""The customer's renewals page (next anniversary, open quotes, level, what lapses when) and the
reinstatement request (N5) the inventory, the entitlement page and this page offer."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.decorators import guarded
from licensing.selectors import entitlements_for_user
from portal.core.pagination import paginate
from renewals.levels import level_summary
from renewals.selectors import agreement_renewals, lapse_window, renewal_agreements_for_user
from renewals.services.reinstatement import reinstatement_quote_request

AGREEMENTS_PER_PAGE = 10


def reseller_renewals_url() -> str:
    """Where a reseller user's renewals live: the reseller renewals page where it exists
    (another feature's), else the portal's home."""
    try:
        return reverse("renewals:reseller_renewals")
    except NoReverseMatch:
        return reverse("dashboard")


@guarded(methods=("GET",))
def renewals(request):
    """N1/N5/N7/N8: per agreement the user sees: the next anniversary, the live quotes, the
    level and the year's points or licences, what lapses in each of the next twelve months
    and the lapsed lines to reinstate. Prices and quotes only where the user may see prices
    (SPEC §1: STCs and callers see dates and counts). Reseller users have their own page."""
    if request.user.reseller_id and not request.user.is_staff:
        return redirect(reseller_renewals_url())
    as_of = timezone.localdate()
    page = paginate(
        request, renewal_agreements_for_user(user=request.user), per_page=AGREEMENTS_PER_PAGE
    )
    entries = agreement_renewals(user=request.user, agreements=list(page), as_of=as_of)
    for entry in entries:
        entry.level = level_summary(agreement=entry.agreement, as_of=as_of)
    _starts, ends = lapse_window(as_of)
    return render(
        request,
        "renewals/renewals.html",
        {
            "page": page,
            "entries": entries,
            "as_of": as_of,
            "window_ends": ends,
            "querystring": "",
        },
    )


def scope_entitlement(request, *, entitlement_id: int, **_kwargs):
    """A4: an entitlement of another tenant is a 404, for every method."""
    return get_object_or_404(
        entitlements_for_user(request.user).select_related("site", "product"), pk=entitlement_id
    )


def _may_manage_site(user, entitlement) -> bool:
    return user.has_perm("site.manage", entitlement.site)


@guarded(
    methods=("POST",),
    scope=scope_entitlement,
    permission=_may_manage_site,
    replacing="entitlement_id",
)
def reinstatement_request(request, entitlement):
    """N5: "Get a reinstatement quote" for a lapsed line: one quote for every lapsed line of
    the product at the site, issued now or the live one handed back, then its page. A line
    that is not lapsed is refused with the reason, back where the request came from."""
    try:
        quote, issued = reinstatement_quote_request(
            entitlement_id=entitlement.pk,
            actor=request.user,
            as_of=timezone.localdate(),
            now=timezone.now(),
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("licensing:entitlement_detail", entitlement.pk)
    if issued:
        messages.success(
            request,
            _("Reinstatement quote %(number)s is ready for %(product)s at site %(site)s.")
            % {
                "number": quote.number,
                "product": entitlement.product.name,
                "site": entitlement.site.number,
            },
        )
    else:
        messages.info(
            request,
            _("Quote %(number)s is already open for these lapsed licences.")
            % {"number": quote.number},
        )
    return redirect("renewals:quote_detail", number=quote.number)
