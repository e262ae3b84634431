"""The renewals objects of the permission table's world (tests/test_permissions.py): one of
each kind of object a renewals page or download is about, at the own site (world.site, managed
by world.reseller) and at the other tenant's site. Sections per feature; add objects to yours."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from licensing.models import Entitlement
from licensing.poe import fingerprint
from portal.core.models import JobRun
from renewals.documents import quote_pdf_snapshot
from renewals.models import Quote, QuoteDocument
from tests.renewals.factories import renewal_quote_for


def add_renewals(world, entitlements: dict[str, Entitlement]) -> dict:
    today = timezone.localdate()
    now = timezone.now()
    objects: dict = {}

    # --- quotes (N6): an open (sent) renewal quote at each site -----------------------------
    quotes: dict[str, Quote] = {}
    for target in ("own", "other"):
        quote = renewal_quote_for(
            [entitlements[target]],
            as_of=today,
            valid_until=today + timedelta(days=60),
            series_key=f"permission:{target}",
        )
        # The world is built inside one transaction, where durable services cannot run: the
        # reseller's price and the sending are written as quote_price_set writes them.
        Quote.objects.filter(pk=quote.pk).update(
            state=Quote.State.OPEN, sent_at=now, reseller_adjustment_percent=Decimal(5)
        )
        quote.refresh_from_db()
        quotes[target] = quote
    objects["quotes"] = quotes

    # --- quote PDFs ---
    # E3, N6: each quote's client-price PDF, rendered (a stand-in file, written directly), with
    # the fingerprint of the quote as it stands, so the PDF page hands it out instead of
    # rendering for every role; and the own quote's vendor-price PDF (its reseller and staff).
    quote_documents: dict[str, QuoteDocument] = {}
    for key, target, audience in (
        ("own", "own", "client"),
        ("other", "other", "client"),
        ("vendor", "own", "vendor"),
    ):
        snapshot = quote_pdf_snapshot(quote=quotes[target], audience=audience, language="en")
        document = QuoteDocument(
            quote=quotes[target],
            audience=audience,
            fingerprint=fingerprint(snapshot),
            snapshot=snapshot,
            line_count=snapshot["line_count"],
            state=QuoteDocument.State.READY,
        )
        document.file.save(f"permission-{key}.pdf", ContentFile(b"%PDF-1.7 stand-in"))
        quote_documents[key] = document
    objects["quote_documents"] = quote_documents

    # --- notices and jobs (N1, N3, N4, N10) ---------------------------------------------
    objects["job_run"] = JobRun.objects.create(job="renewal_notices", as_of=today, started_at=now)

    # --- levels and commitments (N7, N8, N9) ----------------------------------------------

    # --- customer pages, feed and PDFs -----------------------------------------------------

    # --- reseller pages --------------------------------------------------------------------

    # --- quote kinds: reinstatement, move fee, edition change ------------------------------

    return objects
