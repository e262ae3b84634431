"""Support's reactions to the layers below: quote kinds for onsite visits (S7) and unreturned
replacement units (S6) are registered with renewals' machinery, and accepting such a quote
books the visit or settles the unit (renewals.signals.quote_accepted); a certified service
partner's Clients page asks which clients have uncovered hardware (S8,
accounts.signals.client_flags_requested). Sections per feature."""

from django.dispatch import receiver

from accounts.signals import client_flags_requested
from support.partner import client_flagged_site_counts

# --- S6: advance replacement (unreturned units) ---

# --- S7: onsite support ---

# --- S8: partner-branded support (a partner's clients flagged on its Clients page) ---


@receiver(client_flags_requested)
def flag_clients_with_uncovered_hardware(sender, *, reseller, customer_ids, as_of, **kwargs):
    if not reseller.is_certified_service_partner or not customer_ids:
        return {}
    return client_flagged_site_counts(partner=reseller, customer_ids=customer_ids, as_of=as_of)
