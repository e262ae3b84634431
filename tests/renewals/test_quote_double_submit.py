"""N6: a quote can be accepted once. Two submissions of "Accept" in a row (a double click, a
re-sent form) give one order; the second is answered with a clear message, never a 500."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from licensing.models import CoveragePeriod, Order
from renewals.models import Quote
from renewals.services import quote_accept, quote_orders
from tests.conftest import client_for
from tests.licensing.factories import EntitlementFactory
from tests.renewals.factories import at_noon, renewal_quote_for

pytestmark = pytest.mark.django_db

TODAY = date(2026, 1, 5)


@pytest.fixture
def direct_site(world):
    """world.site without its reseller: a direct quote is open (sent) when issued."""
    site = world.site
    site.reseller = None
    site.save()
    site.agreement.anniversary_month = 3
    site.agreement.save()
    return site


def test_accepting_twice_in_a_row_gives_one_order_and_a_clear_refusal_n6(world, direct_site):
    entitlement = EntitlementFactory(site=direct_site, purchased_on=date(2025, 3, 10))
    quote = renewal_quote_for([entitlement], as_of=TODAY)
    accept = {"quote_id": quote.pk, "as_of": TODAY, "now": at_noon(TODAY)}
    quote_accept(actor=world.users["primary"], **accept)
    with pytest.raises(
        ValidationError, match=f"Quote {quote.number} was already accepted on 5 Jan 2026"
    ):
        quote_accept(actor=world.users["site_admin"], **accept)
    quote.refresh_from_db()
    entitlement.refresh_from_db()
    assert (quote.state, quote.decided_by) == (Quote.State.ACCEPTED, world.users["primary"])
    assert quote_orders(quote).count() == 1
    assert entitlement.coverage_periods.filter(kind=CoveragePeriod.Kind.RENEWAL).count() == 1
    assert entitlement.coverage_end == date(2026, 3, 31)


def accept_url(quote: Quote) -> str:
    try:
        return reverse("renewals:quote_accept", args=[quote.number])
    except NoReverseMatch:
        pytest.skip("renewals:quote_accept (the accept page) is not in this tree yet")


def test_two_posts_of_the_accept_form_give_one_order_and_a_message_not_a_500_n6(
    client, world, direct_site
):
    """Through the page: the second POST is answered (a page or a redirect with the message),
    and nothing is written twice."""
    today = timezone.localdate()
    # Bought 300 days ago: covered, and renewed to the next anniversary.
    entitlement = EntitlementFactory(site=direct_site, purchased_on=today - timedelta(days=300))
    quote = renewal_quote_for([entitlement], as_of=today)
    url = accept_url(quote)
    client_for(client, world, "primary")
    confirmed = {"confirm": "1"}  # the review page's "Accept" (renewals.forms)
    first = client.post(url, confirmed)
    second = client.post(url, confirmed, follow=True)
    assert first.status_code in (200, 302)
    assert second.status_code == 200
    assert "already accepted" in second.content.decode()
    assert Order.objects.filter(source=Order.Source.QUOTE).count() == 1
    quote.refresh_from_db()
    assert quote.state == Quote.State.ACCEPTED
