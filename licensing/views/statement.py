"""L5: the customer statement of a site as a page, a CSV and a PDF.

Whoever can see the site sees its statement (A4: another tenant's site is a 404); unit prices
are shown only to those who run the site (primary contacts, site administrators, the
account-managing reseller and staff), not to technical contacts and callers, whose inventory
access is read-only and technical."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from accounts.decorators import allow_methods
from accounts.selectors import site_get_for_user
from licensing import statement
from licensing.models import Product
from licensing.views.common import csv_stream, scope_site, today
from portal.core.pagination import paginate

OTHER_ENTITLEMENTS_SHOWN = 50  # the page lists these; the CSV and PDF have them all


def _site_and_prices(request, number: str):
    site = site_get_for_user(user=request.user, number=number)
    return site, request.user.has_perm("site.manage", site)


@allow_methods(("GET",), scope=scope_site)
def statement_page(request, number: str):
    site, with_prices = _site_and_prices(request, number)
    as_of = today()
    others = statement.statement_other_entitlements(site=site, as_of=as_of)
    return render(
        request,
        "licensing/statement.html",
        {
            "site": site,
            "as_of": as_of,
            "with_prices": with_prices,
            "registration": statement.statement_registration(site=site, as_of=as_of),
            "page": paginate(request, statement.statement_orders(site=site, as_of=as_of)),
            "others": others[:OTHER_ENTITLEMENTS_SHOWN],
            "others_count": others.count(),
            "consumable": Product.Kind.CONSUMABLE,
            "can_manage": with_prices,
            "can_manage_callers": request.user.has_perm("site.manage_callers", site),
        },
    )


@allow_methods(("GET",), scope=scope_site)
def statement_csv(request, number: str):
    site, with_prices = _site_and_prices(request, number)
    as_of = today()
    return csv_stream(
        filename=f"statement-{site.number}-{as_of:%Y-%m-%d}.csv",
        header=statement.statement_csv_header(with_prices=with_prices),
        rows=statement.statement_csv_rows(site=site, as_of=as_of, with_prices=with_prices),
    )


@allow_methods(("GET",), scope=scope_site)
def statement_pdf(request, number: str):
    site, with_prices = _site_and_prices(request, number)
    as_of = today()
    response = HttpResponse(
        statement.statement_pdf(site=site, as_of=as_of, with_prices=with_prices),
        content_type="application/pdf",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="statement-{site.number}-{as_of:%Y-%m-%d}.pdf"'
    )
    return response
