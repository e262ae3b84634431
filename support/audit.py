"""A7: tickets, their comments and notes, replacements and onsite requests are audited."""

from auditlog.registry import auditlog

from portal.core.audit import audited_fields
from support.models import OnsiteRequest, ReplacementRequest, Ticket, TicketComment

auditlog.register(
    Ticket, include_fields=audited_fields(Ticket, exclude=("description", "submission_key"))
)
auditlog.register(
    TicketComment,
    include_fields=audited_fields(TicketComment, exclude=("body", "submission_key")),
)
auditlog.register(
    ReplacementRequest,
    include_fields=audited_fields(ReplacementRequest, exclude=("submission_key",)),
)
auditlog.register(OnsiteRequest, include_fields=audited_fields(OnsiteRequest))
