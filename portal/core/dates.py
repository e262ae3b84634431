"""Calendar arithmetic shared by the rules: months and years that respect month lengths."""

from __future__ import annotations

import calendar
from datetime import date, timedelta


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier); the 31st becomes the month's last day."""
    month_index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(month_index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def add_years(day: date, years: int) -> date:
    return add_months(day, 12 * years)


def one_year_of_cover(start: date) -> date:
    """L2: 12 months of S&S run from the start to the day before the same date a year later.
    For 29 February the "same date" a year later is 1 March (as in the L8 age rules), so the
    cover ends on 28 February."""
    if start.month == 2 and start.day == 29:
        return date(start.year + 1, 2, 28)
    return add_years(start, 1) - timedelta(days=1)


def months_started(start: date, end: date) -> int:
    """Whole months from `start` through `end`, a started month counting whole (N1, N3):
    10 January to 31 March is 3 months; 1 April to 31 March is 12."""
    if end < start:
        return 0
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if add_months(start, months) <= end:
        months += 1
    return months
