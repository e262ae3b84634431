"""The escalation queue (S5): escalated open tickets, newest escalation first, with the
customer's reason, site, severity and assignee; paginated; a constant query count."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from support.models import TicketStatus
from support.services.tickets import ticket_escalate
from tests.accounts.factories import UserFactory
from tests.support.factories import covered_line, ticket_opened
from tests.support.staff_factories import queue_ticket

pytestmark = pytest.mark.django_db

URL = reverse("support:escalations")


@pytest.fixture
def staff_client(client, world):
    client.force_login(world.users["staff"])
    return client


def numbers(response) -> list[str]:
    return re.findall(r'href="/support/tickets/(T-[0-9A-F]+)/"', response.content.decode())


def test_a_customers_escalation_puts_the_ticket_in_the_queue_with_its_reason(staff_client, world):
    ticket = ticket_opened(world)
    ticket_escalate(
        ticket_id=ticket.pk,
        reason="Production has been down for a day",
        actor=world.users["caller"],
        now=timezone.now(),
    )
    body = staff_client.get(URL).content.decode()
    assert numbers(staff_client.get(URL)) == [ticket.number]
    assert "Production has been down for a day" in body
    assert world.site.number in body


def test_newest_escalation_first_and_only_open_escalated_tickets(staff_client, world):
    line = covered_line(world.site)
    now = timezone.now()
    older = queue_ticket(world.site, line=line, escalated_at=now - timedelta(hours=3))
    newer = queue_ticket(world.site, line=line, escalated_at=now - timedelta(hours=1))
    queue_ticket(world.site, line=line)  # not escalated
    queue_ticket(
        world.site,
        line=line,
        status=TicketStatus.RESOLVED,
        responded=True,
        escalated_at=now,
    )
    assert numbers(staff_client.get(URL)) == [newer.number, older.number]
    assert numbers(staff_client.get(URL, {"sort": "escalated"})) == [older.number, newer.number]


def test_sorting_by_the_response_due(staff_client, world):
    line = covered_line(world.site)
    now = timezone.now()
    due_later = queue_ticket(world.site, line=line, due_in=timedelta(hours=5), escalated_at=now)
    due_sooner = queue_ticket(
        world.site, line=line, due_in=timedelta(hours=1), escalated_at=now - timedelta(hours=1)
    )
    assert numbers(staff_client.get(URL, {"sort": "due"})) == [
        due_sooner.number,
        due_later.number,
    ]


def test_the_queue_filters_by_severity_and_assignee(staff_client, world):
    line = covered_line(world.site)
    now = timezone.now()
    critical = queue_ticket(world.site, line=line, severity=1, escalated_at=now)
    mine = queue_ticket(
        world.site, line=line, severity=3, escalated_at=now, assignee=world.users["staff"]
    )
    assert numbers(staff_client.get(URL, {"severity": "1"})) == [critical.number]
    assert numbers(staff_client.get(URL, {"assigned": "me"})) == [mine.number]


def test_no_escalations_says_so(staff_client):
    assert "No open ticket is escalated" in staff_client.get(URL).content.decode()


def test_the_escalation_queue_is_for_staff_only(client, world):
    client.force_login(world.users["primary"])
    assert client.get(URL).status_code == 403


@pytest.mark.parametrize("count", [2, 35])
def test_the_escalation_queue_query_count_does_not_grow(
    staff_client, world, django_assert_max_num_queries, count
):
    line = covered_line(world.site)
    colleague = UserFactory(email="colleague@vendor.test", is_staff=True)
    now = timezone.now()
    for index in range(count):
        queue_ticket(
            world.site,
            line=line,
            escalated_at=now - timedelta(minutes=index),
            escalated_by=world.users["caller"],
            escalation_reason=f"Reason {index}",
            assignee=colleague if index % 2 else None,
        )
    with django_assert_max_num_queries(9):
        response = staff_client.get(URL)
    assert len(numbers(response)) == min(count, 25)
