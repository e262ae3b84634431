"""L4 and E3: Proof of Entitlement PDFs (per site and per order), the public verification page,
reproducible bytes, the restricted URL fetcher, rendering large PoEs in the worker, and tenant
isolation of PoE pages."""

from __future__ import annotations

import io
import socket
import urllib.request
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from licensing import poe, services
from licensing.models import Edition, Entitlement, Order, PoEDocument, Product, Version
from licensing.tasks import poe_render_task
from portal.core import pdf
from portal.core.formatting import format_day
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

PASSWD = "file:///etc/passwd"
METADATA = "http://169.254.169.254/latest/meta-data/"


# --- data ----------------------------------------------------------------------------------


def product_with(part: str, name: str, *, edition: str = "", version: str = "", kind="software"):
    today = timezone.localdate()
    product = Product.objects.create(
        part_number=part,
        name=name,
        family=name.split(maxsplit=1)[0],
        kind=kind,
        list_price=Decimal("12000"),
        annual_ss_price=Decimal("2400"),
        counts_toward_volume=kind != Product.Kind.CONSUMABLE,
    )
    found_edition = (
        Edition.objects.create(product=product, name=edition, rank=1, price=Decimal("16000"))
        if edition
        else None
    )
    found_version = (
        Version.objects.create(
            product=product,
            version=version,
            release_date=today - timedelta(days=400),
            eos_date=today + timedelta(days=1000),
            upgrade_price=Decimal("3000"),
        )
        if version
        else None
    )
    return product, found_edition, found_version


def place(site, *lines, days_ago: int = 30) -> Order:
    return services.order_place(
        site=site,
        ordered_on=timezone.localdate() - timedelta(days=days_ago),
        lines=[services.LineRequest(*line) for line in lines],
        actor=None,
        source=Order.Source.ADMIN,
        as_of=timezone.localdate(),
    )


@pytest.fixture
def licensed(world):
    """world.site holds two products from one order (and a consumable, which gives no
    entitlement); the other tenant's site holds a third product."""
    world.site.customer.name = "Alpha Holdings"
    world.site.customer.save()
    atlas, plus, v11 = product_with(
        "ATL-DB-100", "Atlas Database Server", edition="Plus", version="11.0"
    )
    beacon, _none, v6 = product_with("BCN-AN-200", "Beacon Analytics Desktop", version="6.0")
    labels, _e, _v = product_with("KEY-TN-001", "Keystone label roll", kind="consumable")
    gamma, _e2, _v2 = product_with("GAM-SEC-1", "Gamma Secret Tool", version="1.0")
    order = place(
        world.site,
        (atlas, 4, plus, v11, Decimal("16000")),
        (beacon, 3, None, v6, Decimal("2400")),
        (labels, 20),
    )
    other_order = place(world.other_site, (gamma, 7, None, _v2, Decimal("999")))
    return {
        "order": order,
        "other_order": other_order,
        "atlas": Entitlement.objects.get(site=world.site, product=atlas),
        "beacon": Entitlement.objects.get(site=world.site, product=beacon),
        "other": Entitlement.objects.get(site=world.other_site),
    }


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    # No-break spaces (inside a date, "1\u00a0Nov\u00a02026") read as spaces.
    return "\n".join(page.extract_text() for page in reader.pages).replace("\u00a0", " ")


def download(client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, response
    assert response["Content-Type"] == "application/pdf"
    return b"".join(response.streaming_content)


# --- content (L4) --------------------------------------------------------------------------


def test_site_poe_lists_every_current_entitlement_with_what_l4_requires(client, world, licensed):
    client_for(client, world, "primary")
    text = pdf_text(download(client, reverse("licensing:site_poe", args=[world.site.number])))
    document = PoEDocument.objects.get(site=world.site, kind=PoEDocument.Kind.SITE)
    atlas, beacon = licensed["atlas"], licensed["beacon"]
    agreement = world.site.agreement
    for expected in (
        "Proof of Entitlement",
        "Alpha Holdings",
        world.site.number,
        f"{agreement.programme} {agreement.number}",
        "Atlas Database Server",
        "ATL-DB-100",
        "Plus",
        "11.0",
        "Beacon Analytics Desktop",
        "6.0",
        atlas.poe_number,
        beacon.poe_number,
        # E2: dates in the reader's locale (English here: "1 Nov 2026").
        f"{format_day(atlas.coverage_start)} – {format_day(atlas.coverage_end)}",
        f"Issue date {format_day(timezone.localdate())}",
        document.code,
        f"/verify/{document.code}",
    ):
        assert expected in text, expected
    rows = [line for line in text.splitlines() if line.startswith("POE-")]
    assert sorted(row.split()[0] for row in rows) == sorted([atlas.poe_number, beacon.poe_number])
    quantities = {row.split()[0]: row for row in rows}
    assert " 4 " in quantities[atlas.poe_number]
    assert " 3 " in quantities[beacon.poe_number]


def test_site_poe_leaves_out_consumables_other_sites_and_prices(client, world, licensed):
    client_for(client, world, "primary")
    text = pdf_text(download(client, reverse("licensing:site_poe", args=[world.site.number])))
    for absent in (
        "Keystone label roll",
        "Gamma Secret Tool",
        licensed["other"].poe_number,
        world.other_site.number,
        "16000",
        "16,000",
        "primary@alpha.test",
    ):
        assert absent not in text, absent


def test_order_poe_lists_the_order_and_its_entitlements(client, world, licensed):
    order = licensed["order"]
    place(world.site, (licensed["atlas"].product, 1, None, None, Decimal(1)))  # another order
    client_for(client, world, "site_admin")
    text = pdf_text(download(client, reverse("licensing:order_poe", args=[order.pk])))
    document = PoEDocument.objects.get(order=order)
    assert document.kind == PoEDocument.Kind.ORDER
    assert f"Order {order.number}" in text
    assert f"Order date {format_day(order.ordered_on)}" in text
    assert licensed["atlas"].poe_number in text
    assert licensed["beacon"].poe_number in text
    assert document.code in text
    assert len([line for line in text.splitlines() if line.startswith("POE-")]) == 2


def test_a_reseller_gets_the_poe_of_a_client_site(client, world, licensed):
    client_for(client, world, "reseller")
    text = pdf_text(download(client, reverse("licensing:site_poe", args=[world.site.number])))
    assert licensed["atlas"].poe_number in text


# --- verification (L4) ---------------------------------------------------------------------


@pytest.fixture
def site_document(world, licensed) -> PoEDocument:
    return poe.poe_issue(site=world.site, order=None, actor=None, as_of=timezone.localdate())


def test_verify_confirms_a_genuine_current_poe_without_signing_in(client, site_document, licensed):
    response = client.get(reverse("licensing:verify", args=[site_document.code]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Genuine and current" in content
    assert "no longer current" not in content
    for expected in ("Alpha Holdings", "1234567", licensed["atlas"].poe_number, "Plus"):
        assert expected in content


def test_verify_says_no_longer_current_after_the_entitlements_change(
    client, world, site_document, licensed
):
    atlas = licensed["atlas"]
    services.coverage_add(
        entitlement=atlas,
        starts_on=atlas.coverage_end + timedelta(days=1),
        ends_on=atlas.coverage_end + timedelta(days=365),
        kind="renewal",
    )
    content = client.get(reverse("licensing:verify", args=[site_document.code])).content.decode()
    assert "no longer current" in content
    assert "Genuine and current" not in content


def test_verify_of_an_order_poe_is_no_longer_current_when_a_quantity_moves(client, world, licensed):
    document = poe.poe_issue(
        site=world.site, order=licensed["order"], actor=None, as_of=timezone.localdate()
    )
    url = reverse("licensing:verify", args=[document.code])
    assert "Genuine and current" in client.get(url).content.decode()
    Entitlement.objects.filter(pk=licensed["beacon"].pk).update(quantity=1)
    assert "no longer current" in client.get(url).content.decode()


def test_a_new_order_makes_the_site_poe_no_longer_current(client, world, site_document, licensed):
    place(world.site, (licensed["atlas"].product, 2, None, None, Decimal(1)))
    content = client.get(reverse("licensing:verify", args=[site_document.code])).content.decode()
    assert "no longer current" in content


def test_verify_of_an_unknown_code_is_404(client, site_document):
    response = client.get(reverse("licensing:verify", args=["not-a-real-code"]))
    assert response.status_code == 404
    assert "not genuine" in response.content.decode()


def test_verify_shows_nothing_the_document_does_not(client, world, site_document, licensed):
    world.site.address_line1 = "17 Hidden Lane"
    world.site.save()
    content = client.get(reverse("licensing:verify", args=[site_document.code])).content.decode()
    for absent in (
        "primary@alpha.test",
        "admin@alpha.test",
        "billing@alpha.test",
        "17 Hidden Lane",
        "Reseller One",
        "16000",
        "16,000",
        "2400",
        "Keystone label roll",
        "Gamma Secret Tool",
        "Beta HQ",
        world.other_site.number,
        licensed["other"].poe_number,
        licensed["order"].number,  # a site PoE names no order
    ):
        assert absent not in content, absent


# --- reproducible documents (E3) -----------------------------------------------------------


def test_the_same_poe_renders_to_the_same_bytes(site_document):
    first = site_document.file.open("rb").read()
    site_document.file.close()
    again = poe.poe_render(document=site_document).file.open("rb").read()
    assert first == again
    assert first.startswith(b"%PDF")


def test_the_pdf_carries_no_clock_time_only_the_issue_date_and_a_fixed_id(site_document):
    reader = PdfReader(site_document.file.open("rb"))
    issued = f"D:{site_document.issued_on:%Y%m%d}"
    assert reader.metadata["/CreationDate"] == issued
    assert reader.metadata["/ModDate"] == issued
    expected_id = pdf.hashlib.sha256(site_document.code.encode()).hexdigest()[:32].encode()
    assert reader.trailer["/ID"][0].original_bytes == expected_id


def test_issuing_again_on_the_same_day_with_the_same_data_reuses_the_document(world, site_document):
    again = poe.poe_issue(site=world.site, order=None, actor=None, as_of=site_document.issued_on)
    assert again.pk == site_document.pk


# --- the restricted fetcher (E3) -----------------------------------------------------------


@pytest.fixture
def network_calls(monkeypatch) -> list[str]:
    """Records any attempt to open a socket or a file:/http(s): URL through urllib. (Raising
    would not fail the test: WeasyPrint swallows fetcher errors and renders without.)"""
    calls: list[str] = []

    def recorder(name):
        def record(*args, **kwargs):
            calls.append(f"{name} {args[1:] if args else ''}")
            raise OSError(f"{name} is not allowed while rendering a PDF")

        return record

    monkeypatch.setattr(socket.socket, "connect", recorder("socket.connect"))
    monkeypatch.setattr(socket, "create_connection", recorder("socket.create_connection"))
    monkeypatch.setattr(urllib.request.FileHandler, "file_open", recorder("file_open"))
    monkeypatch.setattr(urllib.request.HTTPHandler, "http_open", recorder("http_open"))
    monkeypatch.setattr(urllib.request.HTTPSHandler, "https_open", recorder("https_open"))
    return calls


@pytest.fixture
def fetched(monkeypatch) -> dict[str, list[str]]:
    """Every URL WeasyPrint asked the portal's fetcher for, split into served and blocked."""
    seen: dict[str, list[str]] = {"served": [], "blocked": []}
    original = pdf.StaticFilesOnlyFetcher.fetch

    def spy(self, url, headers=None):
        try:
            response = original(self, url, headers)
        except Exception:
            seen["blocked"].append(url)
            raise
        seen["served"].append(url)
        return response

    monkeypatch.setattr(pdf.StaticFilesOnlyFetcher, "fetch", spy)
    return seen


STATIC_CSS = "https://portal.invalid/static/pdf/pdf.css"
# The stylesheet's Chinese font (issue #10), a static file like any other.
STATIC_FONT = "https://portal.invalid/static/vendor/noto-sans-tc/NotoSansTC-Regular.ttf"


def test_tenant_supplied_references_are_shown_as_text_and_never_fetched(
    client, world, licensed, fetched, network_calls
):
    world.site.name = f'Alpha <img src="{PASSWD}"> HQ'
    world.site.save()
    atlas = licensed["atlas"].product
    atlas.name = (
        f"Atlas <style>@import url({METADATA}); body {{ background: url({PASSWD}) }}</style>"
    )
    atlas.save()
    edition = licensed["atlas"].edition
    edition.name = f"<img src={METADATA}>"  # fits the 60-character edition name
    edition.save()
    client_for(client, world, "primary")
    text = pdf_text(download(client, reverse("licensing:site_poe", args=[world.site.number])))
    assert fetched == {"served": [STATIC_CSS, STATIC_FONT], "blocked": []}
    assert network_calls == []
    assert f'<img src="{PASSWD}">' in text  # autoescaped: printed, not loaded
    assert f"@importurl({METADATA})" in "".join(text.split())  # the cell wraps the name


def test_references_in_a_template_are_blocked_and_only_static_files_are_served(
    fetched, network_calls
):
    html = f"""<!DOCTYPE html><html><head>
        <link rel="stylesheet" href="/static/pdf/pdf.css">
        <link rel="stylesheet" href="{METADATA}">
        <link rel="stylesheet" href="{PASSWD}">
        <style>
            @import url("{METADATA}import.css");
            @font-face {{ font-family: Stolen; src: url("{PASSWD}"); }}
            body {{ background: url("{PASSWD}"); font-family: Stolen; }}
            h1 {{ background-image: url("//169.254.169.254/protocol-relative"); }}
        </style></head>
        <body><h1>Secret</h1>
        <img src="{PASSWD}"><img src="{METADATA}image.png">
        <img src="../../../../etc/passwd"><img src="/static/../../../../etc/passwd">
        <img src="/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd"><img src="/static//etc/passwd">
        <img src="/static/../portal/settings/base.py">
        <a rel="attachment" href="{PASSWD}">attached</a>
        <object data="{METADATA}object"></object>
        </body></html>"""
    fetcher = pdf.StaticFilesOnlyFetcher()
    data = pdf.html_to_pdf(html, identifier="template-test", fetcher=fetcher)
    assert data.startswith(b"%PDF")
    assert fetched["served"] == [STATIC_CSS, STATIC_FONT]
    assert fetcher.blocked == fetched["blocked"]
    # Each distinct URL once (WeasyPrint caches images); relative ones resolved first.
    assert set(fetcher.blocked) == {
        METADATA,
        METADATA + "import.css",
        METADATA + "image.png",
        METADATA + "object",
        PASSWD,
        "https://169.254.169.254/protocol-relative",
        "https://portal.invalid/etc/passwd",
        "https://portal.invalid/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "https://portal.invalid/static//etc/passwd",
        "https://portal.invalid/portal/settings/base.py",
    }
    assert network_calls == []
    assert b"root:x:0:0" not in data


def test_the_fetcher_serves_the_pdf_stylesheet():
    response = pdf.StaticFilesOnlyFetcher().fetch(STATIC_CSS)
    assert response.content_type == "text/css"
    assert b"@page" in response.read()


@pytest.mark.parametrize(
    "url",
    [
        PASSWD,
        METADATA,
        "https://169.254.169.254/static/pdf/pdf.css",
        "http://portal.invalid/static/pdf/pdf.css",
        "https://portal.invalid/media/poe/secret.pdf",
        "https://portal.invalid/static/../../etc/passwd",
        "https://portal.invalid/static/%2e%2e/%2e%2e/etc/passwd",
        "https://portal.invalid/static//etc/passwd",
        "data:text/css,body{}",
    ],
)
def test_the_fetcher_refuses_anything_but_the_portals_static_files(url, network_calls):
    fetcher = pdf.StaticFilesOnlyFetcher()
    with pytest.raises(Exception, match=r"Only the portal.s static files|disallowed protocol"):
        fetcher.fetch(url)
    assert network_calls == []


# --- large documents render in the worker (L4, STYLE) ---------------------------------------


def add_lines(site, count: int) -> None:
    product, _e, _v = product_with("BULK-1", "Bulk Tool")
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


def test_a_large_poe_is_rendered_by_the_worker_while_the_page_shows_progress(
    client, world, django_capture_on_commit_callbacks
):
    add_lines(world.site, poe.RENDER_IN_WORKER_ABOVE + 1)
    client_for(client, world, "primary")
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.get(reverse("licensing:site_poe", args=[world.site.number]))
    document = PoEDocument.objects.get(site=world.site)
    status_url = reverse("licensing:poe_status", args=[document.pk])
    assert response.status_code == 302
    assert response["Location"] == status_url
    assert document.state == PoEDocument.State.PENDING
    assert len(callbacks) == 1  # the render task, queued when the request's data is committed

    pending = client.get(status_url).content.decode()
    assert "is being prepared" in pending
    assert "data-poll-seconds" in pending
    assert "Download the PDF" not in pending
    download_url = reverse("licensing:poe_download", args=[document.pk])
    assert client.get(download_url)["Location"] == status_url

    callbacks[0]()  # the worker (Celery runs eagerly in tests)
    document.refresh_from_db()
    assert document.state == PoEDocument.State.READY
    ready = client.get(status_url).content.decode()
    assert "Your PoE is ready" in ready
    assert download_url in ready
    text = pdf_text(download(client, download_url))
    assert "POE-BULK00000" in text
    assert f"POE-BULK{poe.RENDER_IN_WORKER_ABOVE:05d}" in text


def test_a_small_poe_is_rendered_at_once(client, world, django_capture_on_commit_callbacks):
    add_lines(world.site, poe.RENDER_IN_WORKER_ABOVE)
    client_for(client, world, "primary")
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.get(reverse("licensing:site_poe", args=[world.site.number]))
    assert response.status_code == 200
    assert callbacks == []


def test_a_failed_render_says_so_on_the_status_page(client, world, monkeypatch):
    add_lines(world.site, poe.RENDER_IN_WORKER_ABOVE + 1)
    document = PoEDocument.objects.create(
        kind=PoEDocument.Kind.SITE,
        site=world.site,
        issued_on=timezone.localdate(),
        fingerprint="x",
        snapshot=poe.poe_snapshot(site=world.site, order=None),
    )

    def broken(**kwargs):
        raise ValueError("renderer broke")

    monkeypatch.setattr("licensing.poe.poe_render", broken)

    with pytest.raises(ValueError, match="renderer broke"):
        poe_render_task.delay(document.pk)
    document.refresh_from_db()
    assert document.state == PoEDocument.State.FAILED
    client_for(client, world, "primary")
    page = client.get(reverse("licensing:poe_status", args=[document.pk])).content.decode()
    assert "could not be prepared" in page


# --- tenant isolation (A4) -----------------------------------------------------------------


@pytest.mark.parametrize("role", ["other_customer", "other_reseller"])
@pytest.mark.parametrize("name", ["licensing:poe_status", "licensing:poe_download"])
def test_another_tenants_poe_is_404(client, world, site_document, role, name):
    client_for(client, world, role)
    assert client.get(reverse(name, args=[site_document.pk])).status_code == 404


@pytest.mark.parametrize("role", ["other_customer", "other_reseller"])
def test_another_tenants_site_and_order_poe_are_404(client, world, licensed, role):
    client_for(client, world, role)
    assert client.get(reverse("licensing:site_poe", args=[world.site.number])).status_code == 404
    order_url = reverse("licensing:order_poe", args=[licensed["order"].pk])
    assert client.get(order_url).status_code == 404
    assert not PoEDocument.objects.filter(site=world.site).exists()


@pytest.mark.parametrize("role", ["primary", "caller", "reseller", "staff"])
def test_every_role_of_the_site_sees_its_poe_status(client, world, site_document, role):
    client_for(client, world, role)
    assert client.get(reverse("licensing:poe_status", args=[site_document.pk])).status_code == 200


# --- file names and prices (review #7 items 15 and 17) ---------------------------------------


def test_order_and_site_poes_download_under_distinct_descriptive_names(client, world, licensed):
    client_for(client, world, "primary")
    order = licensed["order"]
    site_response = client.get(reverse("licensing:site_poe", args=[world.site.number]))
    order_response = client.get(reverse("licensing:order_poe", args=[order.pk]))
    today = f"{timezone.localdate():%Y-%m-%d}"
    assert site_response["Content-Disposition"] == (
        f'attachment; filename="PoE-site-{world.site.number}-{today}.pdf"'
    )
    assert order_response["Content-Disposition"] == (
        f'attachment; filename="PoE-order-{order.number}.pdf"'
    )


@pytest.mark.parametrize("role", ["primary", "stc", "caller"])
def test_no_poe_shows_a_price(client, world, licensed, role):
    client_for(client, world, role)
    for url in (
        reverse("licensing:site_poe", args=[world.site.number]),
        reverse("licensing:order_poe", args=[licensed["order"].pk]),
    ):
        text = pdf_text(download(client, url))
        assert licensed["atlas"].poe_number in text
        for price in ("16000", "16,000", "2400", "2,400", "€", "EUR", "price", "total"):
            assert price.lower() not in text.lower(), (url, price)
