"""Browser journeys for the customer's renewals (N1, N5, N6, L4): (a) the primary contact opens
the renewals page, opens the renewal quote, ticks an optional co-term line, reviews and
accepts, and downloads the updated PoE, which lists the new coverage ends; (b) a lapsed
licence is reinstated from the inventory: the button, the quote, accept, and the inventory
shows it covered for twelve months from today. Every page is audited (axe-core, overflow)."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from licensing.models import Entitlement
from portal.core.dates import one_year_of_cover
from portal.core.formatting import format_day
from renewals.models import Quote
from tests.accounts.factories import ContactFactory, OrganisationFactory, SiteFactory, UserFactory
from tests.e2e.helpers import sign_in
from tests.licensing.factories import EntitlementFactory, ProductFactory
from tests.renewals.factories import renewal_quote_for

pytestmark = pytest.mark.e2e


def ending_on(site, end, *, product, quantity=1) -> Entitlement:
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
def direct_site(transactional_db):
    """A customer buying direct (no reseller: quotes are open at once), its primary contact."""
    site = SiteFactory(
        number="3131313",
        name="Orbit Labs",
        agreement__customer=OrganisationFactory(name="Orbit Group"),
    )
    ContactFactory(
        site=site,
        email="olga@orbit.test",
        is_primary=True,
        user=UserFactory(email="olga@orbit.test"),
        site_number_confirmed_at=timezone.now(),
    )
    return site


def test_a_customer_accepts_a_renewal_with_a_coterm_line_and_downloads_the_updated_poe(
    new_context, direct_site
):
    today = timezone.localdate()
    anniversary = direct_site.agreement.next_anniversary(today)
    atlas = ProductFactory(name="Atlas Database Server", annual_ss_price=Decimal("2400"))
    beacon = ProductFactory(name="Beacon Analytics", annual_ss_price=Decimal("600"))
    due = ending_on(direct_site, anniversary - timedelta(days=2), product=atlas, quantity=3)
    coterm = ending_on(direct_site, anniversary + timedelta(days=75), product=beacon, quantity=2)
    quote = renewal_quote_for(
        [due, coterm], as_of=today, due_through=anniversary, valid_until=anniversary
    )
    due_line = quote.lines.get(entitlement=due)
    coterm_line = quote.lines.get(entitlement=coterm)
    assert coterm_line.is_optional
    assert not due_line.is_optional

    page = new_context().new_page()
    sign_in(page, "olga@orbit.test")
    page.get_by_role("link", name="Renewals", exact=True).click()
    expect(page.get_by_role("heading", name="Renewals", exact=True)).to_be_visible()
    expect(page.get_by_text(anniversary.strftime("%Y")).first).to_be_visible()
    page.get_by_role("link", name=quote.number).click()

    expect(page.get_by_role("heading", name=f"Quote {quote.number}")).to_be_visible()
    page.get_by_label("Also renew Beacon Analytics").check()
    page.get_by_role("button", name="Review and accept").click()

    expect(
        page.get_by_role("heading", name=f"Review and accept quote {quote.number}")
    ).to_be_visible()
    expect(page.get_by_text("Co-term lines you chose: Beacon Analytics")).to_be_visible()
    page.get_by_role("button", name="Confirm and accept").click()

    expect(page.get_by_text(f"Quote {quote.number} is accepted")).to_be_visible()
    quote.refresh_from_db()
    assert quote.state == Quote.State.ACCEPTED
    with page.expect_download() as download_info:
        page.get_by_role("link", name=f"PoE of site {direct_site.number} (PDF)").click()
    pdf = download_info.value.path().read_bytes()
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    text = text.replace("\u00a0", " ")  # dates keep their words together with no-break spaces
    # N1/N2: the due line renews to the anniversary after next coverage end; the co-term line
    # to the first anniversary after its own end (E2: in the reader's locale).
    assert format_day(due_line.covers_to) in text
    assert format_day(coterm_line.covers_to) in text
    assert due.poe_number in text
    assert coterm.poe_number in text


def test_a_lapsed_licence_is_reinstated_from_the_inventory(new_context, direct_site):
    today = timezone.localdate()
    product = ProductFactory(
        name="Comet Designer", list_price=Decimal("1000"), reinstatement_price=Decimal("600")
    )
    lapsed = ending_on(direct_site, today - timedelta(days=90), product=product, quantity=2)

    page = new_context().new_page()
    sign_in(page, "olga@orbit.test")
    page.get_by_role("link", name="Inventory", exact=True).click()
    row = page.get_by_role("row").filter(has_text=lapsed.poe_number)
    expect(row.get_by_text("Lapsed")).to_be_visible()
    row.get_by_role("button", name="Get a reinstatement quote").click()

    expect(page).to_have_url(re.compile(r"/renewals/quotes/Q-[^/]+/$"))
    quote = Quote.objects.get(kind=Quote.Kind.REINSTATEMENT)
    expect(page.get_by_role("heading", name=f"Quote {quote.number}")).to_be_visible()
    expect(page.get_by_text("Reinstate S&S").first).to_be_visible()
    page.get_by_role("button", name="Review and accept").click()
    page.get_by_role("button", name="Confirm and accept").click()
    expect(page.get_by_text(f"Quote {quote.number} is accepted")).to_be_visible()

    page.get_by_role("link", name="Inventory", exact=True).click()
    row = page.get_by_role("row").filter(has_text=lapsed.poe_number)
    expect(row.get_by_text("Covered")).to_be_visible()
    expect(row.get_by_text(format_day(one_year_of_cover(today), language="en"))).to_be_visible()
    expect(row.get_by_role("button", name="Get a reinstatement quote")).to_have_count(0)
