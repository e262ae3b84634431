"""The portal's URLs plus the ticket-list benchmark's bare pages: one query for the same 25
rows (same filter, order, LIMIT and OFFSET as the list it stands beside), rendered by a
minimal template. The support lists are compared against them (issue #9: within 3×)."""

from django.http import HttpResponse
from django.template import Context, Template
from django.urls import include, path

from support.models import Ticket
from support.models.tickets import OPEN_STATUSES

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
# What each list shows by default: (filter on the user, filter on the tickets, order).
SCOPES = {
    "reseller": (True, {}, ("-opened_at", "-pk")),
    "staff": (False, {"status__in": OPEN_STATUSES}, ("response_due_at", "pk")),
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
