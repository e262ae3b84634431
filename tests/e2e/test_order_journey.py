"""Browser journey for orders (Review #7 item 18, L2): a reseller opens the order form for a
client site, chooses a product and is offered only that product's editions and versions,
fills the quantity, reviews the priced lines and total, and places the order; the order page
shows it; the client's primary contact then signs in and finds the new licences counted on
the dashboard (item 21). Every page is audited (axe-core, overflow) at 1366 px."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from licensing.models import Entitlement, Order
from tests.accounts.factories import (
    ContactFactory,
    OrganisationFactory,
    ResellerFactory,
    SiteFactory,
    UserFactory,
    with_totp,
)
from tests.e2e.helpers import sign_in
from tests.licensing.factories import EditionFactory, ProductFactory, VersionFactory

pytestmark = pytest.mark.e2e


@pytest.fixture
def client_site(transactional_db):
    """A reseller managing one client site; two products whose editions share a name and
    whose versions share a number (the finding: "Standard" twice, "10.0" twice)."""
    today = date.today()  # noqa: DTZ011
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
    atlas = ProductFactory(
        part_number="ATL-DB-100", name="Atlas Database Server", list_price=Decimal("12000")
    )
    EditionFactory(product=atlas, name="Standard", rank=1, price=Decimal("12000"))
    EditionFactory(product=atlas, name="Plus", rank=2, price=Decimal("16000"))
    VersionFactory(product=atlas, version="10.0", release_date=today - timedelta(days=400))
    VersionFactory(product=atlas, version="11.0", release_date=today - timedelta(days=20))
    beacon = ProductFactory(
        part_number="BCN-AN-200", name="Beacon Analytics", list_price=Decimal("2400")
    )
    EditionFactory(product=beacon, name="Standard", rank=1, price=Decimal("2400"))
    VersionFactory(product=beacon, version="10.0")
    return site


def option_labels(page: Page, selector: str) -> list[str]:
    return [label.strip() for label in page.locator(f"{selector} option").all_inner_texts()]


def covered_count(page: Page) -> str:
    return page.locator(".status-count-covered .status-count-number").inner_text().strip()


def test_reseller_places_an_order_choosing_a_product_then_its_editions_and_versions(
    new_context, client_site
):
    # The primary contact's dashboard before the order: nothing covered yet.
    primary = new_context().new_page()
    sign_in(primary, "dora@delta.test")
    expect(primary.locator(".status-count-covered")).to_be_visible()
    assert covered_count(primary) == "0"

    page = new_context().new_page()
    sign_in(page, "rita@partner.test", totp=True)
    page.goto(f"/sites/{client_site.number}/orders/")
    page.get_by_role("link", name="Place an order").click()
    expect(page.get_by_role("heading", name="Place an order")).to_be_visible()
    # htmx is a deferred script: the heading can be visible before htmx has processed the
    # form, and a choice made then sends nothing (the CI failure of stop 15). "load" comes
    # after DOMContentLoaded, where htmx binds its triggers.
    page.wait_for_load_state("load")
    # Nothing to choose before the product is chosen.
    assert option_labels(page, "#id_lines-0-edition") == ["—"]

    # Choosing the product re-renders its line with that product's options only (htmx).
    page.locator("#id_lines-0-product").select_option(
        label="ATL-DB-100 Atlas Database Server — €12,000.00"
    )
    expect(page.locator("#id_lines-0-edition option")).to_have_count(3)
    assert option_labels(page, "#id_lines-0-edition") == [
        "—",
        "Standard — €12,000.00",
        "Plus — €16,000.00",
    ]
    assert option_labels(page, "#id_lines-0-version") == ["—", "10.0", "11.0"]
    page.locator("#id_lines-0-edition").select_option(label="Plus — €16,000.00")
    page.locator("#id_lines-0-version").select_option(label="11.0")
    page.locator("#id_lines-0-quantity").fill("2")

    # A second line for the other product is offered the other product's options.
    page.locator("#id_lines-1-product").select_option(
        label="BCN-AN-200 Beacon Analytics — €2,400.00"
    )
    expect(page.locator("#id_lines-1-edition option")).to_have_count(2)
    assert option_labels(page, "#id_lines-1-version") == ["—", "10.0"]
    # The first line kept what was chosen while the second was re-rendered.
    expect(page.locator("#id_lines-0-quantity")).to_have_value("2")
    page.locator("#id_lines-1-quantity").fill("3")

    # Review: the priced lines and the total, nothing placed yet.
    page.get_by_role("button", name="Review the order").click()
    expect(page.get_by_role("heading", name="Review the order")).to_be_visible()
    expect(page.get_by_test_id("order-total")).to_have_text("€39,200.00")  # 2 × 16,000 + 3 × 2,400
    assert not Order.objects.exists()

    # "Change" keeps everything entered; review again and place the order.
    page.get_by_role("button", name="Change").click()
    expect(page.locator("#id_lines-0-quantity")).to_have_value("2")
    expect(page.locator("#id_lines-0-edition")).to_have_value(
        page.locator("#id_lines-0-edition option", has_text="Plus").get_attribute("value")
    )
    page.get_by_role("button", name="Review the order").click()
    page.get_by_role("button", name="Place order").click()

    order = Order.objects.get()
    expect(page.get_by_role("heading", name=f"Order {order.number}")).to_be_visible()
    expect(page.get_by_text(f"Order {order.number} was placed.")).to_be_visible()
    expect(page.get_by_text("Through Partner Systems")).to_be_visible()
    expect(page.get_by_role("cell", name="€39,200.00")).to_be_visible()
    assert Entitlement.objects.filter(order_line__order=order).count() == 2

    # The primary contact's dashboard counts the two new licences as covered, and the count
    # leads to the inventory showing them.
    primary.goto("/")
    assert covered_count(primary) == "2"
    primary.locator(".status-count-covered").click()
    expect(primary.get_by_text("Atlas Database Server").first).to_be_visible()
    expect(primary.get_by_text("Beacon Analytics").first).to_be_visible()
