"""Browser journey (L9/N6): a customer opens a licence, reads the edition-change offers and
gets a quote for one from the entitlement page; the quote page shows it (every page load is
audited by axe-core and the overflow checks)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from licensing.models import Entitlement
from renewals.models import Quote
from tests.accounts.factories import ContactFactory, SiteFactory, UserFactory
from tests.e2e.helpers import sign_in
from tests.licensing.factories import (
    EditionFactory,
    EntitlementFactory,
    ProductFactory,
    VersionFactory,
)

pytestmark = pytest.mark.e2e


@pytest.fixture
def plus_licences(transactional_db) -> Entitlement:
    """Two Atlas Plus licences bought directly 100 days ago (S&S active)."""
    today = date.today()  # noqa: DTZ011
    site = SiteFactory(number="3141593", name="Orbit Sopot")
    primary = UserFactory(email="olga@orbit.test")
    ContactFactory(
        site=site,
        email=primary.email,
        user=primary,
        is_primary=True,
        site_number_confirmed_at=timezone.now(),
    )
    atlas = ProductFactory(name="Atlas Database Server", list_price=Decimal("1000.00"))
    EditionFactory(product=atlas, name="Plus", rank=2, price=Decimal("1500.00"))
    plus = atlas.editions.get(name="Plus")
    EditionFactory(product=atlas, name="Pro", rank=3, price=Decimal("2200.00"))
    version = VersionFactory(product=atlas, version="10.0", release_date=today - timedelta(400))
    return EntitlementFactory(
        site=site,
        product=atlas,
        edition=plus,
        version=version,
        quantity=2,
        purchased_on=today - timedelta(days=100),
    )


def test_customer_gets_an_edition_change_quote_from_the_licence_page(page, plus_licences):
    sign_in(page, "olga@orbit.test")
    page.goto(reverse("licensing:entitlement_detail", args=[plus_licences.pk]))
    offers = page.get_by_role("heading", name="Edition change and upgrade quotes")
    expect(offers).to_be_visible()
    # L9: Plus → Pro with S&S active costs the difference, 700 per licence.
    expect(page.get_by_text("Edition difference Plus → Pro")).to_be_visible()
    page.get_by_role("button", name=re.compile(r"Get a quote\W+Change to Pro")).click()
    expect(page.get_by_role("heading", name=re.compile(r"Quote Q-"))).to_be_visible()
    quote = Quote.objects.get(kind=Quote.Kind.EDITION_CHANGE)
    assert page.url.endswith(reverse("renewals:quote_detail", args=[quote.number]))
    assert (quote.state, quote.vendor_total) == (Quote.State.OPEN, Decimal("1400.00"))
