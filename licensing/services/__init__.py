"""Writes for licensing: orders and entitlements (L2, L3), activations, site-to-site transfers
(L7), moves to a new computer (L8). Atomic, audited (A7), e-mails queued in the transaction.
One module per flow; callers import from here."""

from licensing.services.entitlements import (
    activation_add,
    active_activation_count,
    coverage_add,
    lock_entitlement,
    lock_entitlements,
    lock_pending,
)
from licensing.services.moves import (
    move_confirm,
    move_facts,
    move_quote_for,
    move_reject,
    move_request,
    upgrade_target,
)
from licensing.services.orders import (
    LineRequest,
    coverage_end_default,
    line_unit_price,
    new_order_number,
    order_line_fulfil,
    order_place,
    subscription_end,
    validate_line,
)
from licensing.services.transfers import transfer_approve, transfer_reject, transfer_request

__all__ = [
    "LineRequest",
    "activation_add",
    "active_activation_count",
    "coverage_add",
    "coverage_end_default",
    "line_unit_price",
    "lock_entitlement",
    "lock_entitlements",
    "lock_pending",
    "move_confirm",
    "move_facts",
    "move_quote_for",
    "move_reject",
    "move_request",
    "new_order_number",
    "order_line_fulfil",
    "order_place",
    "subscription_end",
    "transfer_approve",
    "transfer_reject",
    "transfer_request",
    "upgrade_target",
    "validate_line",
]
