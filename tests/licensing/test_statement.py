"""L5: the customer statement of a site (purchase history, registration status, coverage
periods) as a page, a streamed CSV and a PDF; scoped to the user's sites (A4)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
import rules
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from accounts.models import Contact
from licensing import poe, services, statement
from licensing.models import CoveragePeriod, Entitlement, Order, Product, StatementDocument
from licensing.tasks import statement_render_task
from portal.core import pdf
from portal.core.formatting import format_day
from portal.core.templatetags.portal_format import nbsp
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
    confirmed = format_day(primary.site_number_confirmed_at)
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
        # a period breaks at its dash only (no-break spaces inside each date)
        (
            f"{nbsp(format_day(atlas.coverage_start))} – "
            f"{nbsp(format_day(atlas.coverage_start + timedelta(days=364)))}"
        ),
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
    assert "€16,000.00" in content
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
    assert first["channel"] == "Direct"
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
    assert (lapsed["status"], lapsed["channel"]) == ("lapsed", "Through Reseller One")
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
        "€16,000.00",
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
    assert (row["order_number"], row["channel"], row["product"], row["coverage_kind"]) == (
        "",
        "",
        "Imported Tool",
        "purchase",
    )
    assert "Imported Tool" in pdf_text(client.get(url("statement_pdf", world.site)))


# --- PDF layout on A4 (review #7 item 2) ---------------------------------------------------


def boxes_past_the_page(layout) -> list[str]:
    """Every laid-out box whose right edge runs past the page's content area (what a printer
    clips), by the text it holds."""
    past = []
    for page in layout.pages:
        root = page._page_box  # WeasyPrint exposes no public box tree
        right = root.content_box_x() + root.width
        for box in root.descendants():
            if not hasattr(box, "border_box_x") or box.width is None:
                continue
            if box.border_box_x() + box.border_width() > right + 0.5:
                past.append(getattr(box, "text", None) or type(box).__name__)
    return past


@pytest.fixture
def long_history(world, history):
    """What makes the columns wide: long names, many coverage periods, a large price."""
    atlas = history["atlas"]
    atlas.product.name = "Atlas Database Server Enterprise Cluster Edition with Replication"
    atlas.product.save()
    atlas.edition.name = "PlusClusterReplicationHighAvailabilityDisasterRecoveryWAN"
    atlas.edition.save()
    for year in range(2, 6):
        services.coverage_add(
            entitlement=atlas,
            starts_on=atlas.coverage_start + timedelta(days=365 * year),
            ends_on=atlas.coverage_start + timedelta(days=365 * (year + 1) - 1),
            kind=CoveragePeriod.Kind.RENEWAL,
        )
    history["direct"].lines.filter(product=atlas.product).update(unit_price=Decimal("1234567.89"))
    return history


@pytest.mark.parametrize("with_prices", [True, False])
def test_no_column_of_the_pdf_statement_runs_off_an_a4_page(world, long_history, with_prices):
    html = statement.statement_pdf_html(
        site=world.site, as_of=timezone.localdate(), with_prices=with_prices
    )
    layout = pdf.html_layout(html)
    assert layout.pages
    assert boxes_past_the_page(layout) == []


def test_the_pdf_statement_prints_every_s_and_s_coverage_period(client, world, long_history):
    client_for(client, world, "primary")
    response = client.get(url("statement_pdf", world.site))
    page = PdfReader(io.BytesIO(response.content)).pages[0]
    assert page.mediabox.width > page.mediabox.height  # landscape A4
    text = pdf_text(response)
    atlas = long_history["atlas"]
    assert "S&S coverage" in text
    for period in atlas.coverage_periods.all():
        assert f"{period.starts_on:%Y-%m-%d} – {period.ends_on:%Y-%m-%d}" in text, period


# --- one wording for the channel (review #7 item 15, L2) -----------------------------------


def test_the_order_channel_reads_the_same_on_the_page_the_csv_and_the_pdf(client, world, history):
    direct, through = history["direct"], history["through_reseller"]
    assert (direct.channel_label, through.channel_label) == ("Direct", "Through Reseller One")
    client_for(client, world, "primary")
    content = client.get(url("statement", world.site)).content.decode()
    rows = csv_rows(client.get(url("statement_csv", world.site)))
    text = pdf_text(client.get(url("statement_pdf", world.site)))
    for order in (direct, through):
        assert order.channel_label in content
        assert {r["channel"] for r in rows if r["order_number"] == order.number} == {
            order.channel_label
        }
        words = " ".join(text.split())
        assert f"{order.number} {format_day(order.ordered_on)} {order.channel_label}" in words


# --- money in the reader's locale (review #7 item 16, E2) ----------------------------------


def test_statement_prices_are_formatted_for_the_reader_and_plain_in_the_csv(client, world, history):
    client_for(client, world, "primary")
    content = client.get(url("statement", world.site)).content.decode()
    text = pdf_text(client.get(url("statement_pdf", world.site)))
    assert "€16,000.00" in content
    assert "€16,000.00" in text
    assert "16000.00 EUR" not in content + text
    rows = csv_rows(client.get(url("statement_csv", world.site)))
    atlas = next(r for r in rows if r["poe_number"] == history["atlas"].poe_number)
    assert (atlas["unit_price"], atlas["currency"]) == ("16000.00", "EUR")


# --- prices only for those who may see them (review #7 item 17, SPEC §1, L5) ---------------


PRICE_TEXTS = ("16000", "16,000", "€", "EUR", "Unit price")


def statement_views(client, site) -> tuple[str, list[dict], str]:
    content = client.get(url("statement", site)).content.decode()
    rows = csv_rows(client.get(url("statement_csv", site)))
    return content, rows, pdf_text(client.get(url("statement_pdf", site)))


@pytest.mark.parametrize("role", ["stc", "caller"])
def test_technical_contacts_see_no_price_on_the_statement_page_csv_or_pdf(
    client, world, history, role
):
    client_for(client, world, role)
    content, rows, text = statement_views(client, world.site)
    assert history["atlas"].poe_number in content
    assert history["atlas"].poe_number in text
    for price in PRICE_TEXTS:
        assert price not in content, price
        assert price not in text, price
    assert "total" not in (content + text).lower()
    assert rows
    assert not PRICE_COLUMNS_IN_CSV & set(rows[0])
    assert not any("16000" in value for row in rows for value in row.values())


PRICE_COLUMNS_IN_CSV = {"unit_price", "currency", "total"}


def test_the_primary_contact_sees_prices_on_the_statement_page_csv_and_pdf(client, world, history):
    client_for(client, world, "primary")
    content, rows, text = statement_views(client, world.site)
    assert "Unit price" in content
    assert "€16,000.00" in content
    assert "€16,000.00" in text
    assert {"unit_price", "currency"} <= set(rows[0])


@pytest.fixture
def prices_hidden_by_the_rule():
    """The statement asks the `site.view_prices` rule (accounts/rules.py), not another one:
    with that rule refusing, even the primary contact gets the statement without prices."""
    original = rules.permissions.permissions["site.view_prices"]
    rules.set_perm("site.view_prices", rules.always_false)
    yield
    rules.set_perm("site.view_prices", original)


def test_the_statement_follows_the_view_prices_rule(
    client, world, history, prices_hidden_by_the_rule
):
    client_for(client, world, "primary")
    content, rows, text = statement_views(client, world.site)
    assert history["atlas"].poe_number in content
    for price in ("16,000", "Unit price"):
        assert price not in content
        assert price not in text
    assert "unit_price" not in rows[0]


# --- large statements render in the worker (review #7 item 2; the PoE machinery) -----------


def add_entitlements(site, count: int) -> None:
    product = ProductFactory(part_number="BULK-1", name="Bulk Tool")
    today = timezone.localdate()
    Entitlement.objects.bulk_create(
        Entitlement(
            site=site,
            product=product,
            quantity=1,
            poe_number=f"POE-BULK{n:05d}",
            purchased_on=today,
            coverage_start=today,
            coverage_end=today + timedelta(days=364),
        )
        for n in range(count)
    )
    CoveragePeriod.objects.bulk_create(
        CoveragePeriod(
            entitlement=entitlement,
            starts_on=entitlement.coverage_start,
            ends_on=entitlement.coverage_end,
            kind=CoveragePeriod.Kind.PURCHASE,
        )
        for entitlement in Entitlement.objects.filter(product=product)
    )


def test_a_large_statement_is_rendered_by_the_worker_while_the_page_shows_progress(
    client, world, django_capture_on_commit_callbacks
):
    add_entitlements(world.site, poe.RENDER_IN_WORKER_ABOVE + 1)
    client_for(client, world, "primary")
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.get(url("statement_pdf", world.site))
        again = client.get(url("statement_pdf", world.site))  # a second click
    document = StatementDocument.objects.get(site=world.site)
    status_url = reverse("licensing:statement_status", args=[document.pk])
    assert response.status_code == 302
    assert response["Location"] == again["Location"] == status_url
    assert document.state == StatementDocument.State.PENDING
    assert len(callbacks) == 1  # one render task, queued once the request has committed

    pending = client.get(status_url).content.decode()
    assert "Your statement with 201 lines is being prepared" in pending
    assert "data-poll-seconds" in pending
    download_url = reverse("licensing:statement_download", args=[document.pk])
    assert client.get(download_url)["Location"] == status_url

    callbacks[0]()  # the worker (Celery runs eagerly in tests)
    document.refresh_from_db()
    assert document.state == StatementDocument.State.READY
    ready = client.get(status_url).content.decode()
    assert "Your statement is ready" in ready
    assert download_url in ready
    response = client.get(download_url)
    assert f"statement-{world.site.number}-" in response["Content-Disposition"]
    reader = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "POE-BULK00000" in text
    assert f"POE-BULK{poe.RENDER_IN_WORKER_ABOVE:05d}" in text


def test_a_small_statement_is_rendered_at_once(client, world, django_capture_on_commit_callbacks):
    add_entitlements(world.site, poe.RENDER_IN_WORKER_ABOVE)
    client_for(client, world, "primary")
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.get(url("statement_pdf", world.site))
    assert response.status_code == 200
    assert callbacks == []
    assert not StatementDocument.objects.exists()


@pytest.mark.parametrize("role", ["site_admin", "stc", "reseller", "other_customer"])
def test_a_statement_being_rendered_is_only_for_who_asked(client, world, role):
    document = StatementDocument.objects.create(
        site=world.site,
        as_of=timezone.localdate(),
        with_prices=True,
        requested_by=world.users["primary"],
        line_count=300,
    )
    client_for(client, world, role)
    for name in ("licensing:statement_status", "licensing:statement_download"):
        assert client.get(reverse(name, args=[document.pk])).status_code == 404


def test_a_failed_statement_render_says_so(client, world, monkeypatch):
    document = StatementDocument.objects.create(
        site=world.site,
        as_of=timezone.localdate(),
        with_prices=False,
        requested_by=world.users["stc"],
        line_count=300,
    )

    def broken(**kwargs):
        raise ValueError("renderer broke")

    monkeypatch.setattr("licensing.statement.statement_pdf", broken)
    with pytest.raises(ValueError, match="renderer broke"):
        statement_render_task.delay(document.pk)
    document.refresh_from_db()
    assert document.state == StatementDocument.State.FAILED
    client_for(client, world, "stc")
    page = client.get(reverse("licensing:statement_status", args=[document.pk])).content
    assert b"could not be prepared" in page
