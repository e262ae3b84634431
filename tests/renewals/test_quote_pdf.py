"""E3, N6: a quote's PDF — lines grouped by site with subtotals and totals, reproducible bytes,
the client's price for customers and the vendor's price only for the quote's reseller and
staff, a layout that fits A4, large quotes rendered in the worker, and tenant scoping (A4)."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from pypdf import PdfReader

from licensing import poe
from portal.core import pdf
from renewals import documents, tasks
from renewals.builders import renewal_draft
from renewals.models import Quote, QuoteDocument, QuoteLine
from renewals.services import quote_issue, quote_price_set
from tests.accounts.factories import SiteFactory
from tests.conftest import client_for
from tests.licensing.factories import EditionFactory, EntitlementFactory, ProductFactory
from tests.licensing.test_statement import boxes_past_the_page
from tests.renewals.factories import at_noon

pytestmark = pytest.mark.django_db

TODAY = date(2026, 1, 5)
A4_PORTRAIT = (595, 842)  # points


# --- data ----------------------------------------------------------------------------------


@pytest.fixture
def annex(world):
    world.site.agreement.anniversary_month = 3
    world.site.agreement.save()
    return SiteFactory(
        number="1234568",
        name="Alpha Annex",
        agreement=world.site.agreement,
        customer=world.site.customer,
        reseller=world.reseller,
    )


def issue(world, entitlements, **kwargs) -> Quote:
    """An anniversary quote of the reseller-managed agreement: due lines to 31 March 2026 and,
    for coverage ending later, optional co-term lines (N1)."""
    draft = renewal_draft(
        entitlements=entitlements,
        agreement=world.site.agreement,
        reseller_id=world.reseller.pk,
        series_key=kwargs.pop("series_key", "pdf-test"),
        notice=Quote.Notice.ANNIVERSARY,
        valid_until=date(2026, 2, 28),
        as_of=TODAY,
        due_through=date(2026, 3, 31),
        renews_to=date(2026, 3, 31),
    )
    return quote_issue(draft=draft, as_of=TODAY, now=at_noon(TODAY))


def price_and_send(world, quote: Quote, adjustment: str = "10") -> Quote:
    """N6: the reseller sets its client's price (+10 %) and sends the quote."""
    return quote_price_set(
        quote_id=quote.pk,
        adjustment=Decimal(adjustment),
        actor=world.users["reseller"],
        as_of=TODAY,
        send=True,
        now=at_noon(TODAY),
    )


@pytest.fixture
def quote(world, annex):
    """Three lines at two sites: Atlas ×3 due at the HQ (1 month at 2,400/yr: vendor 600.00,
    client 660.00), Beacon ×2 optional at the HQ (10 months at 1,200/yr: vendor 2,000.00,
    client 2,200.00), Atlas ×1 due at the annex (vendor 200.00, client 220.00)."""
    atlas = ProductFactory(
        name="Atlas Database Server", part_number="ATL-DB-100", annual_ss_price=Decimal("2400")
    )
    beacon = ProductFactory(
        name="Beacon Analytics Desktop", part_number="BCN-AN-200", annual_ss_price=Decimal("1200")
    )
    entitlements = [
        EntitlementFactory(
            site=world.site, product=atlas, quantity=3, purchased_on=date(2025, 3, 10)
        ),
        EntitlementFactory(
            site=world.site, product=beacon, quantity=2, purchased_on=date(2025, 6, 10)
        ),
        EntitlementFactory(site=annex, product=atlas, quantity=1, purchased_on=date(2025, 3, 20)),
    ]
    return price_and_send(world, issue(world, entitlements))


def pdf_url(quote: Quote, prices: str | None = None) -> str:
    url = reverse("renewals:quote_pdf", args=[quote.number])
    return f"{url}?prices={prices}" if prices else url


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def text_of(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def download(client, world, role: str, quote: Quote, prices: str | None = None):
    client_for(client, world, role)
    response = client.get(pdf_url(quote, prices))
    assert response.status_code == 200, response
    return response


# --- content -------------------------------------------------------------------------------


def test_the_pdf_lists_the_lines_grouped_by_site_with_subtotals_and_totals_n6(client, world, quote):
    """N6: number, kind, revision, dates, customer, agreement, account manager, level; each
    site's lines under its heading with the site's subtotal; the total of the required lines,
    the optional co-term lines apart (N1)."""
    response = download(client, world, "primary", quote)
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="Quote-{quote.number}.pdf"' in response["Content-Disposition"]
    text = text_of(body(response))
    for expected in (
        f"Quote {quote.number}",
        "Renewal",
        "Issue date 5 Jan 2026",
        "Valid until 28 Feb 2026",
        "Renews to 31 Mar 2026",
        world.site.customer.name,
        world.site.agreement.number,
        "Account manager Reseller One",
        "Level BL, 0 % discount",
        "Currency EUR",
        "Subtotal, site 1234567 €660.00",
        "Optional co-term lines, site 1234567, if chosen €2,200.00",
        "Subtotal, site 1234568 €220.00",
        "Total (EUR) €880.00",
        "Total with every optional line €3,080.00",
        "To accept quote",
    ):
        assert expected in text, expected
    hq, annex = text.index("Site 1234567 Alpha HQ"), text.index("Site 1234568 Alpha Annex")
    beacon = text.index("Beacon Analytics Desktop")
    atlas_lines = [i for i in range(len(text)) if text.startswith("Atlas Database Server", i)]
    assert hq < atlas_lines[0] < beacon < annex < atlas_lines[1]
    # N1: the Beacon line (coverage to June) is the optional co-term line, marked so.
    assert "Optional co-term line" in text[beacon:annex]
    assert "Optional co-term line" not in text[hq:beacon]
    # The Atlas line at the HQ: 3 licences, 10 Mar – 31 Mar 2026, 1 month, client's price.
    assert "3 10 Mar 2026 – 31 Mar 2026 1 €220.00 €660.00" in text


def test_the_pdf_says_when_a_quote_renews_less_than_a_commitment_n9(client, world, quote):
    Quote.objects.filter(pk=quote.pk).update(
        commitment_warning="Renewing 4 licences is below the 120 committed."
    )
    text = text_of(body(download(client, world, "primary", quote)))
    assert "Three-year commitment: Renewing 4 licences is below the 120 committed." in text


def test_a_revision_says_which_quote_it_replaces_n4(client, world, quote):
    entitlement = quote.lines.order_by("position").first().entitlement
    revision = issue(world, [entitlement])  # sent at once: the quote it revises was (N4)
    assert revision.state == Quote.State.OPEN
    text = text_of(body(download(client, world, "primary", revision)))
    assert f"Revision 1 (replaces {quote.number})" in text


# --- reproducible (E3) ---------------------------------------------------------------------


def test_the_same_quote_gives_the_same_document_and_the_same_bytes_e3(client, world, quote):
    first = body(download(client, world, "primary", quote))
    again = body(download(client, world, "site_admin", quote))
    assert again == first
    assert QuoteDocument.objects.filter(quote=quote).count() == 1  # reused, not re-rendered
    document = QuoteDocument.objects.get(quote=quote)
    # Rendered afresh from the same snapshot: byte for byte the same file.
    assert documents.quote_pdf_bytes(document.snapshot) == first
    QuoteDocument.objects.all().delete()
    assert body(download(client, world, "primary", quote)) == first


def test_a_new_price_makes_a_new_document_with_the_new_price_n6(client, world, quote):
    text_of(body(download(client, world, "primary", quote)))
    QuoteLine.objects.filter(quote=quote, client_amount=Decimal("660.00")).update(
        client_unit_price=Decimal("230.00"), client_amount=Decimal("690.00")
    )
    text = text_of(body(download(client, world, "primary", quote)))
    assert "€690.00" in text
    assert QuoteDocument.objects.filter(quote=quote).count() == 2


# --- whose price (N6) ----------------------------------------------------------------------


@pytest.mark.parametrize("role", ["primary", "site_admin", "reseller", "staff"])
def test_everyone_gets_the_clients_price_by_default_n6(client, world, quote, role):
    text = text_of(body(download(client, world, role, quote)))
    assert "€660.00" in text  # the client's price: the vendor's 600.00 + 10 %
    assert "€600.00" not in text
    assert "Vendor's prices" not in text
    assert "Reseller's adjustment" not in text  # the reseller's margin is its own business


@pytest.mark.parametrize("role", ["reseller", "staff"])
def test_the_quotes_reseller_and_staff_may_download_the_vendors_price_n6(
    client, world, quote, role
):
    response = download(client, world, role, quote, prices="vendor")
    assert f"Quote-{quote.number}-vendor-prices.pdf" in response["Content-Disposition"]
    text = text_of(body(response))
    assert "Vendor's prices for Reseller One: not for the customer." in text
    assert "Subtotal, site 1234567 €600.00" in text
    assert "Total (EUR) €800.00" in text
    assert "Reseller's adjustment 10 %" in text
    assert "€660.00" not in text


@pytest.mark.parametrize("role", ["primary", "site_admin"])
def test_a_customer_can_never_get_the_vendors_price_n6(client, world, quote, role):
    """Asking for it is refused; a vendor-price document someone else rendered is not there
    for them (404), whether its status page or its download."""
    client_for(client, world, "reseller")
    client.get(pdf_url(quote, "vendor"))
    vendor_document = QuoteDocument.objects.get(quote=quote, audience="vendor")
    client.logout()

    client_for(client, world, role)
    assert client.get(pdf_url(quote, "vendor")).status_code == 403
    for name in ("renewals:quote_pdf_status", "renewals:quote_pdf_download"):
        assert client.get(reverse(name, args=[vendor_document.pk])).status_code == 404
    assert not QuoteDocument.objects.filter(requested_by=world.users[role], audience="vendor")


def test_a_customer_gets_no_pdf_before_the_reseller_has_set_the_price_n6(client, world, annex):
    """A draft's client price is not set yet: it would fall back to the vendor's price."""
    draft = issue(world, [EntitlementFactory(site=world.site, purchased_on=date(2025, 3, 10))])
    assert draft.state == Quote.State.DRAFT
    client_for(client, world, "reseller")
    assert client.get(pdf_url(draft)).status_code == 200  # the reseller's preview
    document = QuoteDocument.objects.get(quote=draft)
    client.logout()
    client_for(client, world, "primary")
    assert client.get(pdf_url(draft)).status_code == 403
    assert client.get(reverse("renewals:quote_pdf_download", args=[document.pk])).status_code == (
        403
    )


def test_a_direct_quote_has_one_price(client, world):
    """Without a reseller the vendor's price is the client's: one version of the PDF."""
    site = SiteFactory(agreement__anniversary_month=3)
    entitlement = EntitlementFactory(site=site, purchased_on=date(2025, 3, 10))
    draft = renewal_draft(
        entitlements=[entitlement],
        agreement=site.agreement,
        reseller_id=None,
        series_key="direct",
        notice=Quote.Notice.REQUEST,
        valid_until=date(2026, 2, 28),
        as_of=TODAY,
    )
    quote = quote_issue(draft=draft, as_of=TODAY, now=at_noon(TODAY))
    client_for(client, world, "staff")
    vendor = body(client.get(pdf_url(quote, "vendor")))
    assert body(client.get(pdf_url(quote))) == vendor
    assert list(QuoteDocument.objects.values_list("audience", flat=True)) == ["client"]
    assert "Direct with the vendor" in text_of(vendor)


# --- layout on A4 --------------------------------------------------------------------------


@pytest.fixture
def wide_quote(world, annex):
    """What makes columns wide: long names without spaces, a large price, a long site name."""
    annex.name = "Alpha Annex Research and Development Campus North Wing Building Seven"
    annex.save()
    atlas = ProductFactory(
        name="Atlas Database Server Enterprise Cluster Edition with Replication",
        part_number="ATL-DB-100-ENTERPRISE-CLUSTER",
        annual_ss_price=Decimal("987654.32"),
    )
    edition = EditionFactory(
        product=atlas, name="PlusClusterReplicationHighAvailabilityDisasterRecoveryWAN"
    )
    entitlements = [
        EntitlementFactory(
            site=site, product=atlas, edition=edition, quantity=999, purchased_on=purchased
        )
        for site, purchased in (
            (world.site, date(2025, 3, 10)),
            (world.site, date(2025, 6, 10)),
            (annex, date(2025, 3, 20)),
        )
    ]
    return price_and_send(world, issue(world, entitlements), adjustment="99")


def text_past_its_cell(layout) -> list[str]:
    """Every piece of text that runs past the right edge of its table cell (into the next
    column), by its text."""
    past = []
    for page in layout.pages:
        for cell in page._page_box.descendants():  # WeasyPrint exposes no public box tree
            if getattr(cell, "element_tag", None) not in ("td", "th") or cell.width is None:
                continue
            right = cell.border_box_x() + cell.border_width()
            for box in cell.descendants():
                text = getattr(box, "text", None)
                if text and box.position_x + box.width > right + 0.5:
                    past.append(text)
    return past


def test_text_past_its_cell_finds_a_word_too_long_for_its_column():
    """The check below can fail: a long word in a narrow fixed column spills over."""
    html = (
        '<table style="table-layout: fixed; width: 100%"><tr><td style="width: 10%">'
        "Averyveryverylongwordthatdoesnotfit</td><td>b</td></tr></table>"
    )
    assert text_past_its_cell(pdf.html_layout(html)) == ["Averyveryverylongwordthatdoesnotfit"]


@pytest.mark.parametrize("audience", ["client", "vendor"])
@pytest.mark.parametrize("language", ["en", "pl", "zh-hant"])
def test_no_box_of_the_quote_pdf_runs_off_an_a4_page(wide_quote, audience, language):
    """Long names, a long site name and amounts in the billions, in each language: nothing
    past the page's edge, and no text running into the next column."""
    snapshot = documents.quote_pdf_snapshot(quote=wide_quote, audience=audience, language=language)
    layout = pdf.html_layout(documents.quote_pdf_html(snapshot))
    assert layout.pages
    assert boxes_past_the_page(layout) == []
    assert text_past_its_cell(layout) == []


def test_the_quote_pdf_prints_on_portrait_a4(client, world, wide_quote):
    content = body(download(client, world, "primary", wide_quote))
    page = PdfReader(io.BytesIO(content)).pages[0]
    assert (round(page.mediabox.width), round(page.mediabox.height)) == A4_PORTRAIT


def test_the_logo_is_fetched_from_the_portals_static_files_e3(wide_quote):
    """E3: the only fetch is the portal's own static files (the stylesheets and the logo)."""
    fetcher = pdf.StaticFilesOnlyFetcher()
    snapshot = documents.quote_pdf_snapshot(quote=wide_quote, audience="client", language="en")
    html = documents.quote_pdf_html(snapshot)
    assert "/static/img/logo.svg" in html
    pdf.html_layout(html, fetcher=fetcher)
    assert fetcher.blocked == []


# --- large quotes render in the worker -----------------------------------------------------


def add_lines(quote: Quote, count: int) -> None:
    """Lines written directly: a large quote for the worker path."""
    first = quote.lines.order_by("position").first()
    QuoteLine.objects.bulk_create(
        QuoteLine(
            quote=quote,
            position=100 + n,
            site_id=first.site_id,
            product_id=first.product_id,
            action=QuoteLine.Action.EXTEND,
            description=f"Bulk line {n:04d}",
            quantity=1,
            covers_from=first.covers_from,
            covers_to=first.covers_to,
            months=1,
            base_price=Decimal("120.00"),
            unit_price=Decimal("10.00"),
            amount=Decimal("10.00"),
            client_unit_price=Decimal("11.00"),
            client_amount=Decimal("11.00"),
        )
        for n in range(count)
    )


def test_a_large_quote_renders_in_the_worker_while_the_page_shows_progress_e3(
    client, world, quote, django_capture_on_commit_callbacks
):
    add_lines(quote, poe.RENDER_IN_WORKER_ABOVE)  # 203 lines in all
    client_for(client, world, "primary")
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.get(pdf_url(quote))
        again = client.get(pdf_url(quote))  # a second click
    document = QuoteDocument.objects.get(quote=quote)
    status_url = reverse("renewals:quote_pdf_status", args=[document.pk])
    download_url = reverse("renewals:quote_pdf_download", args=[document.pk])
    assert response.status_code == 302
    assert response["Location"] == again["Location"] == status_url
    assert (document.state, document.line_count) == (QuoteDocument.State.PENDING, 203)
    assert len(callbacks) == 1  # one render task, queued once the request has committed

    pending = client.get(status_url).content.decode()
    assert "The PDF of this quote with 203 lines is being prepared" in pending
    assert "data-poll-seconds" in pending
    assert client.get(download_url)["Location"] == status_url

    # A price set meanwhile does not slip into this document: it renders its snapshot.
    QuoteLine.objects.filter(quote=quote).update(client_amount=Decimal("999.99"))
    callbacks[0]()  # the worker (Celery runs eagerly in tests)
    document.refresh_from_db()
    assert document.state == QuoteDocument.State.READY
    ready = client.get(status_url).content.decode()
    assert "The PDF of this quote is ready" in ready
    assert download_url in ready
    response = client.get(download_url)
    assert f"Quote-{quote.number}.pdf" in response["Content-Disposition"]
    text = text_of(body(response))
    assert "Bulk line" not in text  # the product's name is shown, not the description
    assert text.count("€11.00") == 2 * poe.RENDER_IN_WORKER_ABOVE
    assert "€999.99" not in text


def test_the_render_task_is_the_workers_and_safe_to_run_twice(world, quote):
    assert tasks.quote_pdf_render_task.name == "renewals.tasks.quote_pdf_render_task"
    document = documents.quote_document_issue(quote=quote, audience="client", actor=None)
    assert document.state == QuoteDocument.State.READY
    name = document.file.name
    tasks.quote_pdf_render_task.delay(document.pk)  # re-delivered: a no-op
    document.refresh_from_db()
    assert document.file.name == name


def test_a_failed_render_says_so_and_the_next_request_renders_again(
    client, world, quote, monkeypatch
):
    add_lines(quote, poe.RENDER_IN_WORKER_ABOVE)
    document = QuoteDocument.objects.create(
        quote=quote,
        fingerprint="will-fail",
        snapshot=documents.quote_pdf_snapshot(quote=quote, audience="client", language="en"),
        line_count=203,
    )

    def broken(snapshot):
        raise ValueError("renderer broke")

    monkeypatch.setattr("renewals.documents.quote_pdf_bytes", broken)
    with pytest.raises(ValueError, match="renderer broke"):
        tasks.quote_pdf_render_task.delay(document.pk)
    document.refresh_from_db()
    assert document.state == QuoteDocument.State.FAILED
    client_for(client, world, "primary")
    page = client.get(reverse("renewals:quote_pdf_status", args=[document.pk])).content
    assert b"could not be prepared" in page


def test_a_failed_document_is_rendered_again_when_asked_for_again(
    world, quote, monkeypatch, django_capture_on_commit_callbacks
):
    """The worker failed (the task recorded it): the next request renders the same document
    again rather than showing the failure for ever."""
    real = documents.quote_pdf_bytes

    def broken(snapshot):
        raise OSError("disk full")

    monkeypatch.setattr("renewals.documents.quote_pdf_bytes", broken)
    add_lines(quote, poe.RENDER_IN_WORKER_ABOVE)
    with django_capture_on_commit_callbacks(execute=True):
        documents.quote_document_issue(quote=quote, audience="client", actor=None)
    document = QuoteDocument.objects.get(quote=quote)
    assert document.state == QuoteDocument.State.FAILED
    monkeypatch.setattr("renewals.documents.quote_pdf_bytes", real)
    with django_capture_on_commit_callbacks(execute=True):
        again = documents.quote_document_issue(
            quote=quote, audience="client", actor=world.users["primary"]
        )
    again.refresh_from_db()
    assert (again.pk, again.state) == (document.pk, QuoteDocument.State.READY)
    assert again.requested_by == world.users["primary"]


# --- who may (A4, N6) ----------------------------------------------------------------------


@pytest.fixture
def rendered(world, quote):
    return documents.quote_document_issue(quote=quote, audience="client", actor=None)


def document_urls(quote: Quote, document: QuoteDocument) -> list[str]:
    return [
        pdf_url(quote),
        reverse("renewals:quote_pdf_status", args=[document.pk]),
        reverse("renewals:quote_pdf_download", args=[document.pk]),
    ]


@pytest.mark.parametrize("role", ["other_customer", "other_reseller"])
@pytest.mark.parametrize("method", ["get", "head", "post", "put", "patch", "delete", "options"])
def test_another_tenants_quote_pdf_is_404_for_every_method(client, world, rendered, role, method):
    client_for(client, world, role)
    for url in document_urls(rendered.quote, rendered):
        assert getattr(client, method)(url).status_code == 404, url


@pytest.mark.parametrize("role", ["stc", "caller"])
def test_technical_contacts_and_callers_get_no_quote_pdf(client, world, rendered, role):
    """N6: quotes are for those who run the site (renewals/rules.py)."""
    client_for(client, world, role)
    for url in document_urls(rendered.quote, rendered):
        assert client.get(url).status_code == 403, url


def test_a_clients_price_pdf_is_for_everyone_who_may_view_the_quote(client, world, rendered):
    """The document is the quote's, not the requester's: the same content for each of them."""
    for role in ("primary", "site_admin", "reseller", "staff"):
        client_for(client, world, role)
        response = client.get(reverse("renewals:quote_pdf_download", args=[rendered.pk]))
        assert response.status_code == 200, role
        client.logout()


@pytest.mark.parametrize("lines", [3, 3 + 150])
def test_the_pdf_page_reads_a_fixed_number_of_queries_whatever_the_lines(
    client, world, quote, lines, django_assert_max_num_queries
):
    """The snapshot reads the quote and its lines in one query each, however many lines."""
    add_lines(quote, lines - 3)
    documents.quote_document_issue(quote=quote, audience="client", actor=None)
    client_for(client, world, "primary")
    with django_assert_max_num_queries(14):
        response = client.get(pdf_url(quote))  # the issued document, handed out again
    assert response.status_code == 200
    document = QuoteDocument.objects.get(quote=quote)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("renewals:quote_pdf_status", args=[document.pk])).status_code == (
            200
        )


def test_quote_pdfs_need_a_sign_in_and_are_read_only(client, world, rendered):
    for url in document_urls(rendered.quote, rendered):
        assert client.get(url)["Location"].startswith(reverse("account_login"))
    client_for(client, world, "primary")
    for url in document_urls(rendered.quote, rendered):
        assert client.post(url).status_code == 405
