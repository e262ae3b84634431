"""Support (SPEC §4): tickets, the SLA calendar, advance replacements, onsite visits."""

from support.models.calendar import Holiday
from support.models.hardware import ReplacementRequest
from support.models.onsite import OnsiteCountry, OnsiteRate, OnsiteRequest, OnsiteZone
from support.models.tickets import (
    OPEN_STATUSES,
    SEVERITY_DEFINITIONS,
    Severity,
    Ticket,
    TicketAttachment,
    TicketComment,
    TicketEvent,
    TicketStatus,
)

__all__ = [
    "OPEN_STATUSES",
    "SEVERITY_DEFINITIONS",
    "Holiday",
    "OnsiteCountry",
    "OnsiteRate",
    "OnsiteRequest",
    "OnsiteZone",
    "ReplacementRequest",
    "Severity",
    "Ticket",
    "TicketAttachment",
    "TicketComment",
    "TicketEvent",
    "TicketStatus",
]
