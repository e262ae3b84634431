"""S6 with concurrent writers (PostgreSQL): two requests for the same failed unit at the same
moment make one RMA; the other is refused with the first's number, never a 500 from the
one_live_rma_per_unit constraint. From one ticket, the ticket's row lock serializes them; from
two tickets about the same unit, the constraint decides."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial

from django.utils import timezone

from licensing.models import Product
from support.models import ReplacementRequest
from support.services.replacements import rma_request
from tests.concurrency.race import REPEATS, assert_every_run, at_once, concurrent, kinds
from tests.licensing.factories import ProductFactory
from tests.support.factories import covered_line, ticket_opened


def ask(ticket_id: int, actor, serial: str) -> str:
    return rma_request(
        ticket_id=ticket_id,
        failed_serial=serial,
        fault="Dead.",
        ship_to="1 Main Street",
        actor=actor,
        now=timezone.now(),
    ).number


@concurrent
def test_two_requests_for_one_unit_at_once_make_one_rma_s6(world):
    now = datetime.now(tz=UTC)
    seen = []
    for run in range(REPEATS):
        line = covered_line(
            world.site, product=ProductFactory(kind=Product.Kind.HARDWARE), today=now.date()
        )
        first = ticket_opened(world, line=line, now=now)
        second = ticket_opened(world, line=line, now=now, role="stc") if run % 2 else first
        outcomes = at_once(
            partial(ask, first.pk, world.users["caller"], f"SN-{run}"),
            partial(ask, second.pk, world.users["stc"], f"SN-{run}"),
        )
        count = ReplacementRequest.objects.filter(entitlement=line).count()
        seen.append((kinds(outcomes), count, run))
    assert_every_run(seen, [(["ok", "refused"], 1, run) for run in range(REPEATS)])
