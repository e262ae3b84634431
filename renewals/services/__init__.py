"""Writes for renewals: quotes (N4, N6), levels (N7, N8), three-year commitments (N9).
Callers import from here."""

from renewals.services.commitments import (
    commitment_accept,
    commitment_decline,
    commitment_invitations_send,
    commitment_minimum,
    commitment_prices_for_new_product,
    commitment_reminders_send,
    commitments_enforce,
)
from renewals.services.levels import (
    agreement_level_set,
    levels_roll,
    order_discount_for,
    order_level_raise,
    vip_reconcile,
    vip_reconciliation_job,
)
from renewals.services.quotes import (
    adjustment_check,
    quote_accept,
    quote_decline,
    quote_issue,
    quote_orders,
    quote_price_set,
    quotes_expire,
    quotes_expired_due,
)

__all__ = [
    "adjustment_check",
    "agreement_level_set",
    "commitment_accept",
    "commitment_decline",
    "commitment_invitations_send",
    "commitment_minimum",
    "commitment_prices_for_new_product",
    "commitment_reminders_send",
    "commitments_enforce",
    "levels_roll",
    "order_discount_for",
    "order_level_raise",
    "quote_accept",
    "quote_decline",
    "quote_issue",
    "quote_orders",
    "quote_price_set",
    "quotes_expire",
    "quotes_expired_due",
    "vip_reconcile",
    "vip_reconciliation_job",
]
