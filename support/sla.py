"""S4: the first-response clock, as pure functions of instants, a severity and a calendar.

- The target is 2 hours of *counted* time from the opening.
- Severity 1 counts around the clock (24x7): counted time is elapsed time.
- Severities 2–4 count business hours only: Monday to Friday, 09:00–17:30 in the site's time
  zone, except the site country's holidays (data: support.models.Holiday). A ticket opened
  outside those hours starts counting at the next opening.
- A ticket is *at risk* once 75 % of the target is used, and *breached* at the target.
- A severity change recomputes from the opening under the new severity (so `targets` takes
  the opening, never "now").

Every function takes aware datetimes and returns aware datetimes in UTC. Business-hour
arithmetic is done on the site's wall clock: no business window spans a daylight-saving
change (those happen at night), so a window's length is its wall-clock length.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

FIRST_RESPONSE_TARGET = timedelta(hours=2)
AT_RISK_SHARE = 0.75  # S4: "at risk" once 75 % of the target is used
BUSINESS_DAY_START = time(9, 0)
BUSINESS_DAY_END = time(17, 30)
BUSINESS_WEEKDAYS = frozenset({0, 1, 2, 3, 4})  # Monday to Friday
AROUND_THE_CLOCK_SEVERITIES = frozenset({1})
# A calendar with no business day for this long is a data error, not a reason to loop forever.
MAX_DAYS_SEARCHED = 3660


@dataclass(frozen=True)
class SupportCalendar:
    """Where the clock counts: the site's time zone and its country's holidays."""

    time_zone: str = "UTC"
    holidays: frozenset[date] = frozenset()

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def is_business_day(self, day: date) -> bool:
        return day.weekday() in BUSINESS_WEEKDAYS and day not in self.holidays


@dataclass(frozen=True)
class Targets:
    """S4: when the first response is due, and when the ticket becomes at risk."""

    due_at: datetime
    at_risk_at: datetime


class CalendarError(ValueError):
    """The calendar has no business day within MAX_DAYS_SEARCHED."""


def counts_around_the_clock(severity: int) -> bool:
    return severity in AROUND_THE_CLOCK_SEVERITIES


def _require_aware(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("SLA instants must be timezone-aware")


def _windows(start: datetime, calendar: SupportCalendar) -> Iterator[tuple[datetime, datetime]]:
    """The business windows (local wall-clock open, close) from the day of `start` on."""
    zone = calendar.zone
    day = start.astimezone(zone).date()
    for _offset in range(MAX_DAYS_SEARCHED):
        if calendar.is_business_day(day):
            yield (
                datetime.combine(day, BUSINESS_DAY_START, tzinfo=zone),
                datetime.combine(day, BUSINESS_DAY_END, tzinfo=zone),
            )
        day += timedelta(days=1)
    raise CalendarError("no business day found: check the holidays of this country")


def add_counted_time(
    start: datetime, amount: timedelta, *, severity: int, calendar: SupportCalendar
) -> datetime:
    """The instant when `amount` of counted time has passed since `start`."""
    _require_aware(start)
    if counts_around_the_clock(severity):
        # In UTC: aware arithmetic in one zone is wall-clock arithmetic, and a night with a
        # daylight-saving change is an hour shorter or longer than its wall clock says.
        return start.astimezone(UTC) + amount
    local_start = start.astimezone(calendar.zone)
    remaining = amount
    for opens, closes in _windows(local_start, calendar):
        segment_start = max(opens, local_start)
        if segment_start >= closes:
            continue
        available = closes - segment_start
        if remaining <= available:
            return (segment_start + remaining).astimezone(UTC)
        remaining -= available
    raise CalendarError("unreachable")  # pragma: no cover - _windows raises first


def counted_between(
    start: datetime, end: datetime, *, severity: int, calendar: SupportCalendar
) -> timedelta:
    """Counted time from `start` to `end` (negative when `end` is before `start`)."""
    _require_aware(start)
    _require_aware(end)
    start, end = start.astimezone(UTC), end.astimezone(UTC)  # elapsed time, not wall-clock
    if end < start:
        return -counted_between(end, start, severity=severity, calendar=calendar)
    if counts_around_the_clock(severity):
        return end - start
    zone = calendar.zone
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    counted = timedelta(0)
    for opens, closes in _windows(local_start, calendar):
        if opens >= local_end:
            break
        segment_start, segment_end = max(opens, local_start), min(closes, local_end)
        if segment_end > segment_start:
            counted += segment_end - segment_start
    return counted


def targets(*, opened_at: datetime, severity: int, calendar: SupportCalendar) -> Targets:
    """S4: the first-response due time and the at-risk instant for a ticket opened at
    `opened_at` with `severity` (recomputed from the opening when the severity changes)."""
    due = add_counted_time(opened_at, FIRST_RESPONSE_TARGET, severity=severity, calendar=calendar)
    at_risk = add_counted_time(
        opened_at, FIRST_RESPONSE_TARGET * AT_RISK_SHARE, severity=severity, calendar=calendar
    )
    return Targets(due_at=due, at_risk_at=at_risk)


@dataclass(frozen=True)
class ClockReading:
    """What a ticket shows about its first-response clock at one instant."""

    state: str  # "met", "missed", "running", "at_risk", "breached"
    left: timedelta  # counted time left (negative once breached); zero once answered
    used_share: float  # share of the target used, 0.0 … (above 1 once breached)


def reading(
    *,
    opened_at: datetime,
    due_at: datetime,
    severity: int,
    calendar: SupportCalendar,
    now: datetime,
    responded_at: datetime | None = None,
) -> ClockReading:
    """S4: time left (in counted time) and whether the ticket is at risk or breached."""
    if responded_at is not None:
        met = responded_at <= due_at
        used = counted_between(opened_at, responded_at, severity=severity, calendar=calendar)
        return ClockReading("met" if met else "missed", timedelta(0), used / FIRST_RESPONSE_TARGET)
    used = counted_between(opened_at, now, severity=severity, calendar=calendar)
    share = used / FIRST_RESPONSE_TARGET
    if now >= due_at:
        late = counted_between(due_at, now, severity=severity, calendar=calendar)
        return ClockReading("breached", -late, max(share, 1.0))
    left = FIRST_RESPONSE_TARGET - used
    return ClockReading("at_risk" if share >= AT_RISK_SHARE else "running", left, share)
