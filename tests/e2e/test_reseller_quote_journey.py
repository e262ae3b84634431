"""Browser journey for the client's price (N6, issue #8 acceptance: "a reseller sets its
client's price and sends the quote"): the reseller signs in (with its authenticator code),
opens its clients' renewals, finds the client's quote waiting for its price, tries +150 %
(refused: at most +100 %), previews +8 %, then saves and sends; the client's primary contact
receives the quote at the client's price. The renewals page is also loaded on a 390 px wide
phone (its chart and table must fit), and so is the price page. Every page is audited
(axe-core, overflow)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from portal.core.formatting import format_money
from renewals.models import Quote
from renewals.pricing import reseller_adjusted
from tests.accounts.factories import (
    ContactFactory,
    OrganisationFactory,
    ResellerFactory,
    SiteFactory,
    UserFactory,
    with_totp,
)
from tests.e2e.helpers import field, sign_in, text_body
from tests.licensing.factories import EntitlementFactory, ProductFactory
from tests.renewals.factories import renewal_quote_for

pytestmark = pytest.mark.e2e


@pytest.fixture
def draft_quote(transactional_db) -> Quote:
    """A client site managed by a reseller, with a renewal quote waiting for the reseller's
    price (N6: a reseller's quote starts as a draft)."""
    today = date.today()  # noqa: DTZ011 (the live server's today)
    reseller = ResellerFactory(name="Partner Systems")
    with_totp(UserFactory(email="rita@partner.test", reseller=reseller))
    site = SiteFactory(
        number="4242424",
        name="Delta Works",
        reseller=reseller,
        agreement__customer=OrganisationFactory(name="Delta Foods"),
    )
    ContactFactory(
        site=site,
        email="dora@delta.test",
        is_primary=True,
        user=UserFactory(email="dora@delta.test"),
        site_number_confirmed_at=timezone.now(),
    )
    product = ProductFactory(name="Atlas Database Server", annual_ss_price=Decimal("2400.00"))
    entitlement = EntitlementFactory(
        site=site, product=product, quantity=4, purchased_on=today - timedelta(days=300)
    )
    quote = renewal_quote_for([entitlement], as_of=today)
    assert quote.state == Quote.State.DRAFT
    return quote


def test_reseller_sets_its_clients_price_and_sends_the_quote(new_context, mailbox, draft_quote):
    quote = draft_quote
    vendor_total = format_money(quote.vendor_total, "EUR")
    client_total = format_money(
        sum(
            (reseller_adjusted(line.amount, Decimal(8)) for line in quote.lines.all()),
            Decimal(0),
        ),
        "EUR",
    )

    desktop = new_context()
    page = desktop.new_page()
    sign_in(page, "rita@partner.test", totp=True)
    page.get_by_role("link", name="Renewals", exact=True).click()
    expect(page.get_by_role("heading", name="Your clients' renewals")).to_be_visible()
    expect(page.get_by_role("img", name="Renewal value by month")).to_be_visible()
    row = page.get_by_role("row").filter(has_text=quote.number)
    expect(row).to_contain_text("Delta Foods")
    expect(row).to_contain_text("Waiting for the reseller's price")
    expect(row).to_contain_text(vendor_total)
    row.get_by_role("link", name="Set your client's price").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text(quote.number)
    # N6: above +100 % is refused with the way out.
    field(page, "Your adjustment (%)").fill("150")
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_text("At most +100 % above the vendor's price.")).to_be_visible()
    assert not page.get_by_role("button", name="Save and send to the client").is_visible()

    field(page, "Your adjustment (%)").fill("8")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#client-total")).to_have_text(client_total)
    expect(page.get_by_text("dora@delta.test")).to_be_visible()
    quote.refresh_from_db()
    assert quote.sent_at is None  # a preview saves nothing

    page.get_by_role("button", name="Save and send to the client").click()
    expect(
        page.get_by_text(f"Quote {quote.number} was sent to your client at {client_total}.")
    ).to_be_visible()
    quote.refresh_from_db()
    assert quote.state == Quote.State.OPEN
    assert quote.reseller_adjustment_percent == Decimal(8)

    # The client's primary contact gets the quote at the client's price.
    message = mailbox.wait_for(to="dora@delta.test", subject=quote.number)
    body = text_body(message)
    assert f"Total: {client_total}" in body
    assert vendor_total not in body

    # Once sent, the price is fixed: the page says so and offers no form.
    page.goto(f"/renewals/quotes/{quote.number}/price/")
    expect(page.get_by_text("Its price is fixed.")).to_be_visible()
    expect(page.get_by_label("Your adjustment (%)")).to_have_count(0)

    # On a phone: the renewals page, its chart and its table fit 390 px (audited).
    # (the same session: an authenticator code is accepted once)
    phone_context = new_context(width=390, height=844)
    phone_context.add_cookies(desktop.cookies())
    phone = phone_context.new_page()
    phone.goto("/renewals/clients/")
    expect(phone.get_by_role("img", name="Renewal value by month")).to_be_visible()
    expect(phone.get_by_text(quote.number)).to_be_visible()
    phone.goto(f"/renewals/quotes/{quote.number}/price/")
    expect(phone.locator("#client-total")).to_have_text(client_total)
