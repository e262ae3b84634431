"""L4: Proof of Entitlement documents: the snapshot, its fingerprint, the PDF, verification."""

from __future__ import annotations

import hashlib
import json
from datetime import date

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Site, User
from licensing.models import Order, PoEDocument
from licensing.selectors import order_entitlements, site_current_entitlements
from portal.core.pdf import render_pdf

# Larger documents render in the Celery worker while the page shows progress.
RENDER_IN_WORKER_ABOVE = 200


def poe_lines(entitlements) -> list[dict]:
    """What a PoE shows for each entitlement, as plain JSON-able values."""
    return [
        {
            "poe_number": ent.poe_number,
            "part_number": ent.product.part_number,
            "product": ent.product.name,
            "edition": ent.edition.name if ent.edition else "",
            "version": ent.version.version if ent.version else "",
            "quantity": ent.quantity,
            "coverage_start": ent.coverage_start.isoformat(),
            "coverage_end": ent.coverage_end.isoformat(),
        }
        for ent in entitlements
    ]


def poe_snapshot(*, site: Site, order: Order | None) -> dict:
    entitlements = (
        order_entitlements(order=order) if order else site_current_entitlements(site=site)
    )
    return {
        "customer": site.customer.name,
        "site_number": site.number,
        "site_name": site.name,
        "agreement": f"{site.agreement.programme} {site.agreement.number}",
        "order_number": order.number if order else "",
        "order_date": order.ordered_on.isoformat() if order else "",
        "lines": poe_lines(entitlements),
    }


def fingerprint(snapshot: dict) -> str:
    return hashlib.sha256(json.dumps(snapshot, sort_keys=True).encode()).hexdigest()


@transaction.atomic
def poe_issue(*, site: Site, order: Order | None, actor: User | None, on: date) -> PoEDocument:
    """Issue (or reuse today's identical) PoE for a site or an order. Small documents are
    rendered at once; large ones are queued for the worker (state "pending")."""
    snapshot = poe_snapshot(site=site, order=order)
    digest = fingerprint(snapshot)
    existing = (
        PoEDocument.objects.filter(site=site, order=order, issued_on=on, fingerprint=digest)
        .exclude(state=PoEDocument.State.FAILED)
        .first()
    )
    if existing is not None:
        return existing
    document = PoEDocument.objects.create(
        kind=PoEDocument.Kind.ORDER if order else PoEDocument.Kind.SITE,
        site=site,
        order=order,
        issued_on=on,
        fingerprint=digest,
        snapshot=snapshot,
        line_count=len(snapshot["lines"]),
        requested_by=actor,
    )
    if document.line_count > RENDER_IN_WORKER_ABOVE:
        from licensing.tasks import poe_render_task

        transaction.on_commit(lambda: poe_render_task.delay(document.pk))
    else:
        poe_render(document=document)
    return document


def poe_render(*, document: PoEDocument) -> PoEDocument:
    """Render the stored snapshot to the PDF file (the same snapshot gives the same bytes)."""
    pdf = render_pdf(
        "pdf/poe.html",
        {"doc": document, "snapshot": document.snapshot, "verify_path": f"/verify/{document.code}"},
        identifier=document.code,
    )
    name = f"poe-{document.snapshot['site_number']}-{document.code}.pdf"
    document.file.save(name, ContentFile(pdf), save=False)
    document.state = PoEDocument.State.READY
    document.save(update_fields=["file", "state"])
    return document


def poe_is_current(document: PoEDocument) -> bool:
    """A PoE is current while the entitlements it lists are unchanged."""
    return fingerprint(poe_snapshot(site=document.site, order=document.order)) == (
        document.fingerprint
    )


def poe_verify(code: str) -> tuple[PoEDocument | None, bool]:
    document = (
        PoEDocument.objects.select_related("site__customer", "site__agreement", "order")
        .filter(code=code, state=PoEDocument.State.READY)
        .first()
    )
    if document is None:
        return None, False
    return document, poe_is_current(document)


def poe_filename(document: PoEDocument) -> str:
    return _("poe-%(site)s-%(date)s.pdf") % {
        "site": document.snapshot["site_number"],
        "date": document.issued_on.isoformat(),
    }
