"""S4: the SLA monitor marks tickets at risk (75 % of the target used) and breached, and tells
support staff once for each: one digest e-mail per run and kind, through the outbox (E1)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from portal.core.models import JobRun, OutgoingEmail
from support.models import Ticket, TicketEvent, TicketStatus
from support.selectors import SUPPORT_STAFF_GROUP
from support.services import sla_monitor as monitor
from support.services.sla_monitor import sla_monitor
from support.services.tickets import ticket_comment_add, ticket_severity_change
from support.tasks import sla_monitor_task
from tests.accounts.factories import UserFactory
from tests.concurrency.race import at_once, concurrent
from tests.support.factories import covered_line, ticket_opened

pytestmark = pytest.mark.django_db

WARSAW = ZoneInfo("Europe/Warsaw")  # the world's site (tests/accounts/factories.py)


def warsaw(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=WARSAW)


# Severity 2 opened Monday 09:00 at the site: at risk 10:30, due 11:00 (site time).
MONDAY_0900 = warsaw("2026-12-07 09:00")
AT_RISK = warsaw("2026-12-07 10:30")
DUE = warsaw("2026-12-07 11:00")


def sla_emails(kind: str = ""):
    return OutgoingEmail.objects.filter(key__startswith=f"sla:{kind}")


def sla_events(ticket: Ticket):
    return list(
        ticket.events.filter(
            kind__in=[TicketEvent.Kind.AT_RISK, TicketEvent.Kind.BREACHED]
        ).values_list("kind", flat=True)
    )


@pytest.fixture
def line(world):
    return covered_line(world.site, today=MONDAY_0900.date())


def opened(world, line, *, severity: int = 2, now: datetime = MONDAY_0900, **kwargs) -> Ticket:
    return ticket_opened(world, line=line, severity=severity, now=now, **kwargs)


def test_a_ticket_at_75_percent_is_marked_at_risk_and_staff_are_told_once(world, line):
    ticket = opened(world, line)
    before = sla_monitor(now=warsaw("2026-12-07 10:29"))
    assert before.counts == {"breached": 0, "at_risk": 0}

    summary = sla_monitor(now=AT_RISK)

    ticket.refresh_from_db()
    assert ticket.at_risk_notified_at == AT_RISK
    assert ticket.breached_at is None
    assert summary.counts == {"breached": 0, "at_risk": 1, "emails": 1}
    email = sla_emails("at_risk").get()
    assert email.to == "desk@support.entitle.example"  # no one in the staff group: the desk
    assert ticket.number in email.body_text
    assert "/support/queue/" in email.body_text
    assert sla_events(ticket) == [TicketEvent.Kind.AT_RISK]
    assert ticket.events.get(kind=TicketEvent.Kind.AT_RISK).is_internal  # staff history

    sla_monitor(now=warsaw("2026-12-07 10:45"))  # later runs: told once
    assert sla_emails().count() == 1
    assert sla_events(ticket) == [TicketEvent.Kind.AT_RISK]


def test_a_second_run_at_the_same_instant_is_a_no_op(world, line):
    opened(world, line)
    sla_monitor(now=DUE)
    emails, events = sla_emails().count(), TicketEvent.objects.count()

    again = sla_monitor(now=DUE)

    assert again.counts == {"breached": 0, "at_risk": 0}
    assert (sla_emails().count(), TicketEvent.objects.count()) == (emails, events)


def test_at_risk_then_breached_are_two_notices_each_once(world, line):
    ticket = opened(world, line)
    sla_monitor(now=AT_RISK)
    sla_monitor(now=DUE)
    sla_monitor(now=warsaw("2026-12-07 12:00"))

    ticket.refresh_from_db()
    assert (ticket.at_risk_notified_at, ticket.breached_at) == (AT_RISK, DUE)
    assert sla_emails("at_risk").count() == 1
    assert sla_emails("breached").count() == 1
    assert sla_events(ticket) == [TicketEvent.Kind.AT_RISK, TicketEvent.Kind.BREACHED]


def test_a_ticket_breached_before_its_at_risk_notice_is_marked_both_in_one_breach_notice(
    world, line
):
    ticket = opened(world, line)

    summary = sla_monitor(now=warsaw("2026-12-07 12:00"))

    ticket.refresh_from_db()
    assert ticket.breached_at == ticket.at_risk_notified_at == warsaw("2026-12-07 12:00")
    assert summary.counts == {"breached": 1, "at_risk": 0, "emails": 1}
    assert not sla_emails("at_risk").exists()
    assert sla_emails("breached").get().body_text.count(f"- {ticket.number} ") == 1
    assert sla_events(ticket) == [TicketEvent.Kind.BREACHED]


def test_a_severity_change_clears_the_flag_and_the_new_instant_is_told_again(world, line):
    # Severity 1 opened Friday 16:30 at the site: at risk 18:00, due 18:30 (24x7).
    ticket = opened(world, line, severity=1, now=warsaw("2026-12-04 16:30"))
    sla_monitor(now=warsaw("2026-12-04 18:00"))
    assert sla_emails("at_risk").count() == 1

    # Lowered to severity 2: due Monday 10:00, at risk Monday 09:30; the flag is cleared.
    ticket_severity_change(
        ticket_id=ticket.pk, severity=2, actor=world.users["staff"], now=warsaw("2026-12-04 18:10")
    )
    ticket.refresh_from_db()
    assert ticket.at_risk_notified_at is None
    sla_monitor(now=warsaw("2026-12-04 19:00"))  # past the old instants: nothing
    assert sla_emails("at_risk").count() == 1

    sla_monitor(now=warsaw("2026-12-07 09:30"))

    ticket.refresh_from_db()
    assert ticket.at_risk_notified_at == warsaw("2026-12-07 09:30")
    assert sla_emails("at_risk").count() == 2
    assert sla_events(ticket) == [TicketEvent.Kind.AT_RISK, TicketEvent.Kind.AT_RISK]


def test_answered_tickets_are_never_marked(world, line):
    ticket = opened(world, line)
    ticket_comment_add(
        ticket_id=ticket.pk, body="Looking into it.", actor=world.users["staff"], now=AT_RISK
    )

    summary = sla_monitor(now=warsaw("2026-12-08 12:00"))

    ticket.refresh_from_db()
    assert (ticket.at_risk_notified_at, ticket.breached_at) == (None, None)
    assert summary.counts == {"breached": 0, "at_risk": 0}
    assert not sla_emails().exists()


@pytest.mark.parametrize("status", [TicketStatus.RESOLVED, TicketStatus.CLOSED])
def test_resolved_and_closed_tickets_are_never_marked(world, line, status):
    ticket = opened(world, line)
    Ticket.objects.filter(pk=ticket.pk).update(status=status)

    sla_monitor(now=warsaw("2026-12-08 12:00"))

    ticket.refresh_from_db()
    assert (ticket.at_risk_notified_at, ticket.breached_at) == (None, None)
    assert not sla_emails().exists()


def test_a_dry_run_counts_and_changes_nothing(world, line):
    at_risk = opened(world, line, now=warsaw("2026-12-07 10:00"))  # at risk 11:30
    breached = opened(world, line)  # due 11:00
    events = TicketEvent.objects.count()

    summary = sla_monitor(now=warsaw("2026-12-07 11:45"), dry_run=True)

    assert summary.counts == {"breached": 1, "at_risk": 1}
    for ticket in (at_risk, breached):
        ticket.refresh_from_db()
        assert (ticket.at_risk_notified_at, ticket.breached_at) == (None, None)
    assert TicketEvent.objects.count() == events
    assert not sla_emails().exists()


def test_one_digest_per_kind_lists_the_first_tickets_and_says_how_many_more(
    world, line, monkeypatch
):
    monkeypatch.setattr(monitor, "DIGEST_LINES", 2)
    tickets = [opened(world, line, title=f"Down {n}") for n in range(3)]

    summary = sla_monitor(now=AT_RISK)

    assert summary.counts["at_risk"] == 3
    email = sla_emails("at_risk").get()  # one e-mail for the three tickets
    assert "3 tickets" in email.subject
    assert "and 1 more" in email.body_text
    assert "and 1 more" in email.body_html
    assert sum(ticket.number in email.body_text for ticket in tickets) == 2


def test_the_digest_goes_to_the_support_staff_group(world, line):
    group, _created = Group.objects.get_or_create(name=SUPPORT_STAFF_GROUP)
    agent = UserFactory(email="agent@vendor.test", is_staff=True)
    agent.groups.add(group)
    opened(world, line)

    sla_monitor(now=AT_RISK)

    assert sla_emails("at_risk").get().to == "agent@vendor.test"


def test_the_command_runs_at_an_instant_and_is_recorded(world, line, capsys):
    ticket = opened(world, line)

    call_command("monitor_sla", "--at", "2026-12-07 09:30")  # UTC: 10:30 at the site

    ticket.refresh_from_db()
    assert ticket.at_risk_notified_at == AT_RISK
    run = JobRun.objects.get(job="sla_monitor")
    assert (run.outcome, run.counts["at_risk"], str(run.as_of)) == (
        JobRun.Outcome.FINISHED,
        1,
        "2026-12-07",
    )
    assert "at_risk: 1" in capsys.readouterr().out


def test_the_command_with_a_day_alone_runs_at_its_end_and_dry_runs_write_nothing(
    world, line, capsys
):
    ticket = opened(world, line)

    call_command("monitor_sla", "--as-of", "2026-12-07", "--dry-run")

    assert "[dry run]" in capsys.readouterr().out
    ticket.refresh_from_db()
    assert ticket.breached_at is None
    call_command("monitor_sla", "--as-of", "2026-12-07")
    ticket.refresh_from_db()
    assert ticket.breached_at == datetime(2026, 12, 7, 23, 59, 59, 999999, tzinfo=ZoneInfo("UTC"))


def test_the_beat_task_runs_now_and_is_recorded(world):
    assert sla_monitor_task() == {"breached": 0, "at_risk": 0}
    assert JobRun.objects.get(job="sla_monitor").trigger == "beat"


@concurrent
def test_two_runs_at_once_mark_and_tell_each_ticket_once(world):
    line = covered_line(world.site, today=MONDAY_0900.date())
    tickets = [opened(world, line, title=f"Down {n}") for n in range(40)]
    outcomes = at_once(lambda: sla_monitor(now=DUE), lambda: sla_monitor(now=DUE))

    assert [outcome.kind for outcome in outcomes] == ["ok", "ok"]
    marked = sum(outcome.value.counts["breached"] for outcome in outcomes)
    assert marked == len(tickets)
    assert TicketEvent.objects.filter(kind=TicketEvent.Kind.BREACHED).count() == len(tickets)
    told = sum(email.context["count"] for email in sla_emails("breached"))
    assert told == len(tickets)
