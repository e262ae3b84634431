"""S1: the ticket status workflow, in one place.

    new → acknowledged → in progress ↔ waiting on customer → resolved → closed

Every status change goes through `transition_refusal`; a move that skips a step (new →
resolved) or goes backwards (closed → new) is refused with the allowed next steps. A resolved
ticket may be reopened (back to in progress) while it is not closed: the customer may find
the problem is not gone, and a new ticket would lose its history."""

from __future__ import annotations

from django.utils.translation import gettext as _

from support.models import TicketStatus

S = TicketStatus

TRANSITIONS: dict[str, tuple[str, ...]] = {
    S.NEW: (S.ACKNOWLEDGED,),
    S.ACKNOWLEDGED: (S.IN_PROGRESS,),
    S.IN_PROGRESS: (S.WAITING, S.RESOLVED),
    S.WAITING: (S.IN_PROGRESS, S.RESOLVED),
    S.RESOLVED: (S.CLOSED, S.IN_PROGRESS),
    S.CLOSED: (),
}


def next_statuses(current: str) -> tuple[str, ...]:
    return TRANSITIONS.get(current, ())


def transition_refusal(current: str, wanted: str) -> str:
    """Why a ticket in `current` cannot move to `wanted` ("" when it can)."""
    if wanted not in S.values:
        return _("%(status)s is not a ticket status.") % {"status": wanted}
    if wanted in next_statuses(current):
        return ""
    if wanted == current:
        return _("The ticket is already %(status)s.") % {"status": S(current).label}
    allowed = next_statuses(current)
    if not allowed:
        return _("The ticket is %(status)s: its status cannot change any more.") % {
            "status": S(current).label
        }
    return _("A ticket that is %(current)s can move only to %(allowed)s, not to %(wanted)s.") % {
        "current": S(current).label,
        "allowed": _(" or ").join(str(S(status).label) for status in allowed),
        "wanted": S(wanted).label,
    }
