"""The renewals objects of the permission table's world (tests/test_permissions.py): one of
each kind of object a renewals page or download is about, at the own site (world.site, managed
by world.reseller) and at the other tenant's site. Sections per feature; add objects to yours."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from licensing.models import Entitlement
from portal.core.models import JobRun
from renewals.models import AgreementLevel, Commitment, Level, LevelChange, Quote
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

    # --- reseller pages --------------------------------------------------------------------

    # --- quote kinds: reinstatement, move fee, edition change ------------------------------

    return objects
