"""L6 benchmark: the import command takes a 100,000-row file in under a minute on SQLite
(bulk inserts in batches, the catalogue and sites read once). Run with `make bench`."""

from __future__ import annotations

import io
import time
from datetime import date, timedelta

import pytest
from django.core.management import call_command

from licensing.models import CoveragePeriod, Entitlement, Order, OrderLine
from tests.accounts.factories import SiteFactory
from tests.licensing.factories import ProductFactory

pytestmark = [pytest.mark.bench, pytest.mark.django_db]

ROWS = 100_000
SITES = 50
PRODUCTS = 40
LIMIT_SECONDS = 60


def test_the_import_command_takes_100000_rows_in_under_a_minute_l6(tmp_path):
    sites = [SiteFactory(number=f"{3000000 + n:07d}") for n in range(SITES)]
    products = [ProductFactory(part_number=f"BENCH-{n:03d}") for n in range(PRODUCTS)]
    first = date(2024, 1, 1)
    path = tmp_path / "bench.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("site_number,part_number,quantity,order_date,order_number,unit_price\r\n")
        for n in range(ROWS):
            order = n // 4  # four lines per order, at one site on one date
            site = sites[order % SITES]
            ordered_on = first + timedelta(days=order % 500)
            out.write(
                f"{site.number},{products[n % PRODUCTS].part_number},{1 + n % 25},"
                f"{ordered_on.isoformat()},B-{order:06d},{100 + n % 7}.00\r\n"
            )

    started = time.monotonic()
    call_command("import_entitlements", str(path), stdout=io.StringIO())
    seconds = time.monotonic() - started

    print(f"\nL6 import of {ROWS:,} rows: {seconds:.1f} s ({ROWS / seconds:,.0f} rows/s)")  # noqa: T201
    assert Entitlement.objects.count() == ROWS
    assert CoveragePeriod.objects.count() == ROWS
    assert OrderLine.objects.count() == ROWS
    assert Order.objects.count() == ROWS // 4
    assert seconds < LIMIT_SECONDS
