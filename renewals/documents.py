"""E3, N6: a quote's PDF, stored with the quote (renewals.models.QuoteDocument).

What the PDF shows is a snapshot (plain JSON values) taken when it is asked for; its
fingerprint names the document, so the same quote, prices and language give the same
document and the same bytes, and a new price or revision gives a new one. Small quotes are
rendered at once; quotes of more than RENDER_IN_WORKER_ABOVE lines render in the Celery
worker while a status page polls (the licensing machinery PoEs and statements share).

Whose price the PDF shows — the *audience* (N6):

- "client": the client's price (`QuoteLine.customer_unit_price` / `customer_amount`: the
  reseller's price once it has set it, else the vendor's). Every user who may view the quote
  gets this version; it is the only one a customer user can ever get.
- "vendor": the vendor's price, what the reseller pays, with the reseller's adjustment. Only
  for the quote's own reseller and staff (`quote_vendor_prices_allowed`), and only for a
  reseller-managed quote (on a direct quote the two prices are one, so it is "client").

The audience is part of the snapshot (and so of the fingerprint) and a field of the
document; the document selector hides vendor-price documents from customer users, so not
even a document id guessed from another user's download can reach them.

A customer never gets a PDF of a reseller-managed quote that is still waiting for the
reseller's price (a draft): the client's price is not set yet, and the fallback would be the
vendor's price.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from celery import shared_task
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import User
from licensing.poe import (
    document_render_in_worker,
    document_render_or_queue,
    document_store,
    fingerprint,
)
from portal.core.formatting import format_day, format_money, portal_language
from portal.core.money import money
from portal.core.pdf import render_pdf
from renewals.models import Quote, QuoteDocument, QuoteLine
from renewals.rules import is_quotes_reseller
from renewals.selectors import quotes_for_user

Audience = QuoteDocument.Audience
TEMPLATE = "pdf/quote.html"
# Bump when the snapshot's shape changes, so an old document is not reused for new content.
SNAPSHOT_VERSION = 1
NBSP = "\u00a0"


# --- who gets which price (N6) -------------------------------------------------------------


def quote_vendor_prices_allowed(*, user: User, quote: Quote) -> bool:
    """The vendor's price is for the quote's reseller (the one that sets its client's price)
    and staff; never for a customer user."""
    return user.is_staff or is_quotes_reseller(user, quote)


def quote_client_prices_ready(*, user: User, quote: Quote) -> bool:
    """A customer user sees a reseller-managed quote's price only once the reseller has set
    and sent it; until then the client's price would fall back to the vendor's."""
    if user.is_staff or user.reseller_id:
        return True
    return quote.reseller_id is None or quote.sent_at is not None


def quote_audience_allowed(*, user: User, quote: Quote, audience: str) -> bool:
    if not user.has_perm("quote.view", quote):
        return False
    if audience == Audience.VENDOR:
        return quote_vendor_prices_allowed(user=user, quote=quote)
    return quote_client_prices_ready(user=user, quote=quote)


def quote_audience(*, quote: Quote, requested: str | None) -> str:
    """The audience a request asks for ("vendor" or anything else: "client"); a direct quote
    has one price, so it is always "client"."""
    if requested == Audience.VENDOR and quote.reseller_id is not None:
        return Audience.VENDOR
    return Audience.CLIENT


def quote_documents_for_user(*, user: User) -> QuerySet[QuoteDocument]:
    """A4: the PDFs of the quotes the user may see; a customer user never sees a
    vendor-price one (it is a 404 for them, as a missing document is)."""
    documents = QuoteDocument.objects.filter(quote__in=quotes_for_user(user=user))
    if not (user.is_staff or user.reseller_id):
        documents = documents.filter(audience=Audience.CLIENT)
    return documents.select_related("quote")


# --- the snapshot --------------------------------------------------------------------------


def _amount(value) -> str:
    return str(money(value))


def _iso(value: date | None) -> str:
    return value.isoformat() if value else ""


def quote_pdf_snapshot(*, quote: Quote, audience: str, language: str) -> dict:
    """Exactly what the PDF shows, as plain values: the quote's facts and its lines grouped
    by site, priced for `audience`, with the per-site subtotals and the totals. Optional
    co-term lines (N1) are listed and totalled apart: the total is what accepting the
    required lines costs."""
    client = audience == Audience.CLIENT
    quote = (
        Quote.objects.select_related("agreement__customer", "reseller", "supersedes")
        .filter(pk=quote.pk)
        .get()
    )
    lines = QuoteLine.objects.filter(quote=quote).select_related(
        "site", "product", "edition", "version", "target_edition", "target_version"
    )
    sites: dict[int, dict] = {}
    for line in lines.order_by("site__number", "position", "pk"):
        site = sites.get(line.site_id)
        if site is None:
            site = sites[line.site_id] = {
                "number": line.site.number,
                "name": line.site.name,
                "lines": [],
                "subtotal": Decimal(0),
                "optional_total": Decimal(0),
            }
        unit_price = line.customer_unit_price if client else line.unit_price
        amount = money(line.customer_amount if client else line.amount)
        site["optional_total" if line.is_optional else "subtotal"] += amount
        site["lines"].append(
            {
                "part_number": line.product.part_number,
                "product": line.product.name,
                "description": line.description,
                "action": line.action,
                "edition": line.edition.name if line.edition_id else "",
                "version": line.version.version if line.version_id else "",
                "target_edition": line.target_edition.name if line.target_edition_id else "",
                "target_version": line.target_version.version if line.target_version_id else "",
                "quantity": line.quantity,
                "optional": line.is_optional,
                "under_commitment": line.under_commitment,
                "covers_from": _iso(line.covers_from),
                "covers_to": _iso(line.covers_to),
                "months": line.months,
                "unit_price": _amount(unit_price),
                "amount": str(amount),
            }
        )
    groups = list(sites.values())
    total = sum((site["subtotal"] for site in groups), Decimal(0))
    optional_total = sum((site["optional_total"] for site in groups), Decimal(0))
    for site in groups:
        site["subtotal"] = str(site["subtotal"])
        site["optional_total"] = str(site["optional_total"])
    agreement = quote.agreement
    return {
        "version": SNAPSHOT_VERSION,
        "audience": audience,
        "language": language,
        "number": quote.number,
        "kind": quote.kind,
        "revision": quote.revision,
        "supersedes": quote.supersedes.number if quote.supersedes_id else "",
        "issued_on": _iso(quote.issued_on),
        "valid_until": _iso(quote.valid_until),
        "renews_to": _iso(quote.renews_to),
        "customer": agreement.customer.name,
        "agreement": f"{agreement.programme} {agreement.number}",
        "reseller": quote.reseller.name if quote.reseller_id else "",
        "level_code": quote.level_code,
        "discount_percent": str(quote.discount_percent),
        # The reseller's margin is the reseller's business, not its client's.
        "reseller_adjustment_percent": (
            str(quote.reseller_adjustment_percent)
            if not client and quote.reseller_adjustment_percent is not None
            else ""
        ),
        "currency": quote.currency,
        "commitment_warning": quote.commitment_warning,
        "sites": groups,
        "line_count": sum(len(site["lines"]) for site in groups),
        "total": str(total),
        "optional_total": str(optional_total),
        "total_with_optional": str(total + optional_total),
    }


# --- rendering -----------------------------------------------------------------------------


def _day(value: str, language: str) -> str:
    """A date that does not break across lines ("10 Mar 2026" stays whole)."""
    if not value:
        return ""
    return format_day(date.fromisoformat(value), language=language).replace(" ", NBSP)


def _percent(value: str) -> str:
    number = Decimal(value or 0).normalize()
    return f"{number:f}{NBSP}%"


def quote_pdf_context(snapshot: dict) -> dict:
    """The snapshot in the reader's words: labels translated and dates and money formatted
    in the snapshot's language (call it with that language active). Formatting here rather
    than in template filters keeps a 1,000-line quote quick to lay out (tests/bench)."""
    language = snapshot["language"]
    currency = snapshot["currency"]

    def price(value: str) -> str:
        return format_money(Decimal(value), currency, language=language)

    actions = dict(QuoteLine.Action.choices)
    optional_label = _("Optional co-term line")
    commitment_label = _("3YC price")
    sites = []
    for site in snapshot["sites"]:
        rows = []
        for line in site["lines"]:
            edition = line["edition"]
            if line["target_edition"]:
                edition = (
                    f"{edition} → {line['target_edition']}" if edition else line["target_edition"]
                )
            version = line["version"]
            if line["target_version"]:
                version = (
                    f"{version} → {line['target_version']}" if version else line["target_version"]
                )
            notes = [line["part_number"], str(actions.get(line["action"], line["action"]))]
            if line["under_commitment"]:
                notes.append(commitment_label)
            rows.append(
                {
                    "product": line["product"],
                    "notes": " · ".join(notes),
                    "optional": optional_label if line["optional"] else "",
                    "edition": edition,
                    "version": version,
                    "quantity": line["quantity"],
                    "covers_from": _day(line["covers_from"], language),
                    "covers_to": _day(line["covers_to"], language),
                    "months": line["months"] or "",
                    "unit_price": price(line["unit_price"]),
                    "amount": price(line["amount"]),
                }
            )
        sites.append(
            {
                "number": site["number"],
                "name": site["name"],
                "rows": rows,
                "subtotal": price(site["subtotal"]),
                "optional_total": (
                    price(site["optional_total"]) if Decimal(site["optional_total"]) else ""
                ),
            }
        )
    has_optional = Decimal(snapshot["optional_total"]) != 0
    return {
        "snapshot": snapshot,
        "language": language,
        "vendor": snapshot["audience"] == Audience.VENDOR,
        "kind": Quote.Kind(snapshot["kind"]).label,
        "issued_on": _day(snapshot["issued_on"], language),
        "valid_until": _day(snapshot["valid_until"], language),
        "renews_to": _day(snapshot["renews_to"], language),
        "discount": _percent(snapshot["discount_percent"]),
        "adjustment": (
            _percent(snapshot["reseller_adjustment_percent"])
            if snapshot["reseller_adjustment_percent"]
            else ""
        ),
        "sites": sites,
        "total": price(snapshot["total"]),
        "optional_total": price(snapshot["optional_total"]) if has_optional else "",
        "total_with_optional": price(snapshot["total_with_optional"]) if has_optional else "",
    }


def quote_pdf_identifier(snapshot: dict) -> str:
    return f"quote:{snapshot['number']}:{snapshot['audience']}:{snapshot['language']}"


def quote_pdf_html(snapshot: dict) -> str:
    """The PDF's HTML (what the layout test measures)."""
    with translation.override(snapshot["language"]):
        return render_to_string(TEMPLATE, quote_pdf_context(snapshot))


def quote_pdf_bytes(snapshot: dict) -> bytes:
    """E3: the PDF of a snapshot; the same snapshot gives the same bytes."""
    with translation.override(snapshot["language"]):
        return render_pdf(
            TEMPLATE, quote_pdf_context(snapshot), identifier=quote_pdf_identifier(snapshot)
        )


def quote_pdf_filename(document: QuoteDocument) -> str:
    """ASCII download name. The vendor-price version says so, so a reseller does not forward
    it to its client by mistake."""
    number = document.snapshot.get("number") or document.quote.number
    if document.audience == Audience.VENDOR:
        return f"Quote-{number}-vendor-prices.pdf"
    return f"Quote-{number}.pdf"


def quote_document_render(*, document: QuoteDocument) -> QuoteDocument:
    """Render the stored snapshot to the document's file (in the request or the worker)."""
    pdf = quote_pdf_bytes(document.snapshot)
    name = (
        f"Quote-{document.snapshot['number']}-{document.audience}-{document.fingerprint[:12]}.pdf"
    )
    return document_store(document, name=name, pdf=pdf)


@shared_task(
    name="renewals.tasks.quote_pdf_render_task",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=3,
)
def quote_pdf_render_task(document_id: int) -> None:
    """E3: render a large quote's PDF in the worker; its status page polls until it is ready.
    Safe to run twice: a ready document is left as it is."""
    document_render_in_worker(QuoteDocument, document_id, quote_document_render)


@transaction.atomic
def quote_document_issue(
    *, quote: Quote, audience: str, actor: User | None, language: str | None = None
) -> QuoteDocument:
    """Issue, or reuse, the PDF of the quote as it stands now for `audience` (E3, N6).

    The same content is one document (unique per quote and fingerprint): a second click, or
    another user of the same quote, gets the same document; a new price or a new revision
    makes a new one. A document whose rendering failed is rendered again. Small documents
    render at once; large ones are queued for the worker after commit (state "pending").
    Not durable: a caller may issue the PDF inside its own transaction (e.g. with a quote's
    e-mails)."""
    snapshot = quote_pdf_snapshot(
        quote=quote, audience=audience, language=portal_language(language)
    )
    digest = fingerprint(snapshot)
    document = QuoteDocument.objects.filter(quote=quote, fingerprint=digest).first()
    if document is not None and document.state != QuoteDocument.State.FAILED:
        return document
    if document is None:
        try:
            with transaction.atomic():  # two first clicks at once: the second reuses the first
                document = QuoteDocument.objects.create(
                    quote=quote,
                    audience=audience,
                    fingerprint=digest,
                    snapshot=snapshot,
                    line_count=snapshot["line_count"],
                    requested_by=actor,
                )
        except IntegrityError:
            return QuoteDocument.objects.get(quote=quote, fingerprint=digest)
    else:
        document.state = QuoteDocument.State.PENDING
        document.requested_by = actor
        document.save(update_fields=["state", "requested_by"])
    document_render_or_queue(document, render=quote_document_render, task=quote_pdf_render_task)
    return document
