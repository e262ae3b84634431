"""The ticket-list benchmark's data (issue #9): a reseller with 500 client sites and 100,000
tickets with 200,000 public comments, a second reseller with 50 sites and 10,000 tickets (the
query counts must not depend on the size), a reseller user for each and a support engineer.

Rows are written with bulk_create, not through ticket_open (100,000 service calls would take
many minutes); the S4 instants come from support.sla.targets, as ticket_open stores them. No
holidays are loaded, so each site's calendar is its time zone alone (what calendar_for_site
would return here).

On SQLite the built database is kept as a file under var/bench/, keyed by DATA_VERSION and the
migrations applied, and copied into the in-memory test database on the next run (a few
seconds instead of a minute): see `restored_or_built`.
"""

from __future__ import annotations

import hashlib
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction

from accounts.models import Agreement, Organisation, Site, User
from licensing.models import Entitlement, Product
from support.models import Ticket, TicketComment
from support.models.tickets import Severity, TicketStatus
from support.sla import SupportCalendar, targets
from tests.accounts.factories import UserFactory, with_totp

# Change it whenever the shape of the data below changes: a cached database is then rebuilt.
DATA_VERSION = "tickets-v1"
BIG_SITES, BIG_TICKETS = 500, 100_000
SMALL_SITES, SMALL_TICKETS = 50, 10_000
COMMENTS_PER_TICKET = 2
PRODUCTS = 12
LINES_PER_SITE = 4
BATCH = 5_000
FIRST_OPENED = datetime(2024, 6, 3, 8, 0, tzinfo=UTC)
ZONES = (("PL", "Europe/Warsaw"), ("GB", "Europe/London"), ("TW", "Asia/Taipei"))
# Mixed statuses, in this order round the tickets: four of six are open.
STATUSES = (
    TicketStatus.NEW,
    TicketStatus.ACKNOWLEDGED,
    TicketStatus.IN_PROGRESS,
    TicketStatus.WAITING,
    TicketStatus.RESOLVED,
    TicketStatus.CLOSED,
)
SEVERITIES = (
    Severity.CRITICAL,
    Severity.SIGNIFICANT,
    Severity.SOME,
    Severity.SOME,
    Severity.MINIMAL,
)
CACHE_DIR = Path(settings.BASE_DIR) / "var" / "bench"
RESELLER_EMAIL = "bigreseller@bench.test"
SMALL_RESELLER_EMAIL = "smallreseller@bench.test"
STAFF_EMAIL = "engineer@bench.test"


@dataclass
class TicketWorld:
    reseller: User
    small_reseller: User
    staff: User
    big_reseller_id: int
    built_in: float
    restored: bool


def _products() -> list[Product]:
    return Product.objects.bulk_create(
        Product(
            part_number=f"SUP-BENCH-{n:03d}",
            name=f"Bench product {n}",
            family=f"Family {n % 4}",
            kind=Product.Kind.SOFTWARE,
            list_price=Decimal(1000),
            annual_ss_price=Decimal(200),
            reinstatement_price=Decimal(600),
        )
        for n in range(PRODUCTS)
    )


def _reseller(name: str, *, sites: int, tickets: int, first_number: int, products, staff):
    reseller = Organisation.objects.create(name=name, kind=Organisation.Kind.RESELLER)
    customers = Organisation.objects.bulk_create(
        Organisation(name=f"{name} client {n:03d}", kind=Organisation.Kind.CUSTOMER)
        for n in range(sites // 5)
    )
    agreements = Agreement.objects.bulk_create(
        Agreement(
            customer=customer,
            programme=Agreement.Programme.PA,
            number=f"{name[:3].upper()}-T{n:05d}",
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
            country=ZONES[n % len(ZONES)][0],
            time_zone=ZONES[n % len(ZONES)][1],
            customer=agreements[n // 5].customer,
            agreement=agreements[n // 5],
            reseller=reseller,
        )
        for n in range(sites)
    )
    lines = Entitlement.objects.bulk_create(
        Entitlement(
            site=site,
            product=products[(s + k) % PRODUCTS],
            quantity=5,
            poe_number=f"POE-T{first_number // 100000}{s:05d}{k}",
            purchased_on=date(2024, 1, 1),
            coverage_start=date(2024, 1, 1),
            coverage_end=date(2027, 12, 31),
        )
        for s, site in enumerate(site_rows)
        for k in range(LINES_PER_SITE)
    )
    calendars = {zone: SupportCalendar(time_zone=zone) for _country, zone in ZONES}
    prefix = first_number // 1000000
    # Spread over about two years, newest last; every few minutes a ticket somewhere.
    spacing = timedelta(minutes=max(1, 1_000_000 // tickets))
    batch: list[Ticket] = []
    for n in range(tickets):
        site = site_rows[n % sites]
        line = lines[(n % sites) * LINES_PER_SITE + n % LINES_PER_SITE]
        opened = FIRST_OPENED + spacing * n
        severity = SEVERITIES[n % len(SEVERITIES)]
        status = STATUSES[(n // 7) % len(STATUSES)]
        found = targets(opened_at=opened, severity=severity, calendar=calendars[site.time_zone])
        answered = None if status == TicketStatus.NEW else opened + timedelta(minutes=40)
        batch.append(
            Ticket(
                number=f"T-{prefix}{n:07X}",
                site=site,
                entitlement=line,
                product_id=line.product_id,
                severity=severity,
                title=f"Licence server {n} does not start after the update",
                description="Since this morning the service stops at start-up.",
                contact_name="Ola Kowalska",
                contact_email=f"caller{n % 97}@client.test",
                contact_phone="+48 22 555 01 00",
                status=status,
                opened_at=opened,
                response_due_at=found.due_at,
                at_risk_at=found.at_risk_at,
                first_response_at=answered,
                first_response_by=staff if answered else None,
                assignee=staff if n % 3 else None,
                escalated_at=opened + timedelta(hours=1) if n % 50 == 0 else None,
                resolved_at=(
                    opened + timedelta(days=1)
                    if status in {TicketStatus.RESOLVED, TicketStatus.CLOSED}
                    else None
                ),
                closed_at=opened + timedelta(days=8) if status == TicketStatus.CLOSED else None,
            )
        )
        if len(batch) == BATCH:
            _tickets_with_comments(batch, staff)
            batch = []
    _tickets_with_comments(batch, staff)
    return reseller


def _tickets_with_comments(batch: list[Ticket], staff: User) -> None:
    if not batch:
        return
    Ticket.objects.bulk_create(batch)  # primary keys come back on SQLite and PostgreSQL
    TicketComment.objects.bulk_create(
        TicketComment(
            ticket_id=ticket.pk,
            author=staff if k == 0 else None,
            author_name="Support" if k == 0 else ticket.contact_name,
            is_internal=False,
            is_from_support=k == 0,
            body="We are looking into it; please send the licence server's log file."
            if k == 0
            else "Attached: the log from this morning.",
            created_at=ticket.opened_at + timedelta(minutes=40 + 120 * k),
        )
        for ticket in batch
        for k in range(COMMENTS_PER_TICKET)
    )


def build() -> dict[str, int]:
    """Writes the world into the current database (inside the caller's transaction)."""
    staff = with_totp(UserFactory(email=STAFF_EMAIL, is_staff=True))
    products = _products()
    big = _reseller(
        "Bigticketreseller",
        sites=BIG_SITES,
        tickets=BIG_TICKETS,
        first_number=8000000,
        products=products,
        staff=staff,
    )
    _reseller(
        "Smallticketreseller",
        sites=SMALL_SITES,
        tickets=SMALL_TICKETS,
        first_number=9000000,
        products=products,
        staff=staff,
    )
    with_totp(UserFactory(email=RESELLER_EMAIL, reseller=big))
    with_totp(
        UserFactory(
            email=SMALL_RESELLER_EMAIL,
            reseller=Organisation.objects.get(name="Smallticketreseller"),
        )
    )
    return {"big_reseller_id": big.pk}


def _world(built_in: float, *, restored: bool) -> TicketWorld:
    users = {user.email: user for user in User.objects.filter(email__endswith="@bench.test")}
    return TicketWorld(
        reseller=users[RESELLER_EMAIL],
        small_reseller=users[SMALL_RESELLER_EMAIL],
        staff=users[STAFF_EMAIL],
        big_reseller_id=users[RESELLER_EMAIL].reseller_id,
        built_in=built_in,
        restored=restored,
    )


def cache_path() -> Path:
    """var/bench/support-tickets-<version>-<migrations>.sqlite3: a new schema, a new file."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        applied = "\n".join(f"{app}.{name}" for app, name in cursor.fetchall())
    digest = hashlib.sha256(applied.encode()).hexdigest()[:12]
    return CACHE_DIR / f"support-{DATA_VERSION}-{digest}.sqlite3"


@contextmanager
def restored_or_built() -> Iterator[TicketWorld]:
    """The world in the test database for the duration of the block, then the database as it
    was. SQLite: copied in from the cached file (built and saved first if missing), and the
    empty test database copied back afterwards. PostgreSQL: built inside a transaction that
    is rolled back (no cache)."""
    started = time.perf_counter()
    if connection.vendor != "sqlite":
        with transaction.atomic():
            build()
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            yield _world(time.perf_counter() - started, restored=False)
            transaction.set_rollback(True)
        return
    connection.ensure_connection()
    live = connection.connection
    pristine = sqlite3.connect(":memory:")
    live.backup(pristine)
    path = cache_path()
    restored = path.exists()
    try:
        if restored:
            with closing(sqlite3.connect(path)) as cached:
                cached.backup(live)
        else:
            with transaction.atomic():
                build()
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            CACHE_DIR.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(".partial")
            partial.unlink(missing_ok=True)
            with closing(sqlite3.connect(partial)) as saved:
                live.backup(saved)
            partial.rename(path)
            for stale in CACHE_DIR.glob("support-*.sqlite3"):  # older data or schema
                if stale != path:
                    stale.unlink()
        yield _world(time.perf_counter() - started, restored=restored)
    finally:
        pristine.backup(live)
        pristine.close()
