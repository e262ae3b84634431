"""Signals licensing sends for the layers above it (renewals: volume levels, N8) to react
to. Licensing never imports those layers; they connect their receivers at start-up."""

from django.dispatch import Signal

# N8: sent by services.orders.order_place INSIDE the order's transaction, after its lines
# and entitlements are written, with `order` (an Order) and `as_of` (today). Receivers write
# in the same transaction, so an order and what it causes (a level raised at once) commit
# together or not at all; a receiver's failure fails the order. Bulk paths (CSV imports)
# send nothing: they record past purchases, which the yearly reconciliation counts.
order_placed = Signal()
