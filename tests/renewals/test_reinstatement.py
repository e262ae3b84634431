"""N5: lapsed S&S is reinstated, not renewed: the inventory and the entitlement page offer a
reinstatement quote for every lapsed line of the product at the site, at the reinstatement
price, twelve months from the day it is accepted, nothing back-dated; a request while the
quote is live hands back the same quote."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from licensing.models import CoveragePeriod
from portal.core.dates import one_year_of_cover
from renewals.models import Quote
from renewals.services import quote_accept
from renewals.services.reinstatement import reinstatement_quote_request
from tests.conftest import client_for
from tests.licensing.factories import EntitlementFactory, ProductFactory
from tests.renewals.factories import at_noon

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


def ending_on(site, end, *, product, quantity=1):
    start = end - timedelta(days=364)
    return EntitlementFactory(
        site=site,
        product=product,
        quantity=quantity,
        purchased_on=start,
        coverage_start=start,
        coverage_end=end,
    )


@pytest.fixture
def site(world):
    """The own site, bought direct: the quote is open at the vendor's price at once."""
    world.site.reseller = None
    world.site.save(update_fields=["reseller"])
    return world.site


@pytest.fixture
def product():
    return ProductFactory(
        list_price=Decimal("1000.00"),
        annual_ss_price=Decimal("200.00"),
        reinstatement_price=Decimal("600.00"),
    )


def request_url(entitlement) -> str:
    return reverse("renewals:reinstatement_request", args=[entitlement.pk])


def test_one_quote_reinstates_every_lapsed_line_of_the_product_at_the_site(
    client, world, site, product
):
    """N5: S&S covers all licences of a product at a site or none: both lapsed lines of the
    product are on the quote, a covered line of it and another product's lapsed line are not;
    the unit price is the reinstatement price, twelve months from today."""
    first = ending_on(site, today() - timedelta(days=40), product=product, quantity=2)
    second = ending_on(site, today() - timedelta(days=5), product=product)
    ending_on(site, today() + timedelta(days=100), product=product)
    ending_on(site, today() - timedelta(days=5), product=ProductFactory())
    client_for(client, world, "primary")

    response = client.post(request_url(second))

    quote = Quote.objects.get(kind=Quote.Kind.REINSTATEMENT)
    assert response["Location"] == reverse("renewals:quote_detail", args=[quote.number])
    lines = list(quote.lines.order_by("entitlement_id"))
    assert [line.entitlement_id for line in lines] == [first.pk, second.pk]
    assert {(line.unit_price, line.months) for line in lines} == {(Decimal("600.00"), 12)}
    assert lines[0].amount == Decimal("1200.00")
    assert {(line.covers_from, line.covers_to) for line in lines} == {
        (today(), one_year_of_cover(today()))
    }
    assert quote.state == Quote.State.OPEN


def test_asking_again_hands_back_the_live_quote(client, world, site, product):
    """N5/N6: one live quote per series: the second request issues nothing."""
    lapsed = ending_on(site, today() - timedelta(days=5), product=product)
    client_for(client, world, "primary")
    client.post(request_url(lapsed))
    response = client.post(request_url(lapsed), follow=True)
    assert Quote.objects.filter(kind=Quote.Kind.REINSTATEMENT).count() == 1
    assert "already open" in response.content.decode()


def test_a_line_that_lapsed_since_revises_the_live_quote(site, product, world):
    """N4/N5: the live quote no longer covers today's lapsed lines: a revision replaces it."""
    first = ending_on(site, today() - timedelta(days=5), product=product)
    user = world.users["primary"]
    quote, issued = reinstatement_quote_request(
        entitlement_id=first.pk, actor=user, as_of=today(), now=at_noon(today())
    )
    later = ending_on(site, today() - timedelta(days=1), product=product)
    revision, issued_again = reinstatement_quote_request(
        entitlement_id=later.pk, actor=user, as_of=today(), now=at_noon(today())
    )
    quote.refresh_from_db()
    assert (issued, issued_again) == (True, True)
    assert quote.state == Quote.State.SUPERSEDED
    assert revision.supersedes_id == quote.pk
    assert set(revision.lines.values_list("entitlement_id", flat=True)) == {first.pk, later.pk}


def test_a_covered_line_is_refused_with_the_reason(client, world, site, product):
    """N5: only lapsed S&S is reinstated; covered S&S is renewed."""
    covered = ending_on(site, today() + timedelta(days=30), product=product)
    client_for(client, world, "primary")
    response = client.post(request_url(covered), follow=True)
    assert response.redirect_chain[-1][0] == reverse(
        "licensing:entitlement_detail", args=[covered.pk]
    )
    assert "only lapsed S&amp;S is reinstated" in response.content.decode()
    assert not Quote.objects.exists()


def test_accepting_the_quote_covers_twelve_months_from_today_nothing_back_dated(
    site, product, world
):
    lapsed = ending_on(site, today() - timedelta(days=200), product=product)
    user = world.users["primary"]
    quote, _issued = reinstatement_quote_request(
        entitlement_id=lapsed.pk, actor=user, as_of=today(), now=at_noon(today())
    )
    quote_accept(quote_id=quote.pk, actor=user, as_of=today(), now=at_noon(today()))
    lapsed.refresh_from_db()
    assert lapsed.coverage_end == one_year_of_cover(today())
    period = lapsed.coverage_periods.get(kind=CoveragePeriod.Kind.REINSTATEMENT)
    assert (period.starts_on, period.ends_on) == (today(), one_year_of_cover(today()))


def test_technical_contacts_are_refused_and_other_tenants_get_404(client, world, product):
    """SPEC §1/A4: reinstating is for those who run the site (403 for an STC); another
    tenant's entitlement is a 404 for every method."""
    own = ending_on(world.site, today() - timedelta(days=5), product=product)
    other = ending_on(world.other_site, today() - timedelta(days=5), product=product)
    client_for(client, world, "stc")
    assert client.post(request_url(own)).status_code == 403
    client_for(client, world, "primary")
    for method in ("get", "post", "put", "delete"):
        assert getattr(client, method)(request_url(other)).status_code == 404
    assert client.get(request_url(own)).status_code == 405
    assert not Quote.objects.exists()


def test_a_resellers_client_gets_a_quote_waiting_for_the_resellers_price(client, world, product):
    """N6: on a reseller-managed site the quote is a draft until the reseller prices it."""
    lapsed = ending_on(world.site, today() - timedelta(days=5), product=product)
    client_for(client, world, "reseller")
    client.post(request_url(lapsed))
    assert Quote.objects.get().state == Quote.State.DRAFT


def test_the_inventory_offers_the_quote_on_lapsed_lines_to_those_who_run_the_site(
    client, world, product
):
    lapsed = ending_on(world.site, today() - timedelta(days=5), product=product)
    covered = ending_on(world.site, today() + timedelta(days=200), product=ProductFactory())
    for role, offered in (("primary", True), ("reseller", True), ("stc", False)):
        client_for(client, world, role)
        body = client.get(reverse("licensing:inventory")).content.decode()
        assert (request_url(lapsed) in body) is offered, role
        assert request_url(covered) not in body
        detail = client.get(reverse("licensing:entitlement_detail", args=[lapsed.pk]))
        assert (request_url(lapsed) in detail.content.decode()) is offered, role


def test_the_renewals_page_links_the_live_quote_instead_of_the_button(client, world, site, product):
    lapsed = ending_on(site, today() - timedelta(days=5), product=product)
    client_for(client, world, "primary")
    client.post(request_url(lapsed))
    quote = Quote.objects.get()
    body = client.get(reverse("renewals:renewals")).content.decode()
    assert reverse("renewals:quote_detail", args=[quote.number]) in body
    assert request_url(lapsed) not in body
