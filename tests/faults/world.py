"""The data the fault tests need on top of the demo, written with bulk_create (run inside the
stack's own processes: `python manage.py shell -c "from tests.faults.world import …"`).

- NOTICE_SITES direct PA sites, each with entitlements ending a month from today: each is
  one monthly renewal notice (N3) with its e-mail (E1) in today's job, so the job runs long
  enough to be killed midway;
- one site holding POE_LINES current entitlements: its site PoE renders in the worker (L4,
  E3) for long enough to be killed midway; its primary contact (a user) reads pages.

No demo data: the world is all the tests need, and `demo_data` costs CI half a minute.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import Agreement, Contact, Organisation, Site, User
from licensing.models import Entitlement, Product
from renewals.notices import anniversaries_due

NOTICE_SITES = 60
LINES_PER_NOTICE = 3
POE_LINES = 800
POE_SITE = "7900000"
PAGE_USER = "viewer@faults.test"  # the primary contact of the PoE site, who reads pages


def _quiet_month(today) -> int:
    """An anniversary month with no anniversary quote due today and not the month the
    notice sites' coverage ends in: the sites get their monthly notice only."""
    busy = {a.month for a in anniversaries_due(today)} | {(today + timedelta(days=30)).month}
    return next(month for month in (6, 7, 8, 9, 10, 11) if month not in busy)


def build() -> None:
    today = timezone.localdate()
    month = _quiet_month(today)
    products = Product.objects.bulk_create(
        Product(
            part_number=f"FT-{n:03d}",
            name=f"Fault test product {n}",
            family=f"Family {n % 4}",
            kind=Product.Kind.SOFTWARE,
            list_price=Decimal(1000),
            annual_ss_price=Decimal(120 + 12 * n),
        )
        for n in range(20)
    )
    customers = Organisation.objects.bulk_create(
        Organisation(name=f"Fault customer {n}", kind=Organisation.Kind.CUSTOMER)
        for n in range(NOTICE_SITES + 1)
    )
    agreements = Agreement.objects.bulk_create(
        Agreement(customer=customer, programme="PA", number=f"FT-{n:06d}", anniversary_month=month)
        for n, customer in enumerate(customers)
    )
    sites = Site.objects.bulk_create(
        Site(
            number=POE_SITE if n == NOTICE_SITES else f"{7000000 + n:07d}",
            name=f"Fault site {n}",
            address_line1="1 Fault Road",
            city="Warszawa",
            country="PL",
            customer=agreement.customer,
            agreement=agreement,
        )
        for n, agreement in enumerate(agreements)
    )
    Contact.objects.bulk_create(
        Contact(site=site, name="Primary", email=f"primary{n}@faults.test", is_primary=True)
        for n, site in enumerate(sites[:NOTICE_SITES])
    )
    viewer = User.objects.create_user(PAGE_USER, first_name="Vera", last_name="Viewer")
    Contact.objects.create(
        site=sites[NOTICE_SITES],
        name="Vera Viewer",
        email=PAGE_USER,
        user=viewer,
        is_primary=True,
        site_number_confirmed_at=timezone.now(),
    )
    ending = today + timedelta(days=30)
    rows = [
        Entitlement(
            site=site,
            product=products[(n + line) % len(products)],
            quantity=1 + line,
            poe_number=f"POE-F{n:04d}{line:02d}",
            purchased_on=ending - timedelta(days=365),
            coverage_start=ending - timedelta(days=365),
            coverage_end=ending,
        )
        for n, site in enumerate(sites[:NOTICE_SITES])
        for line in range(LINES_PER_NOTICE)
    ]
    rows += [
        Entitlement(
            site=sites[NOTICE_SITES],
            product=products[line % len(products)],
            quantity=1 + line % 7,
            poe_number=f"POE-P{line:06d}",
            purchased_on=today,
            coverage_start=today,
            coverage_end=today + timedelta(days=364),
        )
        for line in range(POE_LINES)
    ]
    Entitlement.objects.bulk_create(rows, batch_size=2000)
