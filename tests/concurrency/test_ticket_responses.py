"""S4 with concurrent writers: two support staff post the first public response to the same
ticket at the same moment. The comment service locks the ticket row and re-checks
`first_response_at` under the lock, so both comments are kept, the clock stops once (one
first-response instant, one FIRST_RESPONSE event) and the ticket is acknowledged once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import partial

from support.models import TicketEvent, TicketStatus
from support.services.tickets import ticket_comment_add
from tests.accounts.factories import UserFactory, with_totp
from tests.concurrency.race import assert_every_run, at_once, concurrent, kinds
from tests.support.factories import covered_line, ticket_opened

REPEATS = 10
OPENED = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)  # a Wednesday morning (the site: Warsaw)


def answer(ticket_id: int, actor, body: str, now: datetime):
    """What the ticket page's comment form does: a public comment by a staff user."""
    return ticket_comment_add(ticket_id=ticket_id, body=body, actor=actor, now=now)


@concurrent
def test_two_staff_answering_at_once_stop_the_clock_once_s4(world):
    first = world.users["staff"]
    second = with_totp(UserFactory(email="second@vendor.test", is_staff=True))
    line = covered_line(world.site, today=OPENED.date())
    seen, expected = [], []
    for run in range(REPEATS):
        ticket = ticket_opened(world, line=line, now=OPENED, title=f"Race {run}")
        outcomes = at_once(
            partial(answer, ticket.pk, first, "Looking at it now.", OPENED + timedelta(minutes=5)),
            partial(answer, ticket.pk, second, "On it as well.", OPENED + timedelta(minutes=6)),
        )
        ticket.refresh_from_db()
        comments = list(ticket.comments.filter(is_internal=False))
        responder = next(c for c in comments if c.author_id == ticket.first_response_by_id)
        seen.append(
            (
                kinds(outcomes),
                len(comments),
                ticket.first_response_at == responder.created_at,
                ticket.events.filter(kind=TicketEvent.Kind.FIRST_RESPONSE).count(),
                ticket.status,
                # Acknowledged by the first response only: no status event besides it.
                ticket.events.filter(kind=TicketEvent.Kind.STATUS).count(),
            )
        )
        expected.append((["ok", "ok"], 2, True, 1, TicketStatus.ACKNOWLEDGED, 0))
    assert_every_run(seen, expected)
