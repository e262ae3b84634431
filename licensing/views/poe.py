"""L4: PoE downloads (per site and per order, rendered in the worker when large) and the
public verification page."""

from __future__ import annotations

from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from accounts.decorators import allow_methods
from accounts.selectors import site_get_for_user
from licensing import poe, selectors
from licensing.models import PoEDocument
from licensing.views.common import scope_order, scope_poe, scope_site, today


def _deliver(request, document: PoEDocument):
    if document.state == PoEDocument.State.READY:
        return FileResponse(
            document.file.open("rb"),
            as_attachment=True,
            filename=poe.poe_filename(document),
            content_type="application/pdf",
        )
    return redirect("licensing:poe_status", poe_id=document.pk)


@allow_methods(("GET",), scope=scope_site)
def site_poe(request, number: str):
    site = site_get_for_user(user=request.user, number=number)
    document = poe.poe_issue(site=site, order=None, actor=request.user, as_of=today())
    return _deliver(request, document)


@allow_methods(("GET",), scope=scope_order)
def order_poe(request, order_id: int):
    order = selectors.order_get_for_user(user=request.user, order_id=order_id)
    document = poe.poe_issue(site=order.site, order=order, actor=request.user, as_of=today())
    return _deliver(request, document)


@allow_methods(("GET",), scope=scope_poe)
def poe_status(request, poe_id: int):
    """Progress while the worker renders a large PoE; the page refreshes itself."""
    document = selectors.poe_get_for_user(user=request.user, poe_id=poe_id)
    return render(
        request,
        "licensing/poe_status.html",
        {
            "document": document,
            "download_url": reverse("licensing:poe_download", args=[document.pk]),
        },
    )


@allow_methods(("GET",), scope=scope_poe)
def poe_download(request, poe_id: int):
    document = selectors.poe_get_for_user(user=request.user, poe_id=poe_id)
    if document.state != PoEDocument.State.READY:
        return redirect("licensing:poe_status", poe_id=document.pk)
    return _deliver(request, document)


@allow_methods(("GET",), login=False)
def verify(request, code: str):
    """L4: public. Confirms a PoE is genuine and whether it is current, showing only what the
    document itself shows."""
    document, current = poe.poe_verify(code)
    if document is None:
        return render(request, "licensing/verify.html", {"code": code}, status=404)
    return render(
        request,
        "licensing/verify.html",
        {"code": code, "document": document, "snapshot": document.snapshot, "current": current},
    )
