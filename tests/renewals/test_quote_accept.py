"""N6: accepting a quote is one durable transaction: once, never expired or superseded, the
order that extends coverage, the updated PoE, the e-mails."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from licensing.models import CoveragePeriod, Order, PoEDocument
from portal.core.models import OutgoingEmail
from renewals.models import Quote
from renewals.services import quote_accept
from tests.accounts.factories import SiteFactory, UserFactory
from tests.licensing.factories import EntitlementFactory, ProductFactory
from tests.renewals.factories import at_noon, primary_contact, renewal_quote_for

pytestmark = pytest.mark.django_db

TODAY = date(2026, 1, 5)


@pytest.fixture
def site():
    site = SiteFactory(agreement__anniversary_month=3)
    primary_contact(site, email="primary@example.test")
    return site


def test_accepting_a_renewal_extends_coverage_to_the_anniversary_and_issues_the_poe(site):
    product = ProductFactory(annual_ss_price=Decimal("240.00"))
    entitlement = EntitlementFactory(
        site=site, product=product, quantity=3, purchased_on=date(2025, 3, 10)
    )  # covered to 2026-03-09
    quote = renewal_quote_for([entitlement], as_of=TODAY)
    line = quote.lines.get()
    # N2: the co-term end of 9 March 2026 is 31 March 2026, the first anniversary after it:
    # one started month.
    assert (line.covers_from, line.covers_to, line.months) == (
        date(2026, 3, 10),
        date(2026, 3, 31),
        1,
    )
    assert line.amount == Decimal("60.00")  # 240 × 1/12 × 3
    user = UserFactory()
    quote_accept(quote_id=quote.pk, actor=user, as_of=TODAY, now=at_noon(TODAY))
    entitlement.refresh_from_db()
    assert entitlement.coverage_end == date(2026, 3, 31)
    assert entitlement.coverage_periods.filter(kind=CoveragePeriod.Kind.RENEWAL).count() == 1
    order = Order.objects.get(source=Order.Source.QUOTE)
    assert order.lines.get().unit_price == Decimal("20.00")
    assert PoEDocument.objects.filter(order=order).exists()
    assert OutgoingEmail.objects.filter(key__startswith=f"quote:{quote.number}:accepted").exists()


def test_a_quote_is_accepted_once(site):
    entitlement = EntitlementFactory(site=site, purchased_on=date(2025, 3, 10))
    quote = renewal_quote_for([entitlement], as_of=TODAY)
    user = UserFactory()
    quote_accept(quote_id=quote.pk, actor=user, as_of=TODAY, now=at_noon(TODAY))
    with pytest.raises(ValidationError, match="already accepted"):
        quote_accept(quote_id=quote.pk, actor=user, as_of=TODAY, now=at_noon(TODAY))
    assert Order.objects.filter(source=Order.Source.QUOTE).count() == 1


def test_an_expired_quote_cannot_be_accepted(site):
    entitlement = EntitlementFactory(site=site, purchased_on=date(2025, 3, 10))
    quote = renewal_quote_for([entitlement], as_of=TODAY, valid_until=date(2026, 1, 31))
    with pytest.raises(ValidationError, match="expired on"):
        quote_accept(
            quote_id=quote.pk, actor=UserFactory(), as_of=date(2026, 2, 1), now=at_noon(TODAY)
        )


def test_a_revision_supersedes_and_the_old_quote_cannot_be_accepted(site):
    entitlement = EntitlementFactory(site=site, purchased_on=date(2025, 3, 10))
    first = renewal_quote_for([entitlement], as_of=TODAY, series_key="s")
    second = renewal_quote_for([entitlement], as_of=TODAY, series_key="s")
    first.refresh_from_db()
    assert (first.state, second.revision, second.supersedes_id) == (
        Quote.State.SUPERSEDED,
        1,
        first.pk,
    )
    with pytest.raises(ValidationError, match="replaced by a revision"):
        quote_accept(quote_id=first.pk, actor=UserFactory(), as_of=TODAY, now=at_noon(TODAY))


def test_the_order_poe_of_an_accepted_renewal_lists_the_renewed_licences(site):
    """N6/L4: accepting issues the updated PoE: the order's PoE lists what the order renewed,
    with its new coverage end (the order created no entitlement)."""
    entitlement = EntitlementFactory(site=site, quantity=2, purchased_on=date(2025, 3, 10))
    quote = renewal_quote_for([entitlement], as_of=TODAY)
    quote_accept(quote_id=quote.pk, actor=UserFactory(), as_of=TODAY, now=at_noon(TODAY))
    document = PoEDocument.objects.get(order__source=Order.Source.QUOTE)
    assert [
        (line["poe_number"], line["quantity"], line["coverage_end"])
        for line in document.snapshot["lines"]
    ] == [(entitlement.poe_number, 2, "2026-03-31")]
