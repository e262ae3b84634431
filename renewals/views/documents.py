"""Quote PDFs (E3, N6): issue or reuse the document for the quote as it stands, serve it when
it is small, or send the user to a status page that polls while the worker renders it.

`?prices=vendor` asks for the vendor's price (the quote's reseller and staff only; a
customer asking for it is refused, 403); without it every viewer gets the client's price.
See renewals/documents.py for who gets which price and why."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.decorators import guarded
from renewals import documents
from renewals.models import QuoteDocument
from renewals.views.common import scope_quote


@guarded(methods=("GET",), scope=scope_quote, permission="quote.view", replacing="number")
def quote_pdf(request, quote):
    audience = documents.quote_audience(quote=quote, requested=request.GET.get("prices"))
    if request.GET.get("prices") == "vendor" and not documents.quote_vendor_prices_allowed(
        user=request.user, quote=quote
    ):
        raise PermissionDenied(_("The vendor's prices are for the quote's reseller."))
    if not documents.quote_client_prices_ready(user=request.user, quote=quote):
        raise PermissionDenied(_("This quote is waiting for your reseller's price."))
    document = documents.quote_document_issue(
        quote=quote, audience=audience, actor=request.user, language=request.LANGUAGE_CODE
    )
    return _deliver(document)


def _deliver(document: QuoteDocument):
    if document.state != QuoteDocument.State.READY:
        return redirect("renewals:quote_pdf_status", document_id=document.pk)
    return FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=documents.quote_pdf_filename(document),
        content_type="application/pdf",
    )


def scope_quote_document(request, *, document_id: int, **_kwargs) -> QuoteDocument:
    """A4: a PDF of a quote the user cannot see, or a vendor-price PDF asked for by a
    customer user, is a 404, the same answer as a missing one."""
    return get_object_or_404(documents.quote_documents_for_user(user=request.user), pk=document_id)


def may_view_document(user, document: QuoteDocument) -> bool:
    """N6: whoever may view the quote and its prices for the document's audience."""
    return documents.quote_audience_allowed(
        user=user, quote=document.quote, audience=document.audience
    )


@guarded(
    methods=("GET",),
    scope=scope_quote_document,
    permission=may_view_document,
    replacing="document_id",
)
def quote_pdf_status(request, document):
    """Progress while the worker renders a large quote's PDF; the page refreshes itself
    (static/js/poll.js)."""
    return render(
        request,
        "renewals/quote_pdf_status.html",
        {
            "document": document,
            "quote": document.quote,
            "download_url": reverse("renewals:quote_pdf_download", args=[document.pk]),
        },
    )


@guarded(
    methods=("GET",),
    scope=scope_quote_document,
    permission=may_view_document,
    replacing="document_id",
)
def quote_pdf_download(request, document):
    return _deliver(document)
