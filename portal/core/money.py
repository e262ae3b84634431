"""Money: Decimal amounts with an explicit currency and one rounding rule (STYLE: money)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
DEFAULT_CURRENCY = "EUR"


def money(amount) -> Decimal:
    """Round an amount to cents, half up: the only rounding rule in the portal."""
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


def percent_of(percent: Decimal | int, amount: Decimal) -> Decimal:
    return money(Decimal(percent) * Decimal(amount) / Decimal(100))
