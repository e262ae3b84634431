"""L5 benchmarks: the inventory page and its CSV export for a reseller with 500 client sites
and 200,000 entitlements (plus a second reseller with 20,000, for comparison). Run with
`make bench`; each test prints its figures.

- The page: the same number of queries on page 1, on page 500 and for a small reseller; the
  server time of pages 1 and 500 against a bare page that runs one indexed query for the same
  rows on the same database (target: at most 3×).
- The CSV: streamed in constant memory: the peak Python heap (tracemalloc) and the growth of
  the process's resident memory while consuming 20,000 and 200,000 rows barely differ.
"""

from __future__ import annotations

import statistics
import time
import tracemalloc
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import Agreement, Organisation, Site
from licensing.models import Entitlement, Product
from tests.accounts.factories import UserFactory, with_totp
from tests.bench.collector import record

pytestmark = [pytest.mark.bench, pytest.mark.django_db]


def report(text: str) -> None:
    """Benchmarks print their figures (`make bench` runs pytest with -s)."""
    print(text)  # noqa: T201


BIG_SITES, BIG_ROWS = 500, 200_000
SMALL_SITES, SMALL_ROWS = 50, 20_000
PRODUCTS = 40
RUNS = 5
PAGE_RATIO_TARGET = 3.0


def _build_reseller(name: str, *, sites: int, rows: int, first_number: int, products) -> object:
    reseller = Organisation.objects.create(name=name, kind=Organisation.Kind.RESELLER)
    customers = Organisation.objects.bulk_create(
        Organisation(name=f"{name} client {n:03d}", kind=Organisation.Kind.CUSTOMER)
        for n in range(sites // 5)
    )
    agreements = Agreement.objects.bulk_create(
        Agreement(
            customer=customer,
            programme=Agreement.Programme.PA,
            number=f"{name[:3].upper()}-{n:05d}",
            anniversary_month=1 + n % 12,
        )
        for n, customer in enumerate(customers)
    )
    site_rows = Site.objects.bulk_create(
        Site(
            number=f"{first_number + n:07d}",
            name=f"{name} site {n}",
            address_line1="1 Bench Road",
            city="Warszawa",
            country="PL",
            customer=agreements[n // 5].customer,
            agreement=agreements[n // 5],
            reseller=reseller,
        )
        for n in range(sites)
    )
    start = date(2024, 1, 1)
    batch = []
    for n in range(rows):
        purchased = start + timedelta(days=n % 700)
        batch.append(
            Entitlement(
                site=site_rows[n % sites],
                product=products[n % PRODUCTS],
                quantity=1 + n % 20,
                poe_number=f"POE-{first_number // 100000}{n:09d}",
                purchased_on=purchased,
                coverage_start=purchased,
                coverage_end=purchased + timedelta(days=364),
            )
        )
        if len(batch) == 10_000:
            Entitlement.objects.bulk_create(batch)
            batch = []
    Entitlement.objects.bulk_create(batch)
    return with_totp(UserFactory(email=f"{name.lower()}@bench.test", reseller=reseller))


@pytest.fixture(scope="module")
def resellers(django_db_setup, django_db_blocker):
    """Built once for the module (about 20 s); rolled back at the end."""
    started = time.perf_counter()
    with django_db_blocker.unblock(), transaction.atomic():
        products = Product.objects.bulk_create(
            Product(
                part_number=f"BENCH-{n:03d}",
                name=f"Bench product {n}",
                family=f"Family {n % 6}",
                kind=Product.Kind.SOFTWARE,
                list_price=Decimal(1000),
                annual_ss_price=Decimal(200),
                reinstatement_price=Decimal(600),
            )
            for n in range(PRODUCTS)
        )
        big = _build_reseller(
            "Bigreseller", sites=BIG_SITES, rows=BIG_ROWS, first_number=6000000, products=products
        )
        small = _build_reseller(
            "Smallreseller",
            sites=SMALL_SITES,
            rows=SMALL_ROWS,
            first_number=7000000,
            products=products,
        )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as a production database would have statistics
        report(
            f"\nbench data: {BIG_ROWS:,} + {SMALL_ROWS:,} entitlements on "
            f"{BIG_SITES + SMALL_SITES} sites in {time.perf_counter() - started:.1f} s"
        )
        yield {"big": big, "small": small}
        transaction.set_rollback(True)


@pytest.fixture
def signed_in(resellers, settings):
    settings.ROOT_URLCONF = "tests.bench.bench_urls"

    def client_for(which: str) -> Client:
        client = Client()
        client.force_login(resellers[which])
        assert client.get("/inventory/").status_code == 200  # sets the session's MFA flag
        return client

    return client_for


def timed(client: Client, url: str) -> tuple[float, int]:
    """Median server time of RUNS requests (after one warm-up) and the query count."""
    assert client.get(url).status_code == 200
    times = []
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - started)
        assert response.status_code == 200
    return statistics.median(times), len(queries)


def test_inventory_pages_against_a_bare_indexed_query_l5(signed_in):
    big = signed_in("big")
    figures = {}
    for label, url in (
        ("page 1", "/inventory/"),
        ("page 500", "/inventory/?page=500"),
        ("bare page 1", "/bench/bare-inventory/"),
        ("bare page 500", "/bench/bare-inventory/?page=500"),
    ):
        figures[label] = timed(big, url)
    small_time, small_queries = timed(signed_in("small"), "/inventory/")
    report("\nL5 inventory, reseller with 500 sites and 200,000 entitlements (median of 5):")
    for label, (seconds, queries) in figures.items():
        report(f"  {label:<14} {seconds * 1000:8.1f} ms  {queries} queries")
    report(f"  small reseller {small_time * 1000:8.1f} ms  {small_queries} queries (20,000 rows)")
    ratios = {
        page: figures[page][0] / figures[f"bare {page}"][0] for page in ("page 1", "page 500")
    }
    for page, ratio in ratios.items():
        report(f"  {page}: {ratio:.1f}× the bare page (target ≤ {PAGE_RATIO_TARGET:.0f}×)")
    for page, ratio in ratios.items():
        record(f"L5 inventory {page} against the bare query", ratio, PAGE_RATIO_TARGET, "×")
    assert figures["page 1"][1] == figures["page 500"][1] == small_queries
    assert max(ratios.values()) <= PAGE_RATIO_TARGET


def _rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def consume_csv(client: Client) -> dict:
    """Stream the CSV, measuring the Python heap peak and the resident-memory growth."""
    response = client.get("/inventory/export.csv")
    assert response.streaming
    rss_before = _rss_kb()
    rss_peak = rss_before
    tracemalloc.start()
    started = time.perf_counter()
    lines = 0
    for chunk in response.streaming_content:
        lines += chunk.count(b"\n")
        if lines % 5000 == 0:
            rss_peak = max(rss_peak, _rss_kb())
    seconds = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_peak = max(rss_peak, _rss_kb())
    return {
        "rows": lines - 1,
        "seconds": seconds,
        "heap_peak_mb": peak / 2**20,
        "rss_growth_mb": (rss_peak - rss_before) / 1024,
    }


def test_the_inventory_csv_streams_in_constant_memory_l5(signed_in):
    small = consume_csv(signed_in("small"))
    big = consume_csv(signed_in("big"))
    report("\nL5 inventory CSV, consumed as a client would read the stream:")
    for label, figures in (("20k", small), ("200k", big)):
        report(
            f"  {label:>4}: {figures['rows']:,} rows in {figures['seconds']:.1f} s (traced); "
            f"Python heap peak {figures['heap_peak_mb']:.1f} MB; "
            f"resident memory growth {figures['rss_growth_mb']:.1f} MB"
        )
    assert (small["rows"], big["rows"]) == (SMALL_ROWS, BIG_ROWS)
    # Ten times the rows, (nearly) the same memory: nothing is held per row.
    record(
        "L5 inventory CSV heap, 200k rows against 20k",
        big["heap_peak_mb"],
        small["heap_peak_mb"] * 1.5 + 1,
        "MB",
    )
    record("L5 inventory CSV heap peak, 200k rows", big["heap_peak_mb"], 20, "MB")
    assert big["heap_peak_mb"] < small["heap_peak_mb"] * 1.5 + 1
    assert big["heap_peak_mb"] < 20
