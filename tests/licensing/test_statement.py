"""L5: the customer statement of a site (purchase history, registration status, coverage
periods) as a page, a streamed CSV and a PDF; scoped to the user's sites (A4)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from accounts.models import Contact
from licensing import services
from licensing.models import CoveragePeriod, Entitlement, Order, Product
from tests.accounts.factories import SiteFactory
from tests.conftest import client_for
from tests.licensing.factories import (
    EditionFactory,
    EntitlementFactory,
    ProductFactory,
    VersionFactory,
)

pytestmark = pytest.mark.django_db

PAGE_SIZE = 25


def place(site, *lines, days_ago: int, source=Order.Source.ADMIN) -> Order:
    # Placed on its own date: a reseller dates an order only a few days back (L2).
    ordered_on = timezone.localdate() - timedelta(days=days_ago)
    return services.order_place(
        site=site,
        ordered_on=ordered_on,
        lines=[services.LineRequest(*line) for line in lines],
        actor=None,
        source=source,
        as_of=ordered_on,
    )


@pytest.fixture
def history(world):
    """world.site: a direct order (a software line, renewed once, and a consumable), an older
    order through the reseller (lapsed), and an entitlement transferred in from a second
    site of the same customer. The other tenant has an order of its own."""
    world.site.customer.name = "Alpha Holdings"
    world.site.customer.save()
    atlas = ProductFactory(part_number="ATL-DB-100", name="Atlas Database Server")
    plus = EditionFactory(product=atlas, name="Plus", price=Decimal("16000"))
    v11 = VersionFactory(product=atlas, version="11.0")
    beacon = ProductFactory(part_number="BCN-AN-200", name="Beacon Analytics Desktop")
    labels = ProductFactory(
        part_number="KEY-TN-001",
        name="Keystone label roll",
        kind=Product.Kind.CONSUMABLE,
        counts_toward_volume=False,
    )
    nimbus = ProductFactory(part_number="NIM-BK-1", name="Nimbus Backup")
    gamma = ProductFactory(part_number="GAM-SEC-1", name="Gamma Secret Tool")
    direct = place(
        world.site,
        (atlas, 4, plus, v11, Decimal("16000")),
        (labels, 20, None, None, Decimal("35")),
        days_ago=60,
    )
    atlas_held = Entitlement.objects.get(order_line__order=direct)
    services.coverage_add(
        entitlement=atlas_held,
        starts_on=atlas_held.coverage_end + timedelta(days=1),
        ends_on=atlas_held.coverage_end + timedelta(days=365),
        kind=CoveragePeriod.Kind.RENEWAL,
    )
    through_reseller = place(
        world.site,
        (beacon, 3, None, None, Decimal("2400")),
        days_ago=500,
        source=Order.Source.PORTAL,
    )
    annex = SiteFactory(number="1234568", name="Alpha Annex", agreement=world.site.agreement)
    annex_order = place(annex, (nimbus, 5, None, None, Decimal("960")), days_ago=100)
    transfer = services.transfer_request(
        source_site=annex,
        target_site=world.site,
        quantities={Entitlement.objects.get(order_line__order=annex_order): 2},
        actor=world.users["staff"],
    )
    services.transfer_approve(transfer=transfer, actor=world.users["staff"], now=timezone.now())
    place(world.other_site, (gamma, 7, None, None, Decimal("999")), days_ago=10)
    return {
        "direct": direct,
        "through_reseller": through_reseller,
        "annex_order": annex_order,
        "atlas": atlas_held,
        "beacon": Entitlement.objects.get(order_line__order=through_reseller),
        "transferred": Entitlement.objects.get(site=world.site, product=nimbus),
    }


def url(name: str, site) -> str:
    return reverse(f"licensing:{name}", args=[site.number])


def csv_rows(response) -> list[dict]:
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    return list(csv.DictReader(io.StringIO(text)))


def pdf_text(response) -> str:
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return "\n".join(page.extract_text() for page in reader.pages)


# --- the page ------------------------------------------------------------------------------


def test_the_statement_page_shows_registration_purchases_and_coverage(client, world, history):
    client_for(client, world, "primary")
    response = client.get(url("statement", world.site))
    assert response.status_code == 200
    content = response.content.decode()
    primary = world.contacts["primary"]
    confirmed = f"{primary.site_number_confirmed_at:%Y-%m-%d}"
    atlas = history["atlas"]
    for expected in (
        "Alpha Holdings",
        world.site.number,
        world.site.agreement.number,
        f"site number confirmed by the primary contact, {primary.name}, on {confirmed}",
        "2 covered, 0 expiring, 1 lapsed",
        history["direct"].number,
        history["through_reseller"].number,
        "Through Reseller One",
        "Direct",
        "Atlas Database Server",
        "Plus 11.0",
        atlas.poe_number,
        history["beacon"].poe_number,
        f"{atlas.coverage_start:%Y-%m-%d} – {atlas.coverage_start + timedelta(days=364):%Y-%m-%d}",
        "Renewal",
        "Lapsed",
        "consumables give no entitlement",
        "Transferred in or imported",
        history["transferred"].poe_number,
        history["annex_order"].number,
    ):
        assert expected in content, expected


def test_the_page_shows_unit_prices_to_those_who_run_the_site(client, world, history):
    client_for(client, world, "site_admin")
    content = client.get(url("statement", world.site)).content.decode()
    assert "16000.00 EUR" in content
    assert "Unit price" in content


@pytest.mark.parametrize("role", ["stc", "caller"])
def test_technical_contacts_see_the_statement_without_prices(client, world, history, role):
    client_for(client, world, role)
    response = client.get(url("statement", world.site))
    assert response.status_code == 200
    content = response.content.decode()
    assert history["atlas"].poe_number in content
    assert "16000" not in content
    assert "Unit price" not in content


def test_the_statement_says_when_the_site_number_is_not_yet_confirmed(client, world, history):
    Contact.objects.filter(site=world.site, is_primary=True).update(site_number_confirmed_at=None)
    world.site.enrolled_at = timezone.now()
    world.site.save()
    client_for(client, world, "reseller")
    content = client.get(url("statement", world.site)).content.decode()
    assert "the primary contact has not yet confirmed the site number" in content


def test_the_statement_shows_nothing_of_other_tenants(client, world, history):
    client_for(client, world, "primary")
    content = client.get(url("statement", world.site)).content.decode()
    assert "Gamma Secret Tool" not in content
    assert world.other_site.number not in content


def test_orders_are_paginated_and_queries_do_not_grow_with_them(
    client, world, django_assert_max_num_queries
):
    product = ProductFactory()
    client_for(client, world, "primary")
    counts = []
    for total in (3, PAGE_SIZE + 5):
        while Order.objects.filter(site=world.site).count() < total:
            place(world.site, (product, 1, None, None, Decimal(10)), days_ago=1)
        client.get(url("statement", world.site))  # the first request sets session flags
        with django_assert_max_num_queries(16) as captured:
            response = client.get(url("statement", world.site))
        counts.append(len(captured))
    assert counts[0] == counts[1]
    assert len(response.context["page"].object_list) == PAGE_SIZE
    second = client.get(url("statement", world.site) + "?page=2")
    assert len(second.context["page"].object_list) == 5


# --- CSV -----------------------------------------------------------------------------------


def test_the_csv_has_a_row_per_line_and_coverage_period(client, world, history):
    client_for(client, world, "primary")
    response = client.get(url("statement_csv", world.site))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f"statement-{world.site.number}-" in response["Content-Disposition"]
    rows = csv_rows(response)
    atlas = history["atlas"]
    atlas_rows = [r for r in rows if r["poe_number"] == atlas.poe_number]
    assert [(r["coverage_kind"], r["coverage_start"]) for r in atlas_rows] == [
        ("purchase", f"{atlas.coverage_start:%Y-%m-%d}"),
        ("renewal", f"{atlas.coverage_start + timedelta(days=365):%Y-%m-%d}"),
    ]
    first = atlas_rows[0]
    assert first["site_number"] == world.site.number
    assert first["order_number"] == history["direct"].number
    assert first["channel"] == ""
    assert (first["part_number"], first["edition"], first["version"]) == (
        "ATL-DB-100",
        "Plus",
        "11.0",
    )
    assert (first["ordered_quantity"], first["held_quantity"]) == ("4", "4")
    assert (first["unit_price"], first["currency"]) == ("16000.00", "EUR")
    assert first["status"] == "covered"


def test_the_csv_lists_consumables_lapsed_and_transferred_entitlements(client, world, history):
    client_for(client, world, "primary")
    rows = csv_rows(client.get(url("statement_csv", world.site)))
    consumable = next(r for r in rows if r["part_number"] == "KEY-TN-001")
    assert (consumable["poe_number"], consumable["status"], consumable["coverage_start"]) == (
        "",
        "",
        "",
    )
    lapsed = next(r for r in rows if r["poe_number"] == history["beacon"].poe_number)
    assert (lapsed["status"], lapsed["channel"]) == ("lapsed", "Reseller One")
    moved = [r for r in rows if r["poe_number"] == history["transferred"].poe_number]
    assert [r["coverage_kind"] for r in moved] == ["purchase"]
    assert moved[0]["held_quantity"] == "2"
    assert moved[0]["order_number"] == history["annex_order"].number
    assert len(rows) == 5  # atlas ×2 periods, labels, beacon, transferred
    assert not any("Gamma" in r["product"] for r in rows)


@pytest.mark.parametrize("role", ["stc", "caller"])
def test_the_csv_leaves_out_prices_for_technical_contacts(client, world, history, role):
    client_for(client, world, role)
    rows = csv_rows(client.get(url("statement_csv", world.site)))
    assert rows
    assert "unit_price" not in rows[0]
    assert "currency" not in rows[0]


# --- PDF -----------------------------------------------------------------------------------


def test_the_pdf_statement_lists_the_whole_history(client, world, history):
    client_for(client, world, "primary")
    response = client.get(url("statement_pdf", world.site))
    assert response.status_code == 200
    assert f"statement-{world.site.number}-" in response["Content-Disposition"]
    text = pdf_text(response)
    for expected in (
        "Customer statement",
        "Alpha Holdings",
        world.site.number,
        history["direct"].number,
        history["through_reseller"].number,
        history["atlas"].poe_number,
        history["beacon"].poe_number,
        history["transferred"].poe_number,
        "Renewal",
        "Lapsed",
        "16000.00 EUR",
        "2 covered, 0 expiring, 1 lapsed",
    ):
        assert expected in text, expected
    assert "Gamma" not in text


def test_the_pdf_statement_is_reproducible(client, world, history):
    client_for(client, world, "primary")
    first = client.get(url("statement_pdf", world.site)).content
    assert client.get(url("statement_pdf", world.site)).content == first


def test_the_pdf_statement_has_no_prices_for_callers(client, world, history):
    client_for(client, world, "caller")
    text = pdf_text(client.get(url("statement_pdf", world.site)))
    assert history["atlas"].poe_number in text
    assert "16000" not in text


# --- tenant isolation (A4) -----------------------------------------------------------------


@pytest.mark.parametrize("name", ["statement", "statement_csv", "statement_pdf"])
@pytest.mark.parametrize("role", ["other_customer", "other_reseller"])
def test_another_tenants_statement_is_404(client, world, history, name, role):
    client_for(client, world, role)
    assert client.get(url(name, world.site)).status_code == 404


@pytest.mark.parametrize("name", ["statement", "statement_csv", "statement_pdf"])
def test_the_statement_needs_a_sign_in_and_is_read_only(client, world, name):
    assert client.get(url(name, world.site))["Location"].startswith(reverse("account_login"))
    client_for(client, world, "primary")
    assert client.post(url(name, world.site)).status_code == 405


def test_an_imported_entitlement_without_an_order_is_on_the_statement(client, world, history):
    imported = EntitlementFactory(site=world.site, product=ProductFactory(name="Imported Tool"))
    client_for(client, world, "primary")
    content = client.get(url("statement", world.site)).content.decode()
    assert imported.poe_number in content
    assert "Imported Tool" in content
    rows = csv_rows(client.get(url("statement_csv", world.site)))
    row = next(r for r in rows if r["poe_number"] == imported.poe_number)
    assert (row["order_number"], row["product"], row["coverage_kind"]) == (
        "",
        "Imported Tool",
        "purchase",
    )
    assert "Imported Tool" in pdf_text(client.get(url("statement_pdf", world.site)))
