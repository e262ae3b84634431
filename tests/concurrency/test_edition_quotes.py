"""L9/N6 with concurrent writers: two clicks on "Get a quote" at the same moment (two people,
or a double click) give one live quote, the same for both; the entitlement lock serializes
them and the second finds the first's quote (never a 500 from one_live_quote_per_series)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from functools import partial

from django.utils import timezone

from licensing.models import Entitlement
from renewals.models import Quote
from renewals.services.licensing_kinds import edition_quote_request
from tests.concurrency.race import REPEATS, assert_every_run, at_once, concurrent, kinds
from tests.licensing.factories import EditionFactory, EntitlementFactory, ProductFactory


def ask(entitlement_id: int, edition_id: int, actor) -> str:
    """What the button does: load the licence, then ask for the quote."""
    now = timezone.now()
    return edition_quote_request(
        entitlement=Entitlement.objects.get(pk=entitlement_id),
        target_edition_id=edition_id,
        target_version_id=None,
        actor=actor,
        as_of=timezone.localdate(now),
        now=now,
    ).number


@concurrent
def test_two_simultaneous_quote_requests_give_one_live_quote_l9(world):
    today = timezone.localdate()
    seen = []
    for run in range(REPEATS):
        product = ProductFactory()
        plus = EditionFactory(product=product, name="Plus", rank=2, price=Decimal("1500"))
        pro = EditionFactory(product=product, name="Pro", rank=3, price=Decimal("2200"))
        entitlement = EntitlementFactory(
            site=world.site,
            product=product,
            edition=plus,
            purchased_on=today - timedelta(days=30),
        )
        outcomes = at_once(
            partial(ask, entitlement.pk, pro.pk, world.users["primary"]),
            partial(ask, entitlement.pk, pro.pk, world.users["site_admin"]),
        )
        numbers = {outcome.value for outcome in outcomes}
        live = Quote.objects.live().filter(subject__entitlement=entitlement.pk).count()
        seen.append((kinds(outcomes), len(numbers), live, run))
    assert_every_run(seen, [(["ok", "ok"], 1, 1, run) for run in range(REPEATS)])
