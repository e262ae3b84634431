"""Signals licensing sends for the layers above it (renewals) to react to: licensing never
imports renewals, so work that belongs to a quote or a level is asked for here (layers:
renewals → licensing). Receivers connect at start-up."""

from django.dispatch import Signal

# L8/N6: a move to a new computer was requested. Sent inside move_request's transaction, after
# the move is written: move (LicenceMove, its fee and rule fixed), quote (licensing.fees
# MoveQuote), actor, as_of. Renewals issues the move-fee quote for a move with a fee.
move_requested = Signal()

# N8: sent by services.orders.order_place INSIDE the order's transaction, after its lines
# and entitlements are written, with `order` (an Order) and `as_of` (today). Receivers write
# in the same transaction, so an order and what it causes (a level raised at once) commit
# together or not at all; a receiver's failure fails the order. Bulk paths (CSV imports)
# send nothing: they record past purchases, which the yearly reconciliation counts.
order_placed = Signal()
