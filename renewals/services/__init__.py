"""Writes for renewals: quotes (N4, N6). Callers import from here."""

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
    "quote_accept",
    "quote_decline",
    "quote_issue",
    "quote_orders",
    "quote_price_set",
    "quotes_expire",
    "quotes_expired_due",
]
