"""A7: tickets, their comments and notes, replacements and onsite requests are audited."""

from auditlog.registry import auditlog

from portal.core.audit import audited_fields
from support.models import OnsiteRequest, ReplacementRequest, Ticket, TicketComment

# The site's history is shown to its customers (A7): nothing internal goes in it. Who a
# ticket is assigned to and the SLA notices are staff matters, kept in the ticket's own
# internal events; internal notes are kept out (TicketComment.get_additional_data).
auditlog.register(
    Ticket,
    include_fields=audited_fields(
        Ticket,
        exclude=(
            "description",
            "submission_key",
            "assignee",
            "at_risk_notified_at",
            "breached_at",
        ),
    ),
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
