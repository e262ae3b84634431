"""S4: the SLA monitor, a beat job every 5 minutes: tickets still waiting for their first
response are marked *at risk* once 75 % of the target is used and *breached* at the target,
and support staff are told once for each ticket.

Set-based: the instants were stored when the ticket was opened (or its severity changed), so
a pass reads two partial indexes (`ticket_awaiting_risk`, `ticket_awaiting_due`), never a
calendar. Per kind:

- one SELECT of the due ids, `FOR UPDATE SKIP LOCKED` on PostgreSQL: two runs at once take
  disjoint tickets; each chunked UPDATE re-checks `… IS NULL` and only the rows it changed
  count (re-read by the marker when fewer changed), so no ticket is marked or told twice;
- per chunk, one UPDATE marks them, one INSERT … SELECT writes their internal history events;
- after all chunks, ONE digest e-mail per kind goes to the support staff through the outbox
  (E1), listing the first DIGEST_LINES tickets and "and N more": the page of record is the
  staff queue. The key names the run's instant and the first and last ids, so the same run
  repeated is one e-mail; a second run at the same instant finds nothing left to mark.

The whole pass is one transaction: a ticket is never marked without its e-mail row, nor the
other way round. A breached ticket not yet marked at risk is marked both, and listed once,
in the breach digest. A severity change (support.services.tickets) clears a flag whose new
instant is still ahead, so the ticket is told of again when that instant comes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from portal.core.batch import JobSummary, job_run
from portal.core.mail import email_queue
from support.emails import support_staff_addresses, ticket_link
from support.models import Severity, Ticket, TicketEvent

JOB_NAME = "sla_monitor"
CHUNK = 900  # ids per UPDATE: within SQLite's 999 query parameters
DIGEST_LINES = 200  # tickets listed in one digest; the rest are "and N more"


@dataclass(frozen=True)
class Kind:
    """One of the two notices: which instant triggers it and which column records it."""

    name: str  # "at_risk" or "breached"
    due_field: str
    flag_field: str
    event_kind: str
    event_text: str


AT_RISK = Kind(
    name="at_risk",
    due_field="at_risk_at",
    flag_field="at_risk_notified_at",
    event_kind=TicketEvent.Kind.AT_RISK,
    event_text="At risk: 75 % of the first-response target used",
)
BREACHED = Kind(
    name="breached",
    due_field="response_due_at",
    flag_field="breached_at",
    event_kind=TicketEvent.Kind.BREACHED,
    event_text="First-response target missed",
)


def tickets_due_notice(kind: Kind, *, now: datetime):
    """S4: open tickets still waiting for a first response whose `kind` instant has come
    and who were not told of yet (the partial indexes' condition: first_response_at NULL)."""
    return Ticket.objects.awaiting_first_response().filter(
        **{f"{kind.due_field}__lte": now, f"{kind.flag_field}__isnull": True}
    )


def _mark(kind: Kind, *, now: datetime) -> list[tuple[int, datetime]]:
    """Mark every ticket due the notice, chunk by chunk, with its history event; the
    (id, first-response due) of each ticket this run marked."""
    marked: list[tuple[int, datetime]] = []
    changes = {kind.flag_field: now}
    if kind is BREACHED:
        # Breached before the at-risk notice went out: the breach notice says it all.
        changes["at_risk_notified_at"] = Coalesce(F("at_risk_notified_at"), now)
    # One read of the partial index; on PostgreSQL the rows are locked, skipping those a
    # concurrent run holds (it marks them).
    found = list(
        tickets_due_notice(kind, now=now)
        .select_for_update(skip_locked=True)
        .order_by("pk")
        .values_list("pk", "response_due_at")
    )
    for start in range(0, len(found), CHUNK):
        chunk = found[start : start + CHUNK]
        ids = [pk for pk, _due in chunk]
        # Re-checked in the UPDATE: only rows still unmarked change.
        updated = Ticket.objects.filter(pk__in=ids, **{f"{kind.flag_field}__isnull": True}).update(
            **changes
        )
        if updated != len(chunk):
            # Another run marked some meanwhile (possible only without row locks, SQLite):
            # keep those carrying this run's marker.
            mine = set(
                Ticket.objects.filter(pk__in=ids, **{kind.flag_field: now}).values_list(
                    "pk", flat=True
                )
            )
            chunk = [(pk, due) for pk, due in chunk if pk in mine]
        _history_insert(kind, [pk for pk, _due in chunk], now=now)
        marked += chunk
    return marked


def _history_insert(kind: Kind, ids: list[int], *, now: datetime) -> None:
    """One internal history event per ticket marked, in ONE `INSERT … SELECT` per chunk: the
    ORM's bulk_create builds and adapts a model instance per row, which was most of a pass
    over 100,000 tickets (tests/bench/test_sla_monitor_bench.py)."""
    if not ids:
        return
    events, tickets = TicketEvent._meta, Ticket._meta
    quote = connection.ops.quote_name
    columns = ", ".join(
        quote(events.get_field(name).column)
        for name in ("ticket", "kind", "happened_at", "description", "is_internal")
    )
    ticket_id = quote(tickets.pk.column)
    sql = (
        f"INSERT INTO {quote(events.db_table)} ({columns}) "  # noqa: S608 (names from _meta) # nosec B608
        f"SELECT {ticket_id}, %s, %s, %s, %s FROM {quote(tickets.db_table)} "
        f"WHERE {ticket_id} IN ({', '.join(['%s'] * len(ids))})"
    )
    happened_at = events.get_field("happened_at").get_db_prep_value(now, connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, [str(kind.event_kind), happened_at, str(kind.event_text), True, *ids])


@dataclass(frozen=True)
class DigestLine:
    number: str
    site: str
    severity: str
    due_at: datetime
    link: str


def _digest_lines(marked: list[tuple[int, datetime]]) -> list[DigestLine]:
    """The DIGEST_LINES tickets soonest due of those marked (the rest: "and N more")."""
    first = [pk for _due, pk in sorted((due, pk) for pk, due in marked)[:DIGEST_LINES]]
    tickets = (
        Ticket.objects.filter(pk__in=first)
        .select_related("site")
        .only("number", "severity", "response_due_at", "site__number", "site__name")
        .order_by("response_due_at", "pk")
    )
    return [
        DigestLine(
            number=ticket.number,
            site=f"{ticket.site.number} {ticket.site.name}",
            severity=Severity(ticket.severity).label,
            due_at=ticket.response_due_at,
            link=ticket_link(ticket),
        )
        for ticket in tickets
    ]


def _digest_queue(kind: Kind, marked: list[tuple[int, datetime]], *, now: datetime) -> None:
    """ONE e-mail to support staff for the tickets this run marked `kind` (E1 outbox)."""
    ids = [pk for pk, _due in marked]
    lines = _digest_lines(marked)
    email_queue(
        key=f"sla:{kind.name}:{now:%Y%m%dT%H%M%S.%f}:{min(ids)}-{max(ids)}:{len(ids)}",
        to=support_staff_addresses(),
        template=f"support/sla_{kind.name}",
        context={
            "count": len(ids),
            "lines": lines,
            "more": len(ids) - len(lines),
            "now": now,
            "queue_link": settings.SITE_URL + reverse("support:queue"),
        },
        language="en",
        about={"kind": kind.name, "count": len(ids), "first": min(ids), "last": max(ids)},
    )


def sla_monitor(*, now: datetime, dry_run: bool = False) -> JobSummary:
    """S4: one pass of the monitor at `now` (breaches first, so a ticket breached before its
    at-risk notice is listed once, as breached)."""
    summary = JobSummary()
    if dry_run:
        for kind in (BREACHED, AT_RISK):
            due = tickets_due_notice(kind, now=now)
            if kind is AT_RISK:  # those breached as well are marked by the breach pass
                due = due.exclude(response_due_at__lte=now, breached_at__isnull=True)
            count = due.count()
            summary.add(kind.name, count)
            if count:
                summary.note(f"{count} ticket(s) would be marked {kind.name.replace('_', ' ')}")
        return summary
    with transaction.atomic():
        for kind in (BREACHED, AT_RISK):
            ids = _mark(kind, now=now)
            summary.add(kind.name, len(ids))
            if ids:
                _digest_queue(kind, ids, now=now)
                summary.add("emails")
                summary.note(f"{len(ids)} ticket(s) marked {kind.name.replace('_', ' ')}")
    return summary


def sla_monitor_run(
    *, now: datetime | None = None, dry_run: bool = False, trigger: str = "command"
) -> JobSummary:
    """The monitor recorded as a JobRun (N10); its as-of day is the instant's UTC day."""
    now = now or timezone.now()

    def job(*, as_of: date, dry_run: bool) -> JobSummary:
        return sla_monitor(now=now, dry_run=dry_run)

    return job_run(
        JOB_NAME, job, as_of=now.astimezone(UTC).date(), dry_run=dry_run, trigger=trigger
    )
