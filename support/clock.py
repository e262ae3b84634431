"""S4: what the pages show about each ticket's first-response clock ("time left"), for one
ticket or a page of them, with one holiday query for all the countries on the page."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

from support.models import Holiday, Ticket
from support.sla import ClockReading, SupportCalendar, reading


def _holidays_by_country(tickets: list[Ticket]) -> dict[str, frozenset]:
    if not tickets:
        return {}
    countries = {str(ticket.site.country) for ticket in tickets}
    start = min(ticket.opened_at for ticket in tickets).date() - timedelta(days=1)
    end = max(ticket.response_due_at for ticket in tickets).date() + timedelta(days=400)
    found: dict[str, set] = defaultdict(set)
    rows = Holiday.objects.filter(country__in=countries, day__gte=start, day__lte=end)
    for country, day in rows.values_list("country", "day"):
        found[str(country)].add(day)
    return {country: frozenset(days) for country, days in found.items()}


def _clock_stopped_at(ticket: Ticket):
    """S4: the clock stops at the first public response; a ticket resolved or closed without
    one stopped counting then (it shows as answered late or in time, not as overdue for
    ever)."""
    if ticket.first_response_at is not None or ticket.is_open:
        return ticket.first_response_at
    return ticket.resolved_at or ticket.closed_at or ticket.updated_at


def clock_readings(tickets: Iterable[Ticket], *, now: datetime) -> dict[int, ClockReading]:
    """Each ticket's reading at `now` (tickets come with their site loaded)."""
    tickets = list(tickets)
    holidays = _holidays_by_country(tickets)
    readings = {}
    for ticket in tickets:
        calendar = SupportCalendar(
            time_zone=ticket.site.time_zone,
            holidays=holidays.get(str(ticket.site.country), frozenset()),
        )
        readings[ticket.pk] = reading(
            opened_at=ticket.opened_at,
            due_at=ticket.response_due_at,
            severity=ticket.severity,
            calendar=calendar,
            now=now,
            responded_at=_clock_stopped_at(ticket),
        )
    return readings


def clock_readings_attach(tickets: Iterable[Ticket], *, now: datetime) -> list[Ticket]:
    """The tickets, each with `.clock` set (templates: {% include "support/_clock.html" %})."""
    tickets = list(tickets)
    readings = clock_readings(tickets, now=now)
    for ticket in tickets:
        ticket.clock = readings[ticket.pk]
    return tickets
