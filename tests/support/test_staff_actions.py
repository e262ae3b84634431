"""Status (S1), severity (S4) and assignment from the ticket page's staff box: staff only
(403 for everyone else, their own tickets too), back to the ticket page with a message;
refusals are shown and nothing is stored."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from support.models import Ticket, TicketEvent, TicketStatus
from tests.accounts.factories import UserFactory
from tests.support.factories import covered_line, ticket_opened

pytestmark = pytest.mark.django_db

FRIDAY_1630_UTC = datetime(2026, 12, 4, 16, 30, tzinfo=UTC)


@pytest.fixture
def staff_client(client, world):
    client.force_login(world.users["staff"])
    return client


@pytest.fixture
def ticket(world) -> Ticket:
    return ticket_opened(world, severity=3, now=FRIDAY_1630_UTC)


def post(client, name: str, ticket: Ticket, **data):
    return client.post(reverse(f"support:{name}", args=[ticket.number]), data)


def said(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def back_to_ticket(response, ticket: Ticket) -> bool:
    return response.status_code == 302 and response["Location"] == reverse(
        "support:ticket_detail", args=[ticket.number]
    )


def test_staff_acknowledge_a_new_ticket(staff_client, ticket):
    response = post(staff_client, "ticket_status", ticket, status="acknowledged")
    ticket.refresh_from_db()
    assert back_to_ticket(response, ticket)
    assert ticket.status == TicketStatus.ACKNOWLEDGED
    assert said(response) == [f"Ticket {ticket.number} is now Acknowledged."]
    assert ticket.events.filter(kind=TicketEvent.Kind.STATUS).count() == 1


def test_a_status_change_skipping_the_workflow_is_refused_and_nothing_stored(staff_client, ticket):
    response = post(staff_client, "ticket_status", ticket, status="resolved")
    ticket.refresh_from_db()
    assert back_to_ticket(response, ticket)
    assert ticket.status == TicketStatus.NEW
    assert said(response) == [
        "A ticket that is New can move only to Acknowledged, not to Resolved."
    ]
    assert not ticket.events.filter(kind=TicketEvent.Kind.STATUS).exists()


def test_a_status_change_without_a_status_asks_for_one(staff_client, ticket):
    response = post(staff_client, "ticket_status", ticket)
    assert said(response) == ["Choose the ticket's new status."]


def test_a_severity_change_recomputes_the_due_time_from_the_opening(staff_client, ticket):
    # Severity 3 opened Friday 16:30 (the site in Warsaw, 17:30 local, after hours) is due
    # Monday; raised to severity 1, it is due two hours after the opening, around the clock.
    response = post(staff_client, "ticket_severity", ticket, severity="1")
    ticket.refresh_from_db()
    assert back_to_ticket(response, ticket)
    assert ticket.severity == 1
    assert ticket.response_due_at == datetime(2026, 12, 4, 18, 30, tzinfo=UTC)
    assert "first response due 2026-12-04 18:30 UTC" in said(response)[0]


@pytest.mark.parametrize("severity", ["0", "5", "x", ""])
def test_a_severity_outside_1_to_4_is_refused_with_a_clear_message(staff_client, ticket, severity):
    response = post(staff_client, "ticket_severity", ticket, severity=severity)
    ticket.refresh_from_db()
    assert ticket.severity == 3
    assert said(response) == ["Choose a severity from 1 to 4."]


def test_staff_assign_a_ticket_to_a_colleague_and_unassign_it(staff_client, world, ticket):
    colleague = UserFactory(
        email="colleague@vendor.test", first_name="Ada", last_name="Ek", is_staff=True
    )
    response = post(staff_client, "ticket_assign", ticket, assignee=str(colleague.pk))
    ticket.refresh_from_db()
    assert ticket.assignee == colleague
    assert said(response) == [f"Ticket {ticket.number} is assigned to Ada Ek."]
    response = post(staff_client, "ticket_assign", ticket, assignee="")
    ticket.refresh_from_db()
    assert ticket.assignee is None
    assert said(response)[-1] == f"Ticket {ticket.number} is unassigned."
    assert ticket.events.filter(kind=TicketEvent.Kind.ASSIGNED, is_internal=True).count() == 2


@pytest.mark.parametrize("assignee", ["customer", "999999", "abc"])
def test_a_ticket_is_assigned_to_support_staff_only(staff_client, world, ticket, assignee):
    value = str(world.users["caller"].pk) if assignee == "customer" else assignee
    response = post(staff_client, "ticket_assign", ticket, assignee=value)
    ticket.refresh_from_db()
    assert ticket.assignee is None
    assert said(response) == ["Choose a member of support staff, or no one."]


def test_staff_change_a_ticket_of_another_customers_site(staff_client, world):
    other = ticket_opened(world, role="other_customer", line=covered_line(world.other_site))
    response = post(staff_client, "ticket_status", other, status="acknowledged")
    other.refresh_from_db()
    assert back_to_ticket(response, other)
    assert other.status == TicketStatus.ACKNOWLEDGED


@pytest.mark.parametrize("name", ["ticket_status", "ticket_severity", "ticket_assign"])
@pytest.mark.parametrize("role", ["caller", "primary", "reseller"])
def test_customers_and_partners_are_refused_even_on_their_own_tickets(
    client, world, ticket, name, role
):
    client.force_login(world.users[role])
    response = post(client, name, ticket, status="acknowledged", severity="1", assignee="")
    ticket.refresh_from_db()
    assert response.status_code == 403
    assert (ticket.status, ticket.severity) == (TicketStatus.NEW, 3)


def test_anonymous_users_are_sent_to_sign_in(client, ticket):
    response = post(client, "ticket_status", ticket, status="acknowledged")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_an_unknown_ticket_is_404_for_staff(staff_client):
    response = staff_client.post(
        reverse("support:ticket_status", args=["T-00000000"]), {"status": "acknowledged"}
    )
    assert response.status_code == 404
