"""L5: the customer statement of a site as a page, a CSV and a PDF.

Whoever can see the site sees its statement (A4: another tenant's site is a 404); unit prices
are shown only to those who run the site (primary contacts, site administrators, the
account-managing reseller and staff), not to technical contacts and callers, whose inventory
access is read-only and technical."""

from __future__ import annotations

from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from accounts.decorators import allow_methods
from accounts.selectors import site_get_for_user
from licensing import statement
from licensing.models import Product, StatementDocument
from licensing.poe import RENDER_IN_WORKER_ABOVE
from licensing.views.common import csv_stream, scope_site, today
from portal.core.pagination import paginate

OTHER_ENTITLEMENTS_SHOWN = 50  # the page lists these; the CSV and PDF have them all


def _site_and_prices(request, number: str):
    site = site_get_for_user(user=request.user, number=number)
    # SPEC §1, L5: prices follow the one rule written for them (accounts/rules.py).
    return site, request.user.has_perm("site.view_prices", site)


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
            "can_manage": request.user.has_perm("site.manage", site),
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
    """The PDF at once when small; a large one goes to the worker and the user waits on the
    status page, as for a large PoE (review #7 item 2)."""
    site, with_prices = _site_and_prices(request, number)
    as_of = today()
    line_count = statement.statement_line_count(site=site)
    if line_count > RENDER_IN_WORKER_ABOVE:
        document = statement.statement_document_request(
            site=site,
            as_of=as_of,
            with_prices=with_prices,
            actor=request.user,
            line_count=line_count,
        )
        return redirect("licensing:statement_status", document_id=document.pk)
    response = HttpResponse(
        statement.statement_pdf(site=site, as_of=as_of, with_prices=with_prices),
        content_type="application/pdf",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="statement-{site.number}-{as_of:%Y-%m-%d}.pdf"'
    )
    return response


def _statement_document(request, document_id: int) -> StatementDocument:
    """The user's own statement document on a site they still see; anyone else's is 404."""
    return get_object_or_404(
        StatementDocument.objects.for_user(request.user).select_related("site"),
        pk=document_id,
        requested_by=request.user,
    )


def scope_statement_document(request, *, document_id: int, **_kwargs) -> None:
    _statement_document(request, document_id)


@allow_methods(("GET",), scope=scope_statement_document)
def statement_status(request, document_id: int):
    """Progress while the worker renders a large statement (the PoE status page)."""
    document = _statement_document(request, document_id)
    return render(
        request,
        "licensing/poe_status.html",
        {
            "document": document,
            "is_statement": True,
            "download_url": reverse("licensing:statement_download", args=[document.pk]),
        },
    )


@allow_methods(("GET",), scope=scope_statement_document)
def statement_download(request, document_id: int):
    document = _statement_document(request, document_id)
    if document.state != StatementDocument.State.READY:
        return redirect("licensing:statement_status", document_id=document.pk)
    return FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=statement.statement_filename(document),
        content_type="application/pdf",
    )
