"""Support's reactions to the layers below: quote kinds for onsite visits (S7) and unreturned
replacement units (S6) are registered with renewals' machinery, and accepting such a quote
books the visit or settles the unit (renewals.signals.quote_accepted). Sections per feature."""

from __future__ import annotations

from django.dispatch import receiver

from renewals.kinds import register_builder
from renewals.models import Quote
from renewals.signals import quote_accepted
from support.services.onsite import ONSITE, onsite_booked, onsite_draft
from support.services.replacements import UNRETURNED_UNIT, rma_unit_draft, rma_unit_paid

# --- S6: advance replacement (unreturned units) ---

register_builder(UNRETURNED_UNIT, rma_unit_draft)


@receiver(quote_accepted, sender=Quote, dispatch_uid="support.rma_unit_accepted")
def rma_unit_accepted(sender, *, quote, as_of, **_kwargs) -> None:
    """S6: the unreturned unit is paid; the RMA stays overdue and its ticket says so."""
    if quote.kind == UNRETURNED_UNIT:
        rma_unit_paid(quote=quote, as_of=as_of)


# --- S7: onsite support ---

register_builder(ONSITE, onsite_draft)


@receiver(quote_accepted, sender=Quote, dispatch_uid="support.onsite_accepted")
def onsite_accepted(sender, *, quote, as_of, **_kwargs) -> None:
    """S7: accepting the onsite quote books the visit."""
    if quote.kind == ONSITE:
        onsite_booked(quote=quote, as_of=as_of)
