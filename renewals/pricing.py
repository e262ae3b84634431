"""The renewal pricing rules as pure functions of plain values (STYLE: business rules are pure;
tests/renewals/test_pricing.py holds the case tables).

- N1/N3: a line is priced for the whole months from its coverage end to its new end, a started
  month counting whole: `annual S&S price × months / 12`, less the level discount.
- N2: the co-term end of a coverage end is the first anniversary *after* it; an anniversary is
  the last day of the agreement's anniversary month (A1), so a coverage ending on the
  anniversary itself co-terms to the next one.
- N6: the reseller's adjustment of the vendor's price, within bounds.
- N7/N8/N9: which level a number of points or licences reaches.
- One rounding rule (portal.core.money): amounts are computed exactly and rounded once, per
  line, half up to cents.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from portal.core.dates import months_started
from portal.core.money import money

HUNDRED = Decimal(100)
# N6: the reseller sets its client's price as an adjustment of the vendor's price: at most
# this much above it, and never below zero (−100 % is a free renewal, the lowest possible).
RESELLER_ADJUSTMENT_MIN = Decimal(-100)
RESELLER_ADJUSTMENT_MAX = Decimal(100)


def anniversary_in(year: int, month: int) -> date:
    """A1: the anniversary date is the last day of the anniversary month."""
    return date(year, month, calendar.monthrange(year, month)[1])


def next_anniversary(day: date, month: int) -> date:
    """The anniversary on or after `day`."""
    this_year = anniversary_in(day.year, month)
    return this_year if this_year >= day else anniversary_in(day.year + 1, month)


def coterm_end(coverage_end: date, anniversary_month: int) -> date:
    """N2: the first anniversary after a coverage end (strictly after: a coverage that ends on
    the anniversary is renewed to the next one, twelve months on)."""
    return next_anniversary(coverage_end + timedelta(days=1), anniversary_month)


def previous_anniversary(anniversary: date) -> date:
    """The anniversary a year before `anniversary` (29 February never occurs: anniversaries
    are month ends)."""
    return anniversary_in(anniversary.year - 1, anniversary.month)


def renewal_months(coverage_end: date, new_end: date) -> int:
    """N1: whole months from the day after the coverage end through the new end, a started
    month counting whole."""
    return months_started(coverage_end + timedelta(days=1), new_end)


def discounted(amount: Decimal, discount_percent: Decimal) -> Decimal:
    """`amount` less `discount_percent` %, unrounded."""
    return Decimal(amount) * (HUNDRED - Decimal(discount_percent)) / HUNDRED


@dataclass(frozen=True)
class LinePrice:
    unit_price: Decimal  # per licence, for the months, after the discount
    amount: Decimal  # unit price × quantity


def renewal_line_price(
    *, annual_price: Decimal, months: int, quantity: int, discount_percent: Decimal
) -> LinePrice:
    """N1: `annual S&S price × months / 12`, less the level discount. The unit price and the
    line amount are each rounded once from exact values, so a thousand licences do not carry
    a thousand roundings."""
    exact_unit = discounted(Decimal(annual_price) * months / 12, discount_percent)
    return LinePrice(unit_price=money(exact_unit), amount=money(exact_unit * quantity))


def flat_line_price(*, unit_price: Decimal, quantity: int, discount_percent: Decimal) -> LinePrice:
    """A price per unit that is not prorated (N5 reinstatement, L8 fees, L9 changes)."""
    exact_unit = discounted(unit_price, discount_percent)
    return LinePrice(unit_price=money(exact_unit), amount=money(exact_unit * quantity))


def reseller_adjusted(amount: Decimal, adjustment_percent: Decimal | None) -> Decimal:
    """N6: the client's price from the vendor's price and the reseller's adjustment (+8 means
    8 % above the vendor's price). No adjustment: the vendor's price."""
    if adjustment_percent is None:
        return money(amount)
    return money(Decimal(amount) * (HUNDRED + Decimal(adjustment_percent)) / HUNDRED)


def adjustment_error(adjustment_percent: Decimal) -> str:
    """N6: why an adjustment is refused ("" when it is within the bounds)."""
    if adjustment_percent < RESELLER_ADJUSTMENT_MIN:
        return "below_zero"
    if adjustment_percent > RESELLER_ADJUSTMENT_MAX:
        return "above_bound"
    return ""


# --- levels (N7, N8, N9) -----------------------------------------------------------------


@dataclass(frozen=True)
class Band:
    """One level: reached from `threshold` points (PA) or qualifying licences (VIP)."""

    code: str
    threshold: int
    discount_percent: Decimal
    is_commitment: bool = False


def band_for(value: int, bands: Sequence[Band], *, commitment: bool = False) -> Band:
    """N7/N8: the highest band whose threshold `value` reaches, among the ordinary bands or
    (N9, 3YC) the commitment bands. The lowest band when nothing is reached."""
    eligible = sorted(
        (band for band in bands if band.is_commitment == commitment), key=lambda b: b.threshold
    )
    if not eligible:
        raise ValueError("no bands")
    reached = eligible[0]
    for band in eligible:
        if value >= band.threshold:
            reached = band
    return reached


def next_band(value: int, bands: Sequence[Band], *, commitment: bool = False) -> Band | None:
    """The band above the one `value` reaches (None at the top)."""
    higher = sorted(
        (band for band in bands if band.is_commitment == commitment and band.threshold > value),
        key=lambda b: b.threshold,
    )
    return higher[0] if higher else None


def higher_of(first: Band, second: Band) -> Band:
    """N7: an order priced at the higher of the agreement's level and its own band."""
    return second if second.threshold > first.threshold else first


# N8: VIP Select begins at ten qualifying licences, in one order or at reconciliation.
VIP_SELECT_AT = 10
# N9: the 3YC levels are the VIP Select levels plus ten (2 → 12, 3 → 13, 4 → 14).
COMMITMENT_LEVEL_OFFSET = 10


def commitment_code(code: str) -> str:
    """N9: the 3YC level for a VIP Select level ("2" → "12")."""
    return str(int(code) + COMMITMENT_LEVEL_OFFSET)


def reconciliation_day(anniversary: date) -> date:
    """N8: the reconciliation runs 31 days before the anniversary."""
    return anniversary - timedelta(days=31)


NOTICE_LEAD_DAYS = 90  # N1, N3: notices are sent 90 days before the anniversary / earliest end


def notice_day(end: date) -> date:
    return end - timedelta(days=NOTICE_LEAD_DAYS)


def revision_window_closes(anniversary: date) -> date:
    """N4: purchases on or after the first day of the anniversary month belong to next year's
    anniversary quote, not a revision."""
    return anniversary.replace(day=1)
