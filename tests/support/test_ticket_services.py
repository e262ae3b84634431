"""The ticket services (S1–S5, S9): opening, comments and notes, the workflow, severity,
assignment, escalation."""

from datetime import UTC, datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from portal.core.models import OutgoingEmail
from support.clock import clock_readings
from support.models import Ticket, TicketEvent, TicketStatus
from support.services.tickets import (
    ticket_assign,
    ticket_comment_add,
    ticket_escalate,
    ticket_severity_change,
    ticket_status_change,
)
from tests.accounts.factories import ContactFactory, UserFactory
from tests.support.factories import covered_line, lapsed_line, ticket_opened

pytestmark = pytest.mark.django_db

FRIDAY_1630_UTC = datetime(2026, 12, 4, 16, 30, tzinfo=UTC)


def test_a_caller_opens_a_ticket_and_the_contact_and_stcs_are_emailed(world):
    ticket = ticket_opened(world, role="caller", now=FRIDAY_1630_UTC)
    assert ticket.status == TicketStatus.NEW
    assert ticket.contact_email == "caller@alpha.test"
    recipients = set(OutgoingEmail.objects.values_list("to", flat=True))
    assert recipients == {"caller@alpha.test", "stc@alpha.test"}  # S9


def test_severity_2_opened_friday_1630_is_due_monday_1000_site_time(world):
    ticket = ticket_opened(world, severity=2, now=FRIDAY_1630_UTC)  # the site is in UTC
    assert ticket.response_due_at == datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


def test_severity_1_pages_on_call_at_once(world, settings):
    ticket = ticket_opened(world, severity=1, now=FRIDAY_1630_UTC)
    assert ticket.response_due_at == datetime(2026, 12, 4, 18, 30, tzinfo=UTC)
    assert OutgoingEmail.objects.filter(to=settings.SUPPORT_ONCALL_EMAIL).count() == 1


def test_a_billing_contact_is_refused_with_the_reason(world):
    user = UserFactory(email="billing-user@alpha.test")
    ContactFactory(site=world.site, user=user, email=user.email, is_billing_contact=True)
    world.users["billing"] = user
    with pytest.raises(ValidationError, match="authorized technical callers"):
        ticket_opened(world, role="billing")


def test_a_lapsed_product_is_refused_with_its_reinstatement_link(world):
    line = lapsed_line(world.site)
    with pytest.raises(ValidationError) as refused:
        ticket_opened(world, line=line)
    assert "lapsed" in refused.value.messages[0]
    assert refused.value.error_list[0].params["refusal"].reinstate_entitlement_id == line.pk


def test_the_same_submission_twice_opens_one_ticket(world):
    line = covered_line(world.site)
    first = ticket_opened(world, line=line, submission_key="k1")
    second = ticket_opened(world, line=line, submission_key="k1")
    assert first.pk == second.pk
    assert Ticket.objects.count() == 1


def test_the_first_public_staff_comment_stops_the_clock_once(world):
    ticket = ticket_opened(world)
    staff = world.users["staff"]
    ticket_comment_add(
        ticket_id=ticket.pk, body="Note", actor=staff, now=FRIDAY_1630_UTC, internal=True
    )
    ticket.refresh_from_db()
    assert ticket.first_response_at is None  # an internal note is no response
    ticket_comment_add(ticket_id=ticket.pk, body="On it", actor=staff, now=FRIDAY_1630_UTC)
    ticket_comment_add(ticket_id=ticket.pk, body="Again", actor=staff, now=FRIDAY_1630_UTC)
    ticket.refresh_from_db()
    assert ticket.first_response_at == FRIDAY_1630_UTC
    assert ticket.status == TicketStatus.ACKNOWLEDGED
    assert ticket.events.filter(kind=TicketEvent.Kind.FIRST_RESPONSE).count() == 1


def test_a_customer_cannot_write_an_internal_note(world):
    ticket = ticket_opened(world)
    with pytest.raises(PermissionDenied):
        ticket_comment_add(
            ticket_id=ticket.pk,
            body="x",
            actor=world.users["caller"],
            now=FRIDAY_1630_UTC,
            internal=True,
        )
    assert ticket.comments.count() == 0


def test_internal_notes_are_never_emailed(world):
    ticket = ticket_opened(world)
    before = OutgoingEmail.objects.count()
    ticket_comment_add(
        ticket_id=ticket.pk,
        body="secret",
        actor=world.users["staff"],
        now=FRIDAY_1630_UTC,
        internal=True,
    )
    assert OutgoingEmail.objects.count() == before
    assert not OutgoingEmail.objects.filter(body_text__contains="secret").exists()
    assert not any("secret" in message.body for message in mail.outbox)


def test_a_status_change_that_skips_the_workflow_is_refused(world):
    ticket = ticket_opened(world)
    with pytest.raises(ValidationError, match="can move only to Acknowledged"):
        ticket_status_change(
            ticket_id=ticket.pk, status="resolved", actor=world.users["staff"], now=FRIDAY_1630_UTC
        )


def test_the_workflow_runs_to_closed(world):
    ticket = ticket_opened(world)
    for status in ("acknowledged", "in_progress", "waiting", "in_progress", "resolved", "closed"):
        ticket_status_change(
            ticket_id=ticket.pk, status=status, actor=world.users["staff"], now=FRIDAY_1630_UTC
        )
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CLOSED


def test_a_severity_change_recomputes_from_the_opening(world):
    ticket = ticket_opened(world, severity=3, now=FRIDAY_1630_UTC)
    ticket_severity_change(
        ticket_id=ticket.pk, severity=1, actor=world.users["staff"], now=FRIDAY_1630_UTC
    )
    ticket.refresh_from_db()
    assert ticket.response_due_at == datetime(2026, 12, 4, 18, 30, tzinfo=UTC)


def test_assignment_is_to_staff_only(world):
    ticket = ticket_opened(world)
    with pytest.raises(ValidationError):
        ticket_assign(
            ticket_id=ticket.pk,
            assignee=world.users["caller"],
            actor=world.users["staff"],
            now=FRIDAY_1630_UTC,
        )
    ticket_assign(
        ticket_id=ticket.pk,
        assignee=world.users["staff"],
        actor=world.users["staff"],
        now=FRIDAY_1630_UTC,
    )
    ticket.refresh_from_db()
    assert ticket.assignee == world.users["staff"]


def test_escalation_needs_a_reason_and_happens_once(world, settings):
    ticket = ticket_opened(world)
    with pytest.raises(ValidationError, match="Say why"):
        ticket_escalate(
            ticket_id=ticket.pk, reason="", actor=world.users["caller"], now=FRIDAY_1630_UTC
        )
    ticket_escalate(
        ticket_id=ticket.pk,
        reason="Production is losing money",
        actor=world.users["caller"],
        now=FRIDAY_1630_UTC,
    )
    assert OutgoingEmail.objects.filter(to=settings.SUPPORT_MANAGERS_EMAIL).count() == 1
    with pytest.raises(ValidationError, match="already escalated"):
        ticket_escalate(
            ticket_id=ticket.pk,
            reason="Production is losing money",
            actor=world.users["caller"],
            now=FRIDAY_1630_UTC,
        )


def test_a_ticket_closed_without_a_response_stops_its_clock(world):
    ticket = ticket_opened(world, severity=1, now=FRIDAY_1630_UTC)
    staff = world.users["staff"]
    for status in ("acknowledged", "in_progress", "resolved"):
        ticket_status_change(ticket_id=ticket.pk, status=status, actor=staff, now=FRIDAY_1630_UTC)
    ticket.refresh_from_db()
    later = FRIDAY_1630_UTC.replace(day=20)
    reading = clock_readings([ticket], now=later)[ticket.pk]
    assert reading.state == "met"  # resolved within the target, not "overdue" ever after
