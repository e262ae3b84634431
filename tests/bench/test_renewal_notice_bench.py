"""N10 benchmarks: the daily renewal-notice job (N1, N3) over 2,000 agreements, 5,000 sites
and 500,000 entitlements. Run with `make bench`; each test prints its figures.

- The busiest day (an anniversary notice day with the month's monthly notices) under 30 s,
  compared with ONE aggregate query that finds the same due rows (target: within 20×).
- The job's query count grows with the quotes it issues, not with the entitlements it scans
  (two data sizes, the same quotes: the same number of queries).
- A simulated year: 365 daily runs of the three renewal jobs with `--as-of` (target: under
  10 minutes). ENTITLE_BENCH_YEAR_SCALE (default 0.1: 200 agreements, 500 sites, 50,000
  entitlements) scales the year's data set; 1 runs it at the full size.

The data: each site bought its 100 entitlements in 8 orders spread over a year (customers
buy a few times a year), 40 products, a primary contact per site, half the sites managed by
one of 10 resellers (one user each); 70 % PA, 10 % PAE, 20 % VIP agreements, anniversary
months spread over the year.
"""

from __future__ import annotations

import os
import random
import time
from datetime import date, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, Min
from django.db.models.functions import TruncMonth

from accounts.models import Agreement, Contact, Organisation, Site, User
from licensing.models import Entitlement, Product
from portal.core.dates import one_year_of_cover
from portal.core.models import OutgoingEmail
from renewals.models import Quote
from renewals.notices import renewal_notices_send
from renewals.pricing import NOTICE_LEAD_DAYS, anniversary_in
from tests.bench.collector import record

pytestmark = [pytest.mark.bench, pytest.mark.django_db]

AGREEMENTS, SITES, PER_SITE, ORDERS_PER_SITE = 2_000, 5_000, 100, 8
BUSIEST_TARGET_SECONDS = 30
RATIO_TARGET = 20
YEAR_TARGET_SECONDS = 600
YEAR_SCALE = float(os.environ.get("ENTITLE_BENCH_YEAR_SCALE", "0.1"))
# The busiest-day test at a smaller size (ENTITLE_BENCH_SCALE=0.1) for a quick look.
SCALE = float(os.environ.get("ENTITLE_BENCH_SCALE", "1"))
FIRST_PURCHASE = date(2025, 7, 1)
# March has the most anniversaries (customers signed at the end of the first quarter), so its
# notice day, 31 Dec 2026, is the busiest anniversary day.
BUSIEST_DAY = date(2026, 12, 31)


class QueryCounter:
    """Counts the queries run inside it. CaptureQueriesContext keeps only the last 9,000 and
    warns past them (an error in the tests): the busiest day runs more."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def counted_queries() -> tuple[QueryCounter, object]:
    counter = QueryCounter()
    return counter, connection.execute_wrapper(counter)


def report(text: str) -> None:
    print(text)  # noqa: T201


def build(*, agreements: int, sites: int, per_site: int, seed: int = 8) -> None:
    started = time.perf_counter()
    rng = random.Random(seed)  # the purchase days
    pick = random.Random(seed + 1)  # the products
    products = Product.objects.bulk_create(
        Product(
            part_number=f"NB-{n:03d}",
            name=f"Notice bench product {n}",
            family=f"Family {n % 6}",
            kind=Product.Kind.SOFTWARE,
            list_price=Decimal(1000),
            annual_ss_price=Decimal(120 + 12 * n),
        )
        for n in range(40)
    )
    resellers = Organisation.objects.bulk_create(
        Organisation(name=f"Bench reseller {n}", kind=Organisation.Kind.RESELLER) for n in range(10)
    )
    User.objects.bulk_create(
        User(email=f"reseller{n}@bench.test", reseller=reseller, language="en")
        for n, reseller in enumerate(resellers)
    )
    customers = Organisation.objects.bulk_create(
        Organisation(name=f"Bench customer {n}", kind=Organisation.Kind.CUSTOMER)
        for n in range(agreements)
    )
    programmes = ["PA"] * 7 + ["PAE"] + ["VIP"] * 2
    months = [3, 3, 3, *range(1, 13)]
    agreement_rows = Agreement.objects.bulk_create(
        Agreement(
            customer=customer,
            programme=programmes[n % 10],
            number=f"NB-{n:06d}",
            anniversary_month=months[n % len(months)],
        )
        for n, customer in enumerate(customers)
    )
    site_rows = Site.objects.bulk_create(
        Site(
            number=f"{6000000 + n:07d}",
            name=f"Bench site {n}",
            address_line1="1 Bench Road",
            city="Warszawa",
            country="PL",
            customer=agreement_rows[n % agreements].customer,
            agreement=agreement_rows[n % agreements],
            reseller=resellers[n % 10] if n % 2 else None,
        )
        for n in range(sites)
    )
    Contact.objects.bulk_create(
        Contact(site=site, name="Primary", email=f"primary{n}@bench.test", is_primary=True)
        for n, site in enumerate(site_rows)
    )
    batch: list[Entitlement] = []
    serial = 0
    for site in site_rows:
        days = [FIRST_PURCHASE + timedelta(days=rng.randrange(365)) for _ in range(ORDERS_PER_SITE)]
        for n in range(per_site):
            purchased = days[n % ORDERS_PER_SITE]
            serial += 1
            batch.append(
                Entitlement(
                    site=site,
                    product=products[pick.randrange(40)],
                    quantity=1 + n % 5,
                    poe_number=f"POE-N{serial:09d}",
                    purchased_on=purchased,
                    coverage_start=purchased,
                    coverage_end=one_year_of_cover(purchased),
                )
            )
            if len(batch) == 20_000:
                Entitlement.objects.bulk_create(batch)
                batch = []
    Entitlement.objects.bulk_create(batch)
    report(
        f"built {agreements:,} agreements, {sites:,} sites, {sites * per_site:,} entitlements"
        f" in {time.perf_counter() - started:.1f} s"
    )


def aggregate_due_rows(as_of: date) -> list[dict]:
    """The yardstick: ONE aggregate query over the same window that finds the due rows (the
    entitlements ending within the notice window, by site and month, with the earliest end)."""
    horizon = as_of + timedelta(days=NOTICE_LEAD_DAYS)
    anniversary = anniversary_in(horizon.year, horizon.month)
    return list(
        Entitlement.objects.filter(
            quantity__gt=0,
            coverage_end__gte=as_of,
            coverage_end__lte=anniversary_in(anniversary.year + 1, anniversary.month),
        )
        .annotate(month=TruncMonth("coverage_end"))
        .values("site_id", "month", "site__agreement_id", "site__reseller_id")
        .annotate(first=Min("coverage_end"), n=Count("pk"))
    )


def test_the_busiest_day_of_the_notice_job():
    """N10: the busiest day under 30 s; the job against one aggregate query finding the same
    due rows (target 20×), and its finding part (the dry run) separately."""
    build(agreements=int(AGREEMENTS * SCALE), sites=int(SITES * SCALE), per_site=PER_SITE)
    # The day before catches up the backlog of a data set that never ran (every month's
    # notices up to then); the busiest day is then an ordinary day's work.
    started = time.perf_counter()
    backlog = renewal_notices_send(as_of=BUSIEST_DAY - timedelta(days=1))
    report(f"backlog of the day before: {backlog.counts} in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    rows = aggregate_due_rows(BUSIEST_DAY)
    aggregate_seconds = time.perf_counter() - started
    started = time.perf_counter()
    rehearsal = renewal_notices_send(as_of=BUSIEST_DAY, dry_run=True)
    dry_seconds = time.perf_counter() - started
    report(f"dry run {dry_seconds:.2f} s: {rehearsal.counts}; aggregate {aggregate_seconds:.3f} s")
    queries, counting = counted_queries()
    with counting:
        started = time.perf_counter()
        summary = renewal_notices_send(as_of=BUSIEST_DAY)
        job_seconds = time.perf_counter() - started
    issued = summary.counts.get("anniversary", 0) + summary.counts.get("monthly", 0)
    report(
        f"busiest day {BUSIEST_DAY} on {connection.vendor}: {summary.counts}; "
        f"job {job_seconds:.2f} s ({queries.count} queries, {queries.count / max(issued, 1):.1f}"
        f" per quote); dry run (finding only) {dry_seconds:.2f} s; one aggregate query "
        f"{aggregate_seconds:.3f} s ({len(rows):,} groups); job/aggregate "
        f"{job_seconds / aggregate_seconds:.1f}×, dry run/aggregate "
        f"{dry_seconds / aggregate_seconds:.1f}×"
    )
    assert rehearsal.counts == {k: v for k, v in summary.counts.items() if k != "emails"}
    assert issued == Quote.objects.filter(issued_on=BUSIEST_DAY).count() > 0
    record("N10 notice job, busiest day", job_seconds, BUSIEST_TARGET_SECONDS, "s")
    record(
        "N10 notice dry run against one aggregate query",
        dry_seconds / aggregate_seconds,
        RATIO_TARGET,
        "×",
    )
    assert job_seconds < BUSIEST_TARGET_SECONDS
    assert dry_seconds / aggregate_seconds < RATIO_TARGET


def _queries_for_one_day(per_site: int) -> tuple[int, int]:
    build(agreements=12, sites=30, per_site=per_site, seed=3)
    queries, counting = counted_queries()
    with counting:
        summary = renewal_notices_send(as_of=BUSIEST_DAY)
    issued = summary.counts.get("anniversary", 0) + summary.counts.get("monthly", 0)
    return issued, queries.count


def _clear() -> None:
    """Forget the first data set (durable services cannot run inside a savepoint to roll
    back)."""
    OutgoingEmail.objects.all().delete()
    Quote.objects.all().delete()
    Entitlement.objects.all().delete()
    Contact.objects.all().delete()
    Site.objects.all().delete()
    Agreement.objects.all().delete()
    User.objects.all().delete()
    Organisation.objects.all().delete()
    Product.objects.all().delete()


def test_the_query_count_grows_with_quotes_issued_not_with_entitlements_scanned():
    """N10: the same sites and purchase days with 8 and 80 entitlements per site issue the same
    quotes with (within 1 %) the same number of queries: the lines are bulk-created."""
    small = _queries_for_one_day(8)
    _clear()
    large = _queries_for_one_day(80)
    report(f"quotes and queries: 8 per site {small}, 80 per site {large}")
    assert small[0] == large[0] > 0
    # Ten times the entitlements: the same queries but for the bulk_create batches of 500
    # lines in the largest anniversary quotes.
    record("N10 notice queries, 80 against 8 per site", large[1], small[1] * 1.01, "queries")
    assert small[1] <= large[1] <= small[1] * 1.01


def test_a_simulated_year_of_daily_runs():
    """N10: 365 days of expiry, notices and revisions with --as-of (scaled by
    ENTITLE_BENCH_YEAR_SCALE)."""
    build(
        agreements=int(AGREEMENTS * YEAR_SCALE),
        sites=int(SITES * YEAR_SCALE),
        per_site=PER_SITE,
    )
    day, end = date(2026, 7, 1), date(2027, 6, 30)
    started = time.perf_counter()
    slowest = (0.0, day)
    quiet = StringIO()
    while day <= end:
        began = time.perf_counter()
        for command in ("expire_quotes", "send_renewal_notices", "send_revised_quotes"):
            call_command(command, f"--as-of={day.isoformat()}", stdout=quiet)
        quiet.seek(0)
        quiet.truncate()
        slowest = max(slowest, (time.perf_counter() - began, day))
        day += timedelta(days=1)
    seconds = time.perf_counter() - started
    report(
        f"simulated year at scale {YEAR_SCALE} on {connection.vendor}: {seconds:.1f} s, "
        f"{Quote.objects.count():,} quotes, slowest day {slowest[1]} {slowest[0]:.2f} s"
    )
    record(f"N10 simulated year (scale {YEAR_SCALE})", seconds, YEAR_TARGET_SECONDS, "s")
    assert seconds < YEAR_TARGET_SECONDS
