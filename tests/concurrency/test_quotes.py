"""N6 with concurrent writers: accepting a quote is a request → decision flow, race-free by
construction (STYLE): the quote row is locked and its state re-checked under the lock, and the
entitlements it extends are locked and re-checked, so two "Accept" clicks at the same moment
give one order, and two quotes renewing the same entitlement extend it once."""

from __future__ import annotations

import importlib
from datetime import date
from functools import partial

import pytest
from django.apps import apps
from django.db import transaction

from licensing.models import CoveragePeriod, Entitlement, Order
from renewals.models import Quote
from renewals.services import quote_accept, quote_orders
from tests.concurrency.race import REPEATS, assert_every_run, at_once, concurrent, kinds
from tests.licensing.factories import EntitlementFactory, ProductFactory
from tests.renewals.factories import at_noon, renewal_quote_for

TODAY = date(2026, 1, 5)
NOW = at_noon(TODAY)


@pytest.fixture
def levels():
    """The default levels (migration 0002): a transactional test before this one flushed the
    database, migration data included."""
    importlib.import_module("renewals.migrations.0002_default_levels").load(apps, None)


@pytest.fixture
def direct_site(world, levels):
    """world.site without its reseller: a direct quote is open (sent) when issued."""
    site = world.site
    site.reseller = None
    site.save()
    site.agreement.anniversary_month = 3
    site.agreement.save()
    return site


def due_entitlement(site, run: int) -> Entitlement:
    """Covered to 9 March 2026: a renewal to 31 March 2026 (N1/N2)."""
    return EntitlementFactory(
        site=site,
        product=ProductFactory(part_number=f"RACE-{run:03d}"),
        quantity=2,
        purchased_on=date(2025, 3, 10),
    )


def open_quote(entitlement: Entitlement, series_key: str) -> Quote:
    with transaction.atomic():  # quote_issue leaves the transaction to its caller
        return renewal_quote_for([entitlement], as_of=TODAY, series_key=series_key)


def accept(quote_id: int, actor):
    """What the accept page does on "Accept": call the service with the quote's id."""
    return quote_accept(quote_id=quote_id, actor=actor, as_of=TODAY, now=NOW)


def refusals(outcomes) -> list[str]:
    return [message for outcome in outcomes for message in outcome.messages]


def renewals_of(entitlement: Entitlement) -> int:
    return entitlement.coverage_periods.filter(kind=CoveragePeriod.Kind.RENEWAL).count()


@concurrent
def test_two_accept_clicks_at_the_same_moment_give_one_order_n6(world, direct_site):
    """The primary contact and a site administrator press "Accept" on the same quote at the
    same moment: one order, the quote accepted once, coverage extended once; the other is told
    the quote was already accepted."""
    seen, expected = [], []
    for run in range(REPEATS):
        entitlement = due_entitlement(direct_site, run)
        quote = open_quote(entitlement, f"race:{run}")
        outcomes = at_once(
            partial(accept, quote.pk, world.users["primary"]),
            partial(accept, quote.pk, world.users["site_admin"]),
        )
        quote.refresh_from_db()
        entitlement.refresh_from_db()
        told = [
            f"Quote {quote.number} was already accepted on 5 Jan 2026." in message
            for message in refusals(outcomes)
        ]
        seen.append(
            (
                kinds(outcomes),
                quote.state,
                quote_orders(quote).count(),
                renewals_of(entitlement),
                entitlement.coverage_end,
                told,
            )
        )
        expected.append((["ok", "refused"], Quote.State.ACCEPTED, 1, 1, date(2026, 3, 31), [True]))

    assert_every_run(seen, expected)


@concurrent
def test_two_quotes_renewing_one_entitlement_accepted_at_once_extend_it_once_n6(world, direct_site):
    """Two quotes of different series renew the same licence (e.g. an on-request quote and
    the anniversary quote) and are accepted at the same moment: the entitlement is locked and
    re-checked, so only one extends it; the other is refused ("already covered to …") and
    writes no order."""
    seen, expected = [], []
    for run in range(REPEATS):
        entitlement = due_entitlement(direct_site, run)
        first = open_quote(entitlement, f"race:a:{run}")
        second = open_quote(entitlement, f"race:b:{run}")
        outcomes = at_once(
            partial(accept, first.pk, world.users["primary"]),
            partial(accept, second.pk, world.users["site_admin"]),
        )
        entitlement.refresh_from_db()
        states = sorted(Quote.objects.filter(pk__in=(first.pk, second.pk)).values_list("state"))
        told = [
            "is already covered to 31 Mar 2026: ask for a new quote." in message
            for message in refusals(outcomes)
        ]
        seen.append(
            (
                kinds(outcomes),
                states,
                Order.objects.filter(lines__product=entitlement.product).count(),
                renewals_of(entitlement),
                entitlement.coverage_end,
                told,
            )
        )
        expected.append(
            (
                ["ok", "refused"],
                sorted([(Quote.State.ACCEPTED,), (Quote.State.OPEN,)]),
                1,
                1,
                date(2026, 3, 31),
                [True],
            )
        )

    assert_every_run(seen, expected)
