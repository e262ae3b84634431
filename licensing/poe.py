"""L4: Proof of Entitlement documents: the snapshot, its fingerprint, the PDF, verification."""

from __future__ import annotations

import hashlib
import json
from datetime import date

from celery import shared_task
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import translation

from accounts.models import Site, User
from licensing.models import Entitlement, Order, PoEDocument
from licensing.models.documents import RenderedDocument
from licensing.selectors import order_entitlements
from portal.core.formatting import portal_language
from portal.core.jobs import enqueue_on_commit
from portal.core.pdf import render_pdf

# Larger documents (PoEs and statements alike) render in the Celery worker while the page
# shows progress (templates/licensing/poe_status.html, static/js/poll.js).
RENDER_IN_WORKER_ABOVE = 200


# --- the rendering machinery every worker-rendered PDF shares (RenderedDocument) ----------


def document_render_or_queue(document: RenderedDocument, *, render, task) -> None:
    """Render `document` now when small; queue `task(document.pk)` for the worker after
    commit when it has more than RENDER_IN_WORKER_ABOVE lines (it stays "pending")."""
    if document.line_count > RENDER_IN_WORKER_ABOVE:
        enqueue_on_commit(task, document.pk)
    else:
        render(document=document)


def document_store(document: RenderedDocument, *, name: str, pdf: bytes) -> RenderedDocument:
    document.file.save(name, ContentFile(pdf), save=False)
    document.state = RenderedDocument.State.READY
    document.save(update_fields=["file", "state"])
    return document


def document_render_in_worker(model: type[RenderedDocument], document_id: int, render) -> None:
    """The body of a render task: reload, skip what is gone or done (a re-delivered task is
    a no-op), and record a failure for the status page before raising it."""
    document = model.objects.filter(pk=document_id).first()
    if document is None or document.state == RenderedDocument.State.READY:
        return
    try:
        render(document=document)
    except Exception:
        document.state = RenderedDocument.State.FAILED
        document.save(update_fields=["state"])
        raise


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


def _site_current_entitlements(site: Site) -> QuerySet[Entitlement]:
    """L4: what a site PoE lists: all current entitlements (held quantity > 0). Unscoped:
    the site comes from a scoped selector, or from a document being verified."""
    return (
        Entitlement.objects.filter(site=site, quantity__gt=0)
        .select_related("product", "edition", "version")
        .order_by("product__family", "product__part_number", "pk")
    )


def poe_snapshot(*, site: Site, order: Order | None, language: str = "en") -> dict:
    entitlements = order_entitlements(order=order) if order else _site_current_entitlements(site)
    return {
        "customer": site.customer.name,
        "site_number": site.number,
        "site_name": site.name,
        "agreement": f"{site.agreement.programme} {site.agreement.number}",
        "order_number": order.number if order else "",
        "order_date": order.ordered_on.isoformat() if order else "",
        "lines": poe_lines(entitlements),
        # E2: the reader's language is part of the document (its words, dates), so a Polish
        # and an English PoE of the same day are two documents, each reproducible.
        "language": language,
    }


def fingerprint(snapshot: dict) -> str:
    return hashlib.sha256(json.dumps(snapshot, sort_keys=True).encode()).hexdigest()


@transaction.atomic
def poe_issue(
    *,
    site: Site,
    order: Order | None,
    actor: User | None,
    as_of: date,
    language: str | None = None,
) -> PoEDocument:
    """Issue (or reuse the identical one issued `as_of`) PoE for a site or an order, in
    `language` (default: the active one, i.e. the reader's). Small documents are rendered at
    once; large ones are queued for the worker (state "pending")."""
    snapshot = poe_snapshot(site=site, order=order, language=portal_language(language))
    digest = fingerprint(snapshot)
    existing = (
        PoEDocument.objects.filter(site=site, order=order, issued_on=as_of, fingerprint=digest)
        .exclude(state=PoEDocument.State.FAILED)
        .first()
    )
    if existing is not None:
        return existing
    document = PoEDocument.objects.create(
        kind=PoEDocument.Kind.ORDER if order else PoEDocument.Kind.SITE,
        site=site,
        order=order,
        issued_on=as_of,
        fingerprint=digest,
        snapshot=snapshot,
        line_count=len(snapshot["lines"]),
        requested_by=actor,
    )
    document_render_or_queue(document, render=poe_render, task=poe_render_task)
    return document


def poe_render(*, document: PoEDocument) -> PoEDocument:
    """Render the stored snapshot to the PDF file (the same snapshot gives the same bytes), in
    the snapshot's language — also in the worker, which has no reader's language of its own."""
    language = document.snapshot.get("language", "en")
    with translation.override(language):
        pdf = render_pdf(
            "pdf/poe.html",
            {
                "doc": document,
                "snapshot": document.snapshot,
                "language": language,
                "verify_path": f"/verify/{document.code}",
            },
            identifier=document.code,
        )
    name = f"poe-{document.snapshot['site_number']}-{document.code}.pdf"
    return document_store(document, name=name, pdf=pdf)


@shared_task(
    name="licensing.tasks.poe_render_task",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=3,
)
def poe_render_task(document_id: int) -> None:
    """L4: render a large PoE in the worker; the download page polls until it is ready."""
    document_render_in_worker(PoEDocument, document_id, poe_render)


def poe_is_current(document: PoEDocument) -> bool:
    """A PoE is current while the entitlements it lists are unchanged."""
    language = document.snapshot.get("language", "en")
    return fingerprint(
        poe_snapshot(site=document.site, order=document.order, language=language)
    ) == (document.fingerprint)


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
    """An order PoE and a site PoE of the same day must not save over each other (review
    #7 item 15): the name says which it is. ASCII, not translated: a safe download name."""
    if document.order_id:
        return f"PoE-order-{document.snapshot['order_number']}.pdf"
    return f"PoE-site-{document.snapshot['site_number']}-{document.issued_on.isoformat()}.pdf"
