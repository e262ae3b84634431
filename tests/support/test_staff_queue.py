"""The staff work queue (S1, S4): open tickets, those waiting for their first response first
(soonest due first), then the rest; filters, search, sorting, pagination; a query count that
does not grow with the rows."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from support.models import TicketStatus
from tests.accounts.factories import UserFactory
from tests.support.factories import covered_line
from tests.support.staff_factories import queue_ticket

pytestmark = pytest.mark.django_db

URL = reverse("support:queue")


@pytest.fixture
def staff_client(client, world):
    client.force_login(world.users["staff"])
    return client


def numbers(response) -> list[str]:
    """The ticket numbers in the page's rows, in order."""
    return re.findall(r'href="/support/tickets/(T-[0-9A-F]+)/"', response.content.decode())


def test_tickets_awaiting_a_first_response_come_first_soonest_due_first(staff_client, world):
    line = covered_line(world.site)
    later = queue_ticket(world.site, line=line, due_in=timedelta(hours=5))
    answered = queue_ticket(world.site, line=line, due_in=timedelta(minutes=5), responded=True)
    sooner = queue_ticket(world.site, line=line, due_in=timedelta(hours=1))
    response = staff_client.get(URL)
    assert numbers(response) == [sooner.number, later.number, answered.number]


def test_resolved_and_closed_tickets_are_not_in_the_queue_unless_asked_for(staff_client, world):
    line = covered_line(world.site)
    open_one = queue_ticket(world.site, line=line)
    resolved = queue_ticket(world.site, line=line, status=TicketStatus.RESOLVED, responded=True)
    closed = queue_ticket(world.site, line=line, status=TicketStatus.CLOSED, responded=True)
    assert numbers(staff_client.get(URL)) == [open_one.number]
    assert numbers(staff_client.get(URL, {"status": "resolved"})) == [resolved.number]
    assert set(numbers(staff_client.get(URL, {"status": "any"}))) == {
        open_one.number,
        resolved.number,
        closed.number,
    }


def test_the_queue_shows_every_sites_tickets_to_staff(staff_client, world):
    own = queue_ticket(world.site)
    other = queue_ticket(world.other_site)
    assert set(numbers(staff_client.get(URL))) == {own.number, other.number}


def test_filters_by_severity_site_product_and_reseller(staff_client, world):
    line = covered_line(world.site)
    critical = queue_ticket(world.site, line=line, severity=1)
    minor = queue_ticket(world.site, line=line, severity=4)
    other = queue_ticket(world.other_site, severity=4)
    assert numbers(staff_client.get(URL, {"severity": "1"})) == [critical.number]
    assert numbers(staff_client.get(URL, {"site": world.other_site.number})) == [other.number]
    assert set(numbers(staff_client.get(URL, {"product": line.product_id}))) == {
        critical.number,
        minor.number,
    }
    assert numbers(staff_client.get(URL, {"reseller": world.other_reseller.pk})) == [other.number]


def test_assigned_to_me_and_unassigned(staff_client, world):
    colleague = UserFactory(email="colleague@vendor.test", is_staff=True)
    line = covered_line(world.site)
    mine = queue_ticket(world.site, line=line, assignee=world.users["staff"])
    queue_ticket(world.site, line=line, assignee=colleague)
    nobodys = queue_ticket(world.site, line=line)
    assert numbers(staff_client.get(URL, {"assigned": "me"})) == [mine.number]
    assert numbers(staff_client.get(URL, {"assigned": "none"})) == [nobodys.number]


def test_escalated_tickets_are_flagged_and_can_be_filtered(staff_client, world):
    line = covered_line(world.site)
    escalated = queue_ticket(
        world.site, line=line, escalated_at=timezone.now(), escalation_reason="Losing money"
    )
    queue_ticket(world.site, line=line)
    plain = queue_ticket(world.site, line=line, due_in=timedelta(hours=3))
    response = staff_client.get(URL, {"escalated": "yes"})
    assert numbers(response) == [escalated.number]
    assert plain.number in numbers(staff_client.get(URL, {"escalated": "no"}))
    assert "Escalated" in response.content.decode()


def test_search_finds_a_ticket_by_number_title_or_site_number(staff_client, world):
    line = covered_line(world.site)
    wanted = queue_ticket(world.site, line=line, title="Printer queue jammed")
    queue_ticket(world.site, line=line, title="Licence server down")
    other = queue_ticket(world.other_site)
    assert numbers(staff_client.get(URL, {"q": wanted.number.lower()})) == [wanted.number]
    assert numbers(staff_client.get(URL, {"q": "printer"})) == [wanted.number]
    assert numbers(staff_client.get(URL, {"q": world.other_site.number})) == [other.number]


def test_sorting_by_opening_newest_first(staff_client, world):
    line = covered_line(world.site)
    now = timezone.now()
    old = queue_ticket(world.site, line=line, opened_at=now - timedelta(hours=5))
    new = queue_ticket(world.site, line=line, opened_at=now - timedelta(hours=1))
    assert numbers(staff_client.get(URL, {"sort": "-opened"})) == [new.number, old.number]
    assert numbers(staff_client.get(URL, {"sort": "opened"})) == [old.number, new.number]


def test_an_invalid_filter_value_is_ignored_and_the_queue_still_shows(staff_client, world):
    ticket = queue_ticket(world.site)
    response = staff_client.get(URL, {"severity": "9", "sort": "nonsense"})
    assert response.status_code == 200
    assert numbers(response) == [ticket.number]


def test_the_queue_pages_by_25_and_keeps_the_filters(staff_client, world):
    line = covered_line(world.site)
    for hours in range(30):
        queue_ticket(world.site, line=line, due_in=timedelta(hours=2 + hours), severity=3)
    first = staff_client.get(URL, {"severity": "3"})
    second = staff_client.get(URL, {"severity": "3", "page": "2"})
    assert len(numbers(first)) == 25
    assert len(numbers(second)) == 5
    assert "severity=3&amp;page=2" in first.content.decode()


def test_the_clock_column_shows_time_left_and_overdue(staff_client, world):
    line = covered_line(world.site)
    now = timezone.now()
    queue_ticket(world.site, line=line, severity=1, opened_at=now - timedelta(hours=3))
    queue_ticket(world.site, line=line, severity=1, opened_at=now - timedelta(minutes=10))
    body = staff_client.get(URL).content.decode()
    assert "Response overdue by" in body
    assert "left" in body


def test_an_empty_queue_says_so(staff_client):
    assert "the queue is empty" in staff_client.get(URL).content.decode()


def test_customers_and_resellers_are_refused(client, world):
    for role in ("primary", "caller", "reseller"):
        client.force_login(world.users[role])
        assert client.get(URL).status_code == 403


@pytest.mark.parametrize("count", [3, 40])
def test_the_queue_query_count_does_not_grow_with_the_tickets(
    staff_client, world, django_assert_max_num_queries, count
):
    """Session, user, MFA check, one COUNT, the page's rows (site, product, assignee joined),
    the holidays for the clocks, the product and reseller choices, the session's save (3)."""
    lines = [covered_line(world.site), covered_line(world.other_site)]
    colleague = UserFactory(email="colleague@vendor.test", is_staff=True)
    for index in range(count):
        site = world.site if index % 2 else world.other_site
        queue_ticket(
            site,
            line=lines[index % 2],
            due_in=timedelta(minutes=30 + index),
            assignee=colleague if index % 3 else None,
            escalated_at=timezone.now() if index % 5 == 0 else None,
        )
    with django_assert_max_num_queries(11):
        response = staff_client.get(URL)
    assert len(numbers(response)) == min(count, 25)
