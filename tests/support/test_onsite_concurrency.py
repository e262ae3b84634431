"""S7 with concurrent writers (PostgreSQL): two requests for a visit on one ticket at the same
moment give one onsite request and one live quote, the same for both (the ticket's row lock
serializes them; the second finds the first's live quote)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from functools import partial

from django.utils import timezone

from licensing.models import Product
from renewals.models import Quote
from support.models import OnsiteCountry, OnsiteRate, OnsiteRequest, OnsiteZone
from support.services.onsite import onsite_request
from tests.concurrency.race import REPEATS, assert_every_run, at_once, concurrent, kinds
from tests.support.factories import covered_line, ticket_opened


def ask(ticket_id: int, actor) -> int:
    return onsite_request(
        ticket_id=ticket_id, reason="A technician is needed.", actor=actor, now=timezone.now()
    ).pk


@concurrent
def test_two_requests_for_a_visit_at_once_give_one_quote_s7(world):
    zone = OnsiteZone.objects.create(code="T-CE", name="Test Central")
    OnsiteCountry.objects.update_or_create(country="PL", defaults={"zone": zone})
    OnsiteRate.objects.create(zone=zone, product_kind="hardware", price=Decimal("450"))
    now = datetime.now(tz=UTC)
    seen = []
    for run in range(REPEATS):
        line = covered_line(world.site, kind=Product.Kind.HARDWARE, today=now.date())
        ticket = ticket_opened(world, line=line, now=now)
        outcomes = at_once(
            partial(ask, ticket.pk, world.users["caller"]),
            partial(ask, ticket.pk, world.users["stc"]),
        )
        requests = {outcome.value for outcome in outcomes}
        live = Quote.objects.live().filter(kind="onsite", subject__ticket=ticket.pk).count()
        made = OnsiteRequest.objects.filter(ticket=ticket).count()
        seen.append((kinds(outcomes), len(requests), live, made, run))
    assert_every_run(seen, [(["ok", "ok"], 1, 1, 1, run) for run in range(REPEATS)])
