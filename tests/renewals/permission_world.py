"""The renewals objects of the permission table's world (tests/test_permissions.py): one of
each kind of object a renewals page or download is about, at the own site (world.site, managed
by world.reseller) and at the other tenant's site. Sections per feature; add objects to yours."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from licensing.models import Activation, Entitlement, LicenceMove
from licensing.poe import fingerprint, poe_issue
from portal.core.models import JobRun
from renewals.documents import quote_pdf_snapshot
from renewals.models import (
    AgreementLevel,
    CalendarFeed,
    Commitment,
    Level,
    LevelChange,
    Quote,
    QuoteDocument,
)
from renewals.services.licensing_kinds import move_fee_quote_issue
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
    # The own agreement's level, a change in its history, and a three-year commitment offer
    # (invited: the acceptance page shows its form; an empty POST re-renders with errors).
    own_agreement = world.site.agreement
    objects["level"] = Level.objects.get(programme="VIP", code="2")
    objects["agreement_level"] = AgreementLevel.objects.create(
        agreement=own_agreement, level=Level.objects.get(programme="PA", code="D"), since=today
    )
    objects["level_change"] = LevelChange.objects.create(
        agreement=own_agreement,
        key=f"permission:{own_agreement.pk}",
        changed_on=today,
        old_code="BL",
        new_code="D",
        reason=LevelChange.Reason.ADMIN,
    )
    objects["commitment"] = Commitment.objects.create(
        agreement=own_agreement, state=Commitment.State.INVITED, invited_on=today
    )

    # --- customer pages, feed and PDFs -----------------------------------------------------
    # N5: a lapsed line at the own site, to reinstate (written directly: the world is one
    # transaction). The site PoE is issued again so the PoE pages still hand out today's.
    lapsed_start = today - timedelta(days=500)
    objects["lapsed_entitlement"] = Entitlement.objects.create(
        site=world.site,
        product=entitlements["own"].product,
        quantity=1,
        purchased_on=lapsed_start,
        coverage_start=lapsed_start,
        coverage_end=lapsed_start + timedelta(days=364),
    )
    poe_issue(site=world.site, order=None, actor=None, as_of=today)
    # The calendar address of the own site's primary contact.
    objects["calendar_feed"] = CalendarFeed.objects.create(user=world.users["primary"])

    # --- reseller pages --------------------------------------------------------------------
    # N6: a quote at the own site still waiting for its reseller's price (quote_issue leaves a
    # reseller's quote a draft), and a stored PDF for the quotes admin (E3).
    objects["draft_quote"] = renewal_quote_for(
        [entitlements["own"]],
        as_of=today,
        valid_until=today + timedelta(days=60),
        series_key="permission:draft",
    )
    objects["quote_document"] = QuoteDocument.objects.create(
        quote=quotes["own"], fingerprint="permission-world"
    )

    # --- quote kinds: reinstatement, move fee, edition change ------------------------------
    # L8/N6: a confirmed move with a fee at each site, on a machine no longer active (so the
    # licensing pages' answers stay as they were), and its fee quote (waiting for the
    # reseller's price, as the sites are managed by resellers).
    fee_moves: dict[str, LicenceMove] = {}
    for target, entitlement in entitlements.items():
        old = Activation.objects.create(
            entitlement=entitlement,
            product=entitlement.product,
            machine_id=f"FEE-PC-{target}",
            activated_on=today - timedelta(days=20),
            deactivated_on=today - timedelta(days=2),
            deactivation_reason="Moved",
        )
        move = LicenceMove.objects.create(
            entitlement=entitlement,
            old_activation=old,
            new_machine_id=f"FEE-PC-{target}-NEW",
            requested_on=today - timedelta(days=3),
            rule="L8.3",
            fee=Decimal("2400.00"),
            currency=entitlement.product.currency,
            explanation="Moved again within 12 months: 20 % of the list price.",
            state=LicenceMove.State.CONFIRMED,
        )
        move_fee_quote_issue(move=move, as_of=today, now=now, actor=None)
        fee_moves[target] = move
    objects["fee_moves"] = fee_moves

    return objects
