"""Signals renewals sends for the layers above it (support's onsite quotes) to react to."""

from django.dispatch import Signal

# Sent inside the acceptance transaction: quote, lines (the chosen QuoteLines), as_of.
quote_accepted = Signal()
