"""Tickets for the staff pages' tests, written as rows with chosen SLA instants (S4), so a
queue's order and a page's query count are tested without walking calendars per ticket."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from support.models import Ticket, TicketStatus
from tests.support.factories import covered_line


def queue_ticket(
    site,
    *,
    line=None,
    opened_at: datetime | None = None,
    due_in: timedelta = timedelta(hours=2),
    severity: int = 3,
    status: str = TicketStatus.NEW,
    responded: bool = False,
    title: str = "The licence server does not start",
    **fields,
) -> Ticket:
    """A ticket at `site` opened at `opened_at` (an hour ago), its first response due
    `due_in` after the opening; `responded`: answered 10 minutes after the opening."""
    opened_at = opened_at or timezone.now() - timedelta(hours=1)
    line = line or covered_line(site)
    due = opened_at + due_in
    return Ticket.objects.create(
        site=site,
        entitlement=line,
        product_id=line.product_id,
        severity=severity,
        title=title,
        description="It stops at start-up.",
        contact_name="Caller",
        contact_email="caller@alpha.test",
        status=status,
        opened_at=opened_at,
        response_due_at=due,
        at_risk_at=due - (due - opened_at) / 4,
        first_response_at=opened_at + timedelta(minutes=10) if responded else None,
        **fields,
    )
