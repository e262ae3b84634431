"""Review #7 items 22 and 23 in Chromium: every main page of every role at 1366 and 390 px
passes the page audit (axe-core serious/critical, nothing wider than the viewport;
tests/e2e/audit.py), the menu marks the current page and shows a keyboard focus ring, the
portal has its favicon, and a required radio shows the portal's error, not the browser's."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import Agreement, Contact
from licensing.services import LineRequest, order_place
from tests.accounts.factories import (
    AgreementFactory,
    ContactFactory,
    OrganisationFactory,
    ResellerFactory,
    SiteFactory,
    UserFactory,
    with_totp,
)
from tests.e2e.helpers import field, sign_in
from tests.licensing.factories import EditionFactory, ProductFactory, VersionFactory

pytestmark = pytest.mark.e2e

WIDTHS = (1366, 390)


@pytest.fixture
def estate(transactional_db):
    """A reseller-managed customer site with a primary contact who holds several roles, an
    STC, a reseller user and staff (both with authenticators), and an order with licences
    covered, expiring and lapsed (L3) under long names and numbers."""
    today = date.today()  # noqa: DTZ011
    reseller = ResellerFactory(name="Northwind Partners Sp. z o.o.")
    customer = OrganisationFactory(name="Kraków Precision Instruments International Holding")
    agreement = AgreementFactory(
        customer=customer, programme=Agreement.Programme.PA, anniversary_month=6
    )
    site = SiteFactory(
        number="4815162",
        name="Kraków Precision — Research and Development Campus",
        agreement=agreement,
        reseller=reseller,
    )
    primary = UserFactory(email="katarzyna.wisniewska-nowakowska@krakow-precision.test")
    ContactFactory(
        site=site,
        name="Katarzyna Wiśniewska-Nowakowska",
        email=primary.email,
        user=primary,
        is_primary=True,
        is_billing_contact=True,
        is_renewal_contact=True,
        site_number_confirmed_at=timezone.now(),
    )
    stc = UserFactory(email="tomasz@krakow-precision.test")
    ContactFactory(
        site=site,
        name="Tomasz Zieliński",
        email=stc.email,
        user=stc,
        stc_role=Contact.STCRole.PRIMARY,
        site_number_confirmed_at=timezone.now(),
    )
    rita = with_totp(UserFactory(email="rita@northwind.test", reseller=reseller))
    staff = with_totp(UserFactory(email="vera@vendor.test", is_staff=True, is_superuser=True))
    products = []
    for n, name in enumerate(
        ("Atlas Database Server Enterprise", "Beacon Analytics Desktop", "Comet Integration Hub")
    ):
        product = ProductFactory(
            part_number=f"PRD-{n}-LONGPARTNUMBER-2026", name=name, list_price="16000.00"
        )
        EditionFactory(product=product, name="Professional")
        VersionFactory(product=product, version="12.4", release_date=today - timedelta(days=400))
        products.append(product)
    for ordered, product in zip((0, 300, 700), products, strict=True):
        order_place(
            site=site,
            ordered_on=today - timedelta(days=ordered),
            actor=None,
            source="admin",
            lines=[LineRequest(product=product, quantity=12)],
            as_of=today,
        )
    entitlement = site.entitlements.order_by("pk").first()
    return {
        "site": site,
        "entitlement": entitlement,
        "users": {
            "primary": (primary.email, False),
            "stc": (stc.email, False),
            "reseller": (rita.email, True),
            "staff": (staff.email, True),
        },
    }


def _main_pages(estate, role: str) -> list[str]:
    number = estate["site"].number
    pages = [
        "/",
        f"/sites/{number}/",
        "/inventory/",
        f"/entitlements/{estate['entitlement'].pk}/",
        f"/sites/{number}/contacts/",
        f"/sites/{number}/statement/",
        "/downloads/",
        f"/sites/{number}/orders/",
    ]
    if role == "staff":
        pages.append("/admin/")
    return pages


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("role", ["primary", "stc", "reseller", "staff"])
def test_every_main_page_passes_the_audit(new_context, estate, role, width, page_audit):
    page = new_context(width=width, height=844 if width < 500 else 900).new_page()
    email_address, totp = estate["users"][role]
    sign_in(page, email_address, totp=totp)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    for path in _main_pages(estate, role):
        response = page.goto(path)
        assert response is not None
        assert response.status == 200, f"{path} answered {response.status}"
        page_audit.wait_for(page)
    audited = {entry.split(" @")[0] for entry in page_audit.checked}
    assert set(_main_pages(estate, role)) <= audited


def test_the_inventory_shows_status_and_coverage_on_a_phone(new_context, estate):
    # Item 22: at 390 px the rows stack, so Status and Coverage end are on screen.
    page = new_context(width=390, height=844).new_page()
    sign_in(page, estate["users"]["primary"][0])
    page.goto("/inventory/")
    first_row = page.locator("tbody tr").first
    for label in ("Coverage end", "Status"):
        cell = first_row.locator(f'td[data-label="{label}"]')
        expect(cell).to_be_visible()
        box = cell.bounding_box()
        assert box is not None
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= 390


def test_the_menu_marks_the_current_page(page, estate):
    sign_in(page, estate["users"]["primary"][0])
    page.goto("/inventory/")
    menu = page.get_by_role("navigation", name="Main navigation")
    expect(menu.locator('[aria-current="page"]')).to_have_count(1)
    expect(menu.locator('[aria-current="page"]')).to_have_text("Inventory")
    page.goto("/downloads/")
    expect(menu.locator('[aria-current="page"]')).to_have_text("Downloads")


def _focus_ring(page: Page) -> dict:
    return page.evaluate(
        """() => {
            const style = getComputedStyle(document.activeElement);
            return {text: document.activeElement.textContent.trim(),
                    outline: style.outlineStyle, outlineWidth: style.outlineWidth,
                    shadow: style.boxShadow};
        }"""
    )


def test_tabbing_to_a_menu_link_shows_a_focus_ring(page, estate):
    sign_in(page, estate["users"]["primary"][0])
    page.goto("/downloads/")
    for _ in range(8):
        page.keyboard.press("Tab")
        if _focus_ring(page)["text"] == "Inventory":
            break
    ring = _focus_ring(page)
    assert ring["text"] == "Inventory"
    assert (ring["outline"] != "none" and ring["outlineWidth"] != "0px") or ring["shadow"] != "none"
    assert ring["outline"] == "solid"


def test_the_portal_has_its_favicon(page, estate):
    page.goto("/accounts/login/")
    icon = page.locator('link[rel="icon"]')
    expect(icon).to_have_attribute("href", re.compile(r"favicon\.svg$"))
    response = page.request.get(icon.get_attribute("href"))
    assert response.status == 200
    assert "svg" in response.headers["content-type"]


def test_a_required_radio_shows_the_portals_error(page, estate):
    # Item 23: the invitation form's Role is a required radio; the server's message shows.
    sign_in(page, estate["users"]["primary"][0])
    page.goto(f"/sites/{estate['site'].number}/users/invite/")
    field(page, "Name").fill("Ewa Nowak")
    field(page, "E-mail address").fill("ewa@krakow-precision.test")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("This field is required.")).to_be_visible()
    assert page.url.endswith("/users/invite/")


def test_role_badges_read_as_separate_roles(page, estate):
    # Item 23: a screen reader reads each role on its own (list items), not one run-on word.
    sign_in(page, estate["users"]["primary"][0])
    page.goto(f"/sites/{estate['site'].number}/contacts/")
    row = page.get_by_role("row", name=re.compile("Katarzyna"))
    roles = row.get_by_role("list").get_by_role("listitem")
    expect(roles).to_have_count(3)
    expect(roles.first).to_have_text("Primary contact")
