"""The portal's URLs plus the ticket-list benchmark's bare pages: one query for the same 25
rows (same filter, order, LIMIT and OFFSET as the list it stands beside), rendered by a
minimal template. The support lists are compared against them (issue #9: within 3×)."""

from django.http import HttpResponse
from django.template import Context, Template
from django.urls import include, path

from support.models import Ticket
from support.models.tickets import OPEN_STATUSES
from support.selectors import queue_awaiting_first

PAGE_SIZE = 25
ROWS = Template(
    "<table>{% for row in rows %}<tr><td>{{ row.0 }}</td><td>{{ row.1 }}</td>"
    "<td>{{ row.2 }}</td><td>{{ row.3 }}</td><td>{{ row.4 }}</td><td>{{ row.5 }}</td>"
    "<td>{{ row.6 }}</td></tr>{% endfor %}</table>"
)
COLUMNS = (
    "number",
    "title",
    "severity",
    "status",
    "opened_at",
    "response_due_at",
    "site__number",
)
# What each list shows as the bench asks for it: (filter on the user, filter on the tickets,
# order). The reseller's list with ?status=any (all 100,000 tickets, newest first, its
# default order); the staff queue as it opens (open tickets, waiting for a first response
# first, soonest due first).
SCOPES = {
    "reseller": (True, {}, ("-opened_at", "-pk")),
    "staff": (
        False,
        {"status__in": OPEN_STATUSES},
        (queue_awaiting_first(), "response_due_at", "pk"),
    ),
}


def bare_tickets(request, scope: str):
    own_reseller, filters, order = SCOPES[scope]
    tickets = Ticket.objects.filter(**filters)
    if own_reseller:
        tickets = tickets.filter(site__reseller_id=request.user.reseller_id)
    offset = int(request.GET.get("offset", "0"))
    rows = tickets.order_by(*order).values_list(*COLUMNS)[offset : offset + PAGE_SIZE]
    return HttpResponse(ROWS.render(Context({"rows": rows})))


urlpatterns = [
    path("bench/bare-tickets/<str:scope>/", bare_tickets),
    path("", include("portal.urls")),
]
