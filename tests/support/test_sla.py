"""S4: the first-response clock (support/sla.py) as a table of cases, no database. Times are
written as the site's wall clock ("2026-12-04 16:30" in the row's zone) for readability;
2026-12-04 is a Friday."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from support.sla import (
    SupportCalendar,
    add_counted_time,
    counted_between,
    reading,
    targets,
)

WARSAW, TAIPEI, NEW_YORK = "Europe/Warsaw", "Asia/Taipei", "America/New_York"


def at(text: str, zone: str = "UTC") -> datetime:
    """A wall-clock time in `zone`, e.g. at("2026-12-04 16:30", WARSAW)."""
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=ZoneInfo(zone))


def days(*texts: str) -> frozenset[date]:
    return frozenset(date.fromisoformat(text) for text in texts)


# Poland's holidays over Christmas and New Year 2026, with the office closed in between.
CHRISTMAS_RUN = days(
    "2026-12-24", "2026-12-25", "2026-12-28", "2026-12-29", "2026-12-30", "2026-12-31", "2027-01-01"
)

# (why, severity, zone, opened, holidays, due, at risk) — local wall-clock strings.
TARGET_CASES = [
    ("sev 2 Friday 16:30 is due Monday 10:00", 2, WARSAW, "2026-12-04 16:30", frozenset(),
     "2026-12-07 10:00", "2026-12-07 09:30"),
    ("sev 1 Friday 16:30 is due Friday 18:30 (24x7)", 1, WARSAW, "2026-12-04 16:30", frozenset(),
     "2026-12-04 18:30", "2026-12-04 18:00"),
    ("sev 3 and sev 4 count business hours like sev 2", 4, WARSAW, "2026-12-04 16:30",
     frozenset(), "2026-12-07 10:00", "2026-12-07 09:30"),
    ("Monday a holiday: due Tuesday 10:00", 2, WARSAW, "2026-12-04 16:30", days("2026-12-07"),
     "2026-12-08 10:00", "2026-12-08 09:30"),
    ("a holiday run over Christmas and New Year", 2, WARSAW, "2026-12-23 16:30", CHRISTMAS_RUN,
     "2027-01-04 10:00", "2027-01-04 09:30"),
    ("holidays do not stop severity 1", 1, WARSAW, "2026-12-24 10:00", CHRISTMAS_RUN,
     "2026-12-24 12:00", "2026-12-24 11:30"),
    ("opened at 08:00 local: counting starts at 09:00", 2, WARSAW, "2026-12-07 08:00",
     frozenset(), "2026-12-07 11:00", "2026-12-07 10:30"),
    ("opened on Saturday: due Monday 11:00", 3, WARSAW, "2026-12-05 12:00", frozenset(),
     "2026-12-07 11:00", "2026-12-07 10:30"),
    ("opened exactly at 09:00: due 11:00", 2, WARSAW, "2026-12-07 09:00", frozenset(),
     "2026-12-07 11:00", "2026-12-07 10:30"),
    ("opened exactly at 17:30: nothing counts that day", 2, WARSAW, "2026-12-03 17:30",
     frozenset(), "2026-12-04 11:00", "2026-12-04 10:30"),
    ("opened at 16:00: at risk at the close, due the next morning", 2, WARSAW,
     "2026-12-07 16:00", frozenset(), "2026-12-08 09:30", "2026-12-07 17:30"),
    ("daylight saving begins (last Sunday of March): still Monday 10:00 local", 2, WARSAW,
     "2026-03-27 16:30", frozenset(), "2026-03-30 10:00", "2026-03-30 09:30"),
    ("daylight saving ends (last Sunday of October): still Monday 10:00 local", 2, WARSAW,
     "2026-10-23 16:30", frozenset(), "2026-10-26 10:00", "2026-10-26 09:30"),
    ("sev 1 over the night the clocks go forward: two real hours", 1, WARSAW,
     "2026-03-29 01:30", frozenset(), "2026-03-29 04:30", "2026-03-29 04:00"),
    ("sev 1 over the night the clocks go back: two real hours", 1, WARSAW,
     "2026-10-25 02:30", frozenset(), "2026-10-25 03:30", "2026-10-25 03:00"),
    ("Taipei keeps its own business day", 2, TAIPEI, "2026-12-04 16:30", frozenset(),
     "2026-12-07 10:00", "2026-12-07 09:30"),
    ("New York keeps its own business day", 2, NEW_YORK, "2026-12-04 16:30", frozenset(),
     "2026-12-07 10:00", "2026-12-07 09:30"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("severity", "zone", "opened", "holidays", "due", "at_risk"),
    [pytest.param(*case[1:], id=case[0]) for case in TARGET_CASES],
)
def test_the_first_response_target_and_the_at_risk_instant(
    severity, zone, opened, holidays, due, at_risk
):
    calendar = SupportCalendar(time_zone=zone, holidays=holidays)
    found = targets(opened_at=at(opened, zone), severity=severity, calendar=calendar)
    assert found.due_at == at(due, zone)
    assert found.at_risk_at == at(at_risk, zone)
    assert found.due_at.tzinfo == UTC  # instants come back in UTC


def test_the_daylight_saving_weekends_give_different_utc_offsets_for_the_same_local_due():
    """Friday 16:30 → Monday 10:00 local on both weekends; in UTC 08:00 (CEST) in March and
    09:00 (CET) in October."""
    warsaw = SupportCalendar(time_zone=WARSAW)
    march = targets(opened_at=at("2026-03-27 16:30", WARSAW), severity=2, calendar=warsaw)
    october = targets(opened_at=at("2026-10-23 16:30", WARSAW), severity=2, calendar=warsaw)
    assert march.due_at == datetime(2026, 3, 30, 8, 0, tzinfo=UTC)
    assert october.due_at == datetime(2026, 10, 26, 9, 0, tzinfo=UTC)


# The same UTC instant, Friday 2026-12-04 07:00 UTC, in three zones: (zone, due in UTC).
SAME_INSTANT_CASES = [
    (WARSAW, "2026-12-04 10:00"),  # 08:00 local: counts from 09:00, due 11:00 local
    (TAIPEI, "2026-12-04 09:00"),  # 15:00 local: due 17:00 local
    (NEW_YORK, "2026-12-04 16:00"),  # 02:00 local: counts from 09:00, due 11:00 local
]


@pytest.mark.parametrize(("zone", "due_utc"), SAME_INSTANT_CASES)
def test_the_same_utc_instant_is_due_at_different_times_in_different_zones(zone, due_utc):
    opened = datetime(2026, 12, 4, 7, 0, tzinfo=UTC)
    found = targets(opened_at=opened, severity=2, calendar=SupportCalendar(time_zone=zone))
    assert found.due_at == at(due_utc)


def test_the_three_zones_give_three_different_due_times():
    opened = datetime(2026, 12, 4, 7, 0, tzinfo=UTC)
    dues = {
        targets(opened_at=opened, severity=2, calendar=SupportCalendar(time_zone=zone)).due_at
        for zone, _due in SAME_INSTANT_CASES
    }
    assert len(dues) == 3


# (why, severity, start, end, counted) in UTC, business hours Mon–Fri 09:00–17:30.
COUNTED_CASES = [
    ("within one business day", 2, "2026-12-07 10:00", "2026-12-07 12:15", timedelta(hours=2.25)),
    ("over a weekend", 2, "2026-12-04 16:30", "2026-12-07 10:00", timedelta(hours=2)),
    ("outside business hours only", 2, "2026-12-05 08:00", "2026-12-06 20:00", timedelta(0)),
    ("a whole business day", 3, "2026-12-07 00:00", "2026-12-08 00:00", timedelta(hours=8.5)),
    ("severity 1 counts everything", 1, "2026-12-05 08:00", "2026-12-06 20:00",
     timedelta(hours=36)),
    ("backwards is negative", 2, "2026-12-07 12:00", "2026-12-07 10:00", -timedelta(hours=2)),
]  # fmt: skip


@pytest.mark.parametrize(
    ("severity", "start", "end", "counted"),
    [pytest.param(*case[1:], id=case[0]) for case in COUNTED_CASES],
)
def test_counted_time_between_two_instants(severity, start, end, counted):
    assert counted_between(at(start), at(end), severity=severity, calendar=SupportCalendar()) == (
        counted
    )


def test_severity_1_counts_real_hours_over_a_daylight_saving_night():
    start, end = at("2026-03-29 01:00", WARSAW), at("2026-03-29 04:00", WARSAW)
    counted = counted_between(start, end, severity=1, calendar=SupportCalendar(WARSAW))
    assert counted == timedelta(hours=2)  # 02:00 became 03:00


@pytest.mark.parametrize("severity", [1, 2, 3, 4])
def test_adding_the_counted_time_then_counting_it_gives_it_back(severity):
    calendar = SupportCalendar(time_zone=WARSAW, holidays=CHRISTMAS_RUN)
    start = at("2026-12-23 16:30", WARSAW)
    end = add_counted_time(start, timedelta(hours=2), severity=severity, calendar=calendar)
    assert counted_between(start, end, severity=severity, calendar=calendar) == timedelta(hours=2)


def test_naive_instants_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        add_counted_time(
            datetime(2026, 12, 4, 16, 30),  # noqa: DTZ001 (naive on purpose)
            timedelta(hours=2),
            severity=2,
            calendar=SupportCalendar(),
        )


# Severity 2 opened Monday 2026-12-07 09:00 UTC: at risk 10:30, due 11:00.
# (why, now, responded, state, left, used share)
READING_CASES = [
    ("an hour used: running", "2026-12-07 10:00", None, "running", timedelta(hours=1), 0.5),
    ("just before 75 %: running", "2026-12-07 10:29", None, "running", timedelta(minutes=31),
     89 / 120),
    ("90 minutes used (75 %): at risk", "2026-12-07 10:30", None, "at_risk",
     timedelta(minutes=30), 0.75),
    ("at the due time: breached", "2026-12-07 11:00", None, "breached", timedelta(0), 1.0),
    ("half an hour late: breached, negative left", "2026-12-07 11:30", None, "breached",
     -timedelta(minutes=30), 1.25),
    ("late over a night counts business time only", "2026-12-08 09:30", None, "breached",
     -timedelta(hours=7), 4.5),
    ("answered in time: met", "2026-12-07 12:00", "2026-12-07 10:45", "met", timedelta(0),
     105 / 120),
    ("answered late: missed", "2026-12-07 12:00", "2026-12-07 11:15", "missed", timedelta(0),
     135 / 120),
]  # fmt: skip


@pytest.mark.parametrize(
    ("now", "responded", "state", "left", "share"),
    [pytest.param(*case[1:], id=case[0]) for case in READING_CASES],
)
def test_the_clock_reading(now, responded, state, left, share):
    calendar = SupportCalendar()
    opened = at("2026-12-07 09:00")
    due = targets(opened_at=opened, severity=2, calendar=calendar).due_at
    found = reading(
        opened_at=opened,
        due_at=due,
        severity=2,
        calendar=calendar,
        now=at(now),
        responded_at=at(responded) if responded else None,
    )
    assert found.state == state
    assert found.left == left
    assert found.used_share == pytest.approx(share)


# S4: a severity change recomputes from the opening under the new severity.
# (why, opened (Warsaw), old severity, new severity, old due, new due)
SEVERITY_CHANGE_CASES = [
    ("3 → 1: due two real hours after the opening", "2026-12-04 16:30", 3, 1,
     "2026-12-07 10:00", "2026-12-04 18:30"),
    ("1 → 4: due two business hours after the opening", "2026-12-04 16:30", 1, 4,
     "2026-12-04 18:30", "2026-12-07 10:00"),
    ("2 → 3: the same business-hour target", "2026-12-07 09:00", 2, 3, "2026-12-07 11:00",
     "2026-12-07 11:00"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("opened", "old", "new", "old_due", "new_due"),
    [pytest.param(*case[1:], id=case[0]) for case in SEVERITY_CHANGE_CASES],
)
def test_a_severity_change_recomputes_from_the_opening(opened, old, new, old_due, new_due):
    calendar = SupportCalendar(time_zone=WARSAW)
    opened_at = at(opened, WARSAW)
    assert targets(opened_at=opened_at, severity=old, calendar=calendar).due_at == at(
        old_due, WARSAW
    )
    assert targets(opened_at=opened_at, severity=new, calendar=calendar).due_at == at(
        new_due, WARSAW
    )
