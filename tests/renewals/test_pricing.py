"""The renewal pricing rules (renewals/pricing.py) as case tables: pure functions of plain
values, no database. Month-end anniversaries are the hard cases (A1): 29 February, the 31st, a
coverage end on the anniversary itself each have a row."""

from datetime import date
from decimal import Decimal

import pytest

from renewals.pricing import (
    adjustment_error,
    coterm_end,
    higher_of,
    next_anniversary,
    next_band,
    notice_day,
    reconciliation_day,
    renewal_line_price,
    renewal_months,
    reseller_adjusted,
    revision_window_closes,
)
from tests.renewals.test_levels_pure import PA, VIP

D = Decimal


@pytest.mark.parametrize(
    ("day", "month", "expected"),
    [
        (date(2026, 3, 31), 3, date(2026, 3, 31)),  # A1: the anniversary day itself
        (date(2026, 4, 1), 3, date(2027, 3, 31)),
        (date(2026, 1, 1), 2, date(2026, 2, 28)),
        (date(2028, 1, 1), 2, date(2028, 2, 29)),  # leap year: the last day is the 29th
        (date(2026, 5, 1), 4, date(2027, 4, 30)),  # a 30-day month
    ],
)
def test_the_anniversary_is_the_last_day_of_its_month(day, month, expected):
    """A1"""
    assert next_anniversary(day, month) == expected


@pytest.mark.parametrize(
    ("coverage_end", "month", "expected"),
    [
        (date(2026, 3, 9), 3, date(2026, 3, 31)),  # ends in the anniversary month
        (date(2026, 3, 30), 3, date(2026, 3, 31)),
        (date(2026, 3, 31), 3, date(2027, 3, 31)),  # ends on the anniversary: the next one
        (date(2026, 4, 1), 3, date(2027, 3, 31)),
        (date(2026, 12, 31), 1, date(2027, 1, 31)),  # the 31st, across a year end
        (date(2027, 2, 27), 2, date(2027, 2, 28)),
        (date(2027, 2, 28), 2, date(2028, 2, 29)),  # to a leap-year anniversary
        (date(2028, 2, 28), 2, date(2028, 2, 29)),  # the 28th of a leap February
        (date(2028, 2, 29), 2, date(2029, 2, 28)),  # 29 February itself
        (date(2026, 4, 30), 4, date(2027, 4, 30)),  # the 30th anniversary itself
    ],
)
def test_the_co_term_end_is_the_first_anniversary_after_the_coverage_end(
    coverage_end, month, expected
):
    """N2"""
    assert coterm_end(coverage_end, month) == expected


@pytest.mark.parametrize(
    ("coverage_end", "new_end", "months"),
    [
        (date(2026, 3, 9), date(2026, 3, 31), 1),  # 10–31 March: a started month
        (date(2026, 3, 31), date(2027, 3, 31), 12),  # a whole year, never 13
        (date(2026, 6, 14), date(2027, 3, 31), 10),  # 15 June → 31 March: 9 whole + 1 started
        (date(2026, 1, 31), date(2026, 3, 31), 2),  # from 1 February
        (date(2027, 1, 31), date(2027, 2, 28), 1),  # one short month
        (date(2028, 2, 28), date(2028, 2, 29), 1),  # one day, 29 February: one started month
        (date(2028, 2, 29), date(2029, 2, 28), 12),
        (date(2026, 12, 31), date(2027, 1, 31), 1),
        (date(2026, 3, 31), date(2026, 3, 31), 0),  # nothing to renew
    ],
)
def test_a_started_month_counts_whole(coverage_end, new_end, months):
    """N1: whole months from the day after the coverage end to the new end."""
    assert renewal_months(coverage_end, new_end) == months


@pytest.mark.parametrize(
    ("annual", "months", "quantity", "discount", "unit", "amount"),
    [
        (D("240"), 1, 3, D(0), D("20.00"), D("60.00")),
        (D("240"), 12, 1, D(0), D("240.00"), D("240.00")),
        # The amount is rounded once from the exact unit price: 3 × 58.333… = 175.00, not
        # 3 × 58.33 = 174.99.
        (D("100"), 7, 3, D(0), D("58.33"), D("175.00")),
        (D("1000"), 12, 2, D(15), D("850.00"), D("1700.00")),  # less the level discount
        (D("1000"), 6, 1, D("6"), D("470.00"), D("470.00")),
        (D("0.10"), 1, 1, D(0), D("0.01"), D("0.01")),  # half up to cents
        (D("2400"), 10, 1000, D("3"), D("1940.00"), D("1940000.00")),
    ],
)
def test_a_line_is_priced_for_its_months_less_the_level_discount(
    annual, months, quantity, discount, unit, amount
):
    """N1: annual S&S price × months / 12, less the level discount; one rounding rule."""
    price = renewal_line_price(
        annual_price=annual, months=months, quantity=quantity, discount_percent=discount
    )
    assert (price.unit_price, price.amount) == (unit, amount)


@pytest.mark.parametrize(
    ("amount", "adjustment", "expected"),
    [
        (D("100"), None, D("100.00")),  # no adjustment: the vendor's price
        (D("100"), D("8"), D("108.00")),
        (D("100"), D("-100"), D("0.00")),
        (D("33.33"), D("10"), D("36.66")),
        (D("0.05"), D("10"), D("0.06")),  # 0.055 half up
    ],
)
def test_the_resellers_adjustment_sets_the_clients_price(amount, adjustment, expected):
    """N6"""
    assert reseller_adjusted(amount, adjustment) == expected


@pytest.mark.parametrize(
    ("adjustment", "error"),
    [
        (D("-100.01"), "below_zero"),
        (D("-100"), ""),
        (D("0"), ""),
        (D("100"), ""),
        (D("100.01"), "above_bound"),
    ],
)
def test_the_resellers_adjustment_has_bounds(adjustment, error):
    """N6: never below zero, at most +100 %."""
    assert adjustment_error(adjustment) == error


def test_the_next_band_and_how_far_it_is():
    """N7/N8: what the dashboard projects (the band tables: tests/renewals/test_levels_pure.py)."""
    assert next_band(7, VIP).code == "2"
    assert next_band(10, VIP).code == "3"
    assert next_band(100, VIP) is None
    assert next_band(499, PA).threshold == 500


def test_an_order_is_priced_at_the_higher_of_the_level_and_its_own_band():
    """N7: the per-order level."""
    assert higher_of(PA[1], PA[3]).code == "F"
    assert higher_of(PA[3], PA[1]).code == "F"


@pytest.mark.parametrize(
    ("anniversary", "reconciliation", "notice", "window_closes"),
    [
        (date(2027, 5, 31), date(2027, 4, 30), date(2027, 3, 2), date(2027, 5, 1)),
        (date(2027, 3, 31), date(2027, 2, 28), date(2026, 12, 31), date(2027, 3, 1)),
        (date(2028, 2, 29), date(2028, 1, 29), date(2027, 12, 1), date(2028, 2, 1)),
        (date(2027, 1, 31), date(2026, 12, 31), date(2026, 11, 2), date(2027, 1, 1)),
    ],
)
def test_the_days_the_jobs_act_on(anniversary, reconciliation, notice, window_closes):
    """N8: reconciliation 31 days before; N1: notices 90 days before; N4: revisions stop on
    the first day of the anniversary month."""
    assert reconciliation_day(anniversary) == reconciliation
    assert notice_day(anniversary) == notice
    assert revision_window_closes(anniversary) == window_closes
