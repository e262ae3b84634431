"""The staff box on the ticket page (templates/support/_staff_controls.html) and internal
notes (S1): staff see the workflow's next statuses only, the severities, the staff to assign
to, and a note form posting to the comment view; customers never see the box, nor a note."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string
from django.test import RequestFactory

from portal.core.models import OutgoingEmail
from support.models import TicketStatus
from support.selectors import ticket_attachments, ticket_timeline
from support.services.tickets import ticket_comment_add, ticket_status_change
from tests.accounts.factories import UserFactory
from tests.support.factories import ticket_opened

pytestmark = pytest.mark.django_db

FRIDAY_1630_UTC = datetime(2026, 12, 4, 16, 30, tzinfo=UTC)


def controls(ticket, user, **context) -> str:
    request = RequestFactory().get("/")
    request.user = user
    return render_to_string(
        "support/_staff_controls.html",
        {"ticket": ticket, "user": user, **context},
        request=request,
    )


def options(html: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S).group(0)
    return re.findall(r'<option value="([^"]*)"', select)


def test_staff_see_only_the_next_statuses_the_workflow_allows(world):
    ticket = ticket_opened(world)
    ticket_status_change(
        ticket_id=ticket.pk, status="acknowledged", actor=world.users["staff"], now=FRIDAY_1630_UTC
    )
    ticket_status_change(
        ticket_id=ticket.pk, status="in_progress", actor=world.users["staff"], now=FRIDAY_1630_UTC
    )
    ticket.refresh_from_db()
    html = controls(ticket, world.users["staff"])
    assert options(html, "status") == [TicketStatus.WAITING, TicketStatus.RESOLVED]
    assert options(html, "severity") == ["1", "2", "3", "4"]


def test_the_assign_choice_lists_staff_users_and_no_one(world):
    ticket = ticket_opened(world)
    colleague = UserFactory(email="colleague@vendor.test", is_staff=True)
    html = controls(ticket, world.users["staff"], staff_users=[colleague])
    assert options(html, "assignee") == ["", str(colleague.pk)]
    looked_up = controls(ticket, world.users["staff"])  # no staff_users given: looked up
    assert set(options(looked_up, "assignee")) == {
        "",
        str(colleague.pk),
        str(world.users["staff"].pk),
    }


def test_the_note_form_posts_an_internal_comment_with_a_fresh_key(world):
    ticket = ticket_opened(world)
    html = controls(ticket, world.users["staff"])
    assert f'action="/support/tickets/{ticket.number}/comment/"' in html
    assert 'enctype="multipart/form-data"' in html
    assert re.search(r'name="internal" value="1"', html)
    assert re.search(r'name="submission_key" value="[0-9a-f]{32}"', html)
    assert re.search(r'<input type="file"[^>]*name="attachments"[^>]*multiple', html)
    assert re.search(r'<textarea name="body"', html)


def test_a_closed_ticket_offers_no_status_and_no_note(world):
    ticket = ticket_opened(world)
    for status in ("acknowledged", "in_progress", "resolved", "closed"):
        ticket_status_change(
            ticket_id=ticket.pk, status=status, actor=world.users["staff"], now=FRIDAY_1630_UTC
        )
    ticket.refresh_from_db()
    html = controls(ticket, world.users["staff"])
    assert "its status cannot change any more" in html
    assert 'name="body"' not in html


@pytest.mark.parametrize("role", ["primary", "caller", "reseller"])
def test_customers_and_partners_never_see_the_staff_box(world, role):
    ticket = ticket_opened(world)
    assert controls(ticket, world.users[role], is_staff=True).strip() == ""


def test_anonymous_never_sees_the_staff_box(world):
    assert controls(ticket_opened(world), AnonymousUser()).strip() == ""


def test_an_internal_note_is_never_shown_or_emailed_to_the_customer(world):
    ticket = ticket_opened(world)
    emails_before = OutgoingEmail.objects.count()
    ticket_comment_add(
        ticket_id=ticket.pk,
        body="Known licence-server bug, fix in 10.2",
        actor=world.users["staff"],
        now=FRIDAY_1630_UTC,
        internal=True,
    )
    customer_view = ticket_timeline(ticket=ticket, include_internal=False)
    staff_view = ticket_timeline(ticket=ticket, include_internal=True)
    assert not any("10.2" in getattr(item, "body", "") for item in customer_view)
    assert any("10.2" in getattr(item, "body", "") for item in staff_view)
    assert not ticket_attachments(ticket=ticket, include_internal=False).filter(
        comment__is_internal=True
    )
    assert OutgoingEmail.objects.count() == emails_before
    ticket.refresh_from_db()
    assert ticket.first_response_at is None  # a note is no response (S4)
