"""The customer dashboard's open-ticket panel (S1, S4): the newest open tickets with their
clocks, in a fixed number of queries."""

import pytest
from django.urls import reverse

from support.models import Ticket, TicketStatus
from tests.conftest import client_for
from tests.support.factories import ticket_opened
from tests.support.test_ticket_pages import make_tickets

pytestmark = pytest.mark.django_db


def test_a_customer_sees_their_open_tickets_on_the_dashboard(client, world):
    ticket = ticket_opened(world, title="Mail server down")
    closed = ticket_opened(world, title="Old closed one", submission_key="closed")
    Ticket.objects.filter(pk=closed.pk).update(status=TicketStatus.CLOSED)
    client_for(client, world, "caller")
    page = client.get(reverse("dashboard")).content.decode()
    assert "1 open ticket" in page
    assert reverse("support:ticket_detail", kwargs={"number": ticket.number}) in page
    assert "Old closed one" not in page


def test_resellers_and_staff_have_no_ticket_panel(client, world):
    ticket_opened(world)
    for role in ("reseller", "staff"):
        client_for(client, world, role)
        assert "open_tickets" not in client.get(reverse("dashboard")).context


def test_the_panel_does_not_add_queries_as_tickets_grow(
    client, world, django_assert_max_num_queries
):
    client_for(client, world, "primary")
    client.get(reverse("dashboard"))  # the session's first request
    make_tickets(world, 7)  # more than the panel shows: its count is a query
    with django_assert_max_num_queries(20) as small:
        client.get(reverse("dashboard"))
    make_tickets(world, 30, start=7)
    with django_assert_max_num_queries(20) as large:
        response = client.get(reverse("dashboard"))
    assert len(large.captured_queries) == len(small.captured_queries)
    assert response.context["open_tickets"]["count"] == 37
