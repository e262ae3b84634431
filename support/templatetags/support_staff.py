"""The staff box on the ticket page (templates/support/_staff_controls.html): its forms, built
from what the ticket page hands over (`staff_users`), or looked up where it does not."""

from django import template

from support.forms_staff import (
    InternalNoteForm,
    TicketAssignForm,
    TicketSeverityForm,
    TicketStatusForm,
)
from support.selectors import support_staff_users

register = template.Library()


@register.simple_tag(takes_context=True)
def staff_controls(context, ticket) -> dict:
    staff_users = context.get("staff_users")
    if staff_users is None:
        staff_users = support_staff_users()
    return {
        "status": TicketStatusForm(ticket=ticket),
        "severity": TicketSeverityForm(ticket=ticket),
        "assign": TicketAssignForm(ticket=ticket, staff_users=staff_users),
        "note": InternalNoteForm(),
    }
