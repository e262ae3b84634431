"""Support's reactions to the layers below: quote kinds for onsite visits (S7) and unreturned
replacement units (S6) are registered with renewals' machinery, and accepting such a quote
books the visit or settles the unit (renewals.signals.quote_accepted). Sections per feature."""

# --- S6: advance replacement (unreturned units) ---

# --- S7: onsite support ---
