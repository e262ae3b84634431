"""The staff side of support: the work queue (S1, S4), the escalation queue (S5), and the
status, severity and assignment changes made from the ticket page's staff box. Staff pages
are for staff users only (403 for everyone else, as reseller pages are for reseller users);
staff see every site's tickets, so a ticket number staff cannot find is simply missing (404)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.decorators import guarded
from portal.core.pagination import list_context
from support.clock import clock_readings_attach
from support.filters_staff import EscalationFilter, StaffQueueFilter
from support.models import Severity, Ticket, TicketStatus
from support.rules import is_support_staff
from support.selectors import (
    escalation_queue,
    staff_queue,
    support_staff_users,
    ticket_get_for_user,
)
from support.services import tickets as services


def now():
    return timezone.now()


def _ticket_in_scope(request, *, number: str, **_kwargs) -> Ticket:
    return ticket_get_for_user(user=request.user, number=number)


def staff_page(methods: tuple[str, ...] = ("GET",)):
    """Staff only (403 for others, for every method), then the method."""
    return guarded(methods=methods, role=is_support_staff)


def staff_ticket_action(view):
    """A POST about one ticket: staff only (403), the ticket (404 when there is none), then
    the method (405); the view is called with the ticket."""
    return guarded(
        methods=("POST",),
        role=is_support_staff,
        scope=_ticket_in_scope,
        replacing="number",
    )(view)


def _back(ticket: Ticket):
    return redirect("support:ticket_detail", number=ticket.number)


def _refused(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@staff_page()
def queue(request):
    """S1/S4: open tickets, those waiting for their first response first and soonest due
    first, then the rest; filters, search, sorting, one page at a time."""
    ticket_filter = StaffQueueFilter(
        request.GET, queryset=staff_queue(user=request.user), user=request.user
    )
    context = list_context(request, ticket_filter.qs, by_ids=True)
    clock_readings_attach(context["page"].object_list, now=now())
    return render(
        request,
        "support/staff/queue.html",
        {**context, "filter": ticket_filter, "title": _("Support queue")},
    )


@staff_page()
def escalations(request):
    """S5: the escalated open tickets, newest escalation first, with the customer's reason."""
    ticket_filter = EscalationFilter(
        request.GET, queryset=escalation_queue(user=request.user), user=request.user
    )
    context = list_context(request, ticket_filter.qs, by_ids=True)
    clock_readings_attach(context["page"].object_list, now=now())
    return render(
        request,
        "support/staff/escalations.html",
        {**context, "filter": ticket_filter, "title": _("Escalations")},
    )


@staff_ticket_action
def ticket_status(request, ticket: Ticket):
    """S1: along the workflow only; a skipped step is refused with the allowed next ones."""
    status = request.POST.get("status", "").strip()
    if not status:
        messages.error(request, _("Choose the ticket's new status."))
        return _back(ticket)
    try:
        services.ticket_status_change(
            ticket_id=ticket.pk, status=status, actor=request.user, now=now()
        )
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(
            request,
            _("Ticket %(number)s is now %(status)s.")
            % {"number": ticket.number, "status": TicketStatus(status).label},
        )
    return _back(ticket)


@staff_ticket_action
def ticket_severity(request, ticket: Ticket):
    """S4: the due time is recomputed from the opening under the new severity."""
    try:
        changed = services.ticket_severity_change(
            ticket_id=ticket.pk,
            severity=request.POST.get("severity"),
            actor=request.user,
            now=now(),
        )
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(
            request,
            _("Ticket %(number)s is now at %(severity)s; first response due %(due)s UTC.")
            % {
                "number": ticket.number,
                "severity": Severity(changed.severity).label,
                "due": f"{changed.response_due_at:%Y-%m-%d %H:%M}",
            },
        )
    return _back(ticket)


@staff_ticket_action
def ticket_assign(request, ticket: Ticket):
    """Who in support works on the ticket: a staff user's id, or empty to unassign."""
    chosen = request.POST.get("assignee", "").strip()
    assignee = None
    if chosen:
        assignee = support_staff_users().filter(pk=chosen).first() if chosen.isdigit() else None
        if assignee is None:
            messages.error(request, _("Choose a member of support staff, or no one."))
            return _back(ticket)
    try:
        services.ticket_assign(
            ticket_id=ticket.pk, assignee=assignee, actor=request.user, now=now()
        )
    except ValidationError as error:
        _refused(request, error)
    else:
        if assignee is None:
            messages.success(
                request, _("Ticket %(number)s is unassigned.") % {"number": ticket.number}
            )
        else:
            messages.success(
                request,
                _("Ticket %(number)s is assigned to %(who)s.")
                % {"number": ticket.number, "who": assignee.get_full_name() or assignee.email},
            )
    return _back(ticket)
