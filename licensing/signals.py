"""Signals licensing sends for the layers above it (renewals) to react to: licensing never
imports renewals, so work that belongs to a quote is asked for here (layers: renewals →
licensing)."""

from django.dispatch import Signal

# L8/N6: a move to a new computer was requested. Sent inside move_request's transaction, after
# the move is written: move (LicenceMove, its fee and rule fixed), quote (licensing.fees
# MoveQuote), actor, as_of. Renewals issues the move-fee quote for a move with a fee.
move_requested = Signal()
