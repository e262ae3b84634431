"""Browser journeys for licensing (issue: licensing acceptance): a customer searches the
inventory, opens an entitlement, downloads the PoE PDF and reads it, asks to move the licence
to a new computer and sees the rule and fee (L4, L5, L8); staff approve a site-to-site
transfer in the admin (L7)."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from accounts.models import Agreement
from licensing.models import Entitlement, LicenceMove, Product, SiteTransfer
from licensing.services import LineRequest, activation_add, order_place, transfer_request
from portal.core.formatting import format_day
from tests.accounts.factories import (
    AgreementFactory,
    ContactFactory,
    OrganisationFactory,
    SiteFactory,
    UserFactory,
    with_totp,
)
from tests.e2e.helpers import field, sign_in
from tests.licensing.factories import ProductFactory, VersionFactory

pytestmark = pytest.mark.e2e


@pytest.fixture
def customer_estate(transactional_db):
    """A PA customer with two sites; site A holds an online-activated licence bought 30 months
    ago (S&S lapsed, version supported) and a fresh one bought this year."""
    today = date.today()  # noqa: DTZ011
    customer = OrganisationFactory(name="Orbit Logistics")
    agreement = AgreementFactory(
        customer=customer, programme=Agreement.Programme.PA, anniversary_month=6
    )
    site_a = SiteFactory(number="3141592", name="Orbit Gdynia", agreement=agreement)
    site_b = SiteFactory(number="2718281", name="Orbit Poznań", agreement=agreement)
    primary = UserFactory(email="olga@orbit.test")
    ContactFactory(
        site=site_a,
        email=primary.email,
        user=primary,
        is_primary=True,
        site_number_confirmed_at=timezone.now(),
    )
    ContactFactory(
        site=site_b,
        email=primary.email,
        user=primary,
        is_primary=True,
        site_number_confirmed_at=timezone.now(),
    )
    atlas = ProductFactory(
        part_number="ATL-DB-100",
        name="Atlas Database Server",
        kind=Product.Kind.SOFTWARE,
        delivery=Product.Delivery.ONLINE,
        list_price="12000.00",
        annual_ss_price="2400.00",
    )
    version = VersionFactory(
        product=atlas,
        version="10.0",
        release_date=today - timedelta(days=1200),
        eos_date=today + timedelta(days=900),
    )
    beacon = ProductFactory(
        part_number="BCN-AN-200",
        name="Beacon Analytics Desktop",
        kind=Product.Kind.SOFTWARE,
        delivery=Product.Delivery.OFFLINE,
    )
    old = order_place(
        site=site_a,
        ordered_on=today - timedelta(days=913),
        actor=None,
        source="admin",
        lines=[LineRequest(product=atlas, quantity=3, version=version)],
        as_of=today,
    )
    order_place(
        site=site_a,
        ordered_on=today - timedelta(days=20),
        actor=None,
        source="admin",
        lines=[LineRequest(product=beacon, quantity=7)],
        as_of=today,
    )
    entitlement = old.lines.get().entitlements.get()
    activation_add(
        entitlement=entitlement,
        machine_id="GDY-DB-01",
        actor=None,
        as_of=today - timedelta(days=900),
    )
    return {
        "site_a": site_a,
        "site_b": site_b,
        "primary": primary,
        "entitlement": entitlement,
        "beacon": beacon,
    }


def test_customer_finds_a_licence_downloads_its_poe_and_asks_to_move_it(page, customer_estate):
    entitlement: Entitlement = customer_estate["entitlement"]
    sign_in(page, "olga@orbit.test")
    page.get_by_role("link", name="Inventory").click()
    expect(page.get_by_role("heading", name="Inventory")).to_be_visible()
    # L5: search by part number narrows the list to the Atlas licence.
    field(page, "Search").fill("ATL-DB-100")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("cell", name=entitlement.poe_number)).to_be_visible()
    expect(page.get_by_text("Beacon Analytics Desktop")).to_have_count(0)
    page.get_by_role("link", name="Atlas Database Server").click()
    expect(page.get_by_role("heading", name=re.compile("Atlas Database Server"))).to_be_visible()

    # L4: the site PoE downloads as a PDF carrying the site number, quantities and coverage.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Site PoE (PDF)").click()
    pdf_bytes = download_info.value.path().read_bytes()
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf_bytes)).pages)
    assert "3141592" in text
    assert entitlement.poe_number in text
    # E2: the reader's locale (English: "31 Dec 2027"; no-break spaces inside the date).
    assert format_day(entitlement.coverage_end) in text.replace("\u00a0", " ")
    assert re.search(r"\b3\b", text)  # the Atlas quantity
    assert re.search(r"\b7\b", text)  # the Beacon quantity

    # L8: the move shows the fee and why before it is requested.
    page.get_by_role("link", name="Move to a new computer").click()
    page.get_by_label("GDY-DB-01").check()
    field(page, "New machine id").fill("GDY-DB-02")
    page.get_by_role("button", name="Show the fee").click()
    quote = page.locator("#move-quote")
    expect(quote).not_to_contain_text("L8.4")  # review #7 item 16: the code is for staff
    expect(quote).to_contain_text("30 %")
    expect(quote).to_contain_text("€3,600.00")
    page.get_by_role("button", name="Request the move").click()
    expect(page.get_by_text("The move to GDY-DB-02 was requested")).to_be_visible()
    move = LicenceMove.objects.get(entitlement=entitlement)
    assert (move.rule, move.fee, move.state) == ("L8.4", 3600, LicenceMove.State.PENDING)


def test_staff_approve_a_site_to_site_transfer(page, customer_estate):
    today = date.today()  # noqa: DTZ011
    staff = with_totp(UserFactory(email="vera@vendor.test", is_staff=True, is_superuser=True))
    source = Entitlement.objects.get(
        site=customer_estate["site_a"], product=customer_estate["beacon"]
    )
    transfer = transfer_request(
        source_site=customer_estate["site_a"],
        target_site=customer_estate["site_b"],
        quantities={source: 4},
        actor=customer_estate["primary"],
    )
    page.goto("/admin/licensing/sitetransfer/")
    sign_in(page, staff.email, totp=True)
    expect(page.get_by_role("heading", name=re.compile("site-to-site transfer"))).to_be_visible()
    page.locator(f"input[name='_selected_action'][value='{transfer.pk}']").check()
    page.get_by_label("Action:").select_option(label="Approve: move the quantities now")
    page.get_by_role("button", name="Go").click()
    expect(page.get_by_text("1 transfer approved.")).to_be_visible()

    transfer.refresh_from_db()
    source.refresh_from_db()
    moved = Entitlement.objects.get(site=customer_estate["site_b"])
    assert transfer.state == SiteTransfer.State.APPROVED
    assert (source.quantity, moved.quantity) == (3, 4)
    assert (moved.coverage_start, moved.coverage_end) == (
        source.coverage_start,
        source.coverage_end,
    )
    assert source.events.get().quantity_change == -4
    assert moved.events.get().quantity_change == 4
    assert transfer.decided_at.date() == today


def test_reseller_imports_a_csv_after_fixing_the_row_the_preview_reports(
    page, customer_estate, tmp_path
):
    """L6: a file with an invalid row imports nothing and names the line and column; the
    corrected file imports."""
    reseller_org = OrganisationFactory(name="Delta Partners", kind="reseller")
    for site in (customer_estate["site_a"], customer_estate["site_b"]):
        site.reseller = reseller_org
        site.save()
    with_totp(UserFactory(email="dora@delta.test", reseller=reseller_org))
    before = Entitlement.objects.count()
    header = "site_number;part_number;quantity;order_date\r\n"
    broken = tmp_path / "licences.csv"
    broken.write_text(
        header + "3141592;ATL-DB-100;5;2026-01-15\r\n2718281;NO-SUCH-PART;2;2026-01-15\r\n",
        encoding="utf-8-sig",
    )
    sign_in(page, "dora@delta.test", totp=True)
    page.get_by_role("link", name="Import").click()
    field(page, "CSV file").set_input_files(str(broken))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_text("This file has errors, so nothing will be imported")).to_be_visible()
    errors = page.locator("main")
    expect(errors).to_contain_text("NO-SUCH-PART")
    expect(errors.get_by_role("cell", name="3", exact=True).first).to_be_visible()  # line 3
    assert Entitlement.objects.count() == before

    fixed = tmp_path / "licences-fixed.csv"
    fixed.write_text(
        header + "3141592;ATL-DB-100;5;2026-01-15\r\n2718281;BCN-AN-200;2;2026-01-15\r\n",
        encoding="utf-8-sig",
    )
    page.get_by_role("link", name="Upload a file").click()
    field(page, "CSV file").set_input_files(str(fixed))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_text("Every row is valid")).to_be_visible()
    page.get_by_role("button", name="Import now").click()
    expect(
        page.get_by_text(re.compile(r"Imported .*: \d+ orders and 2 entitlements"))
    ).to_be_visible()
    assert Entitlement.objects.count() == before + 2
    assert (
        Entitlement.objects.get(
            site=customer_estate["site_b"], product__part_number="BCN-AN-200"
        ).quantity
        == 2
    )
