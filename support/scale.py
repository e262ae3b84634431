"""Scale data for `manage.py demo_data --scale small|large` (issue #10 item 2): thousands of
customers and sites, hundreds of thousands of entitlements, a year of tickets, quotes and
e-mails, written ON TOP of the normal demo so the demo users sign in to big estates.

Here, in the highest app, because the rows span every app (accounts, licensing, renewals,
support, the outbox); layers let support import them all.

How it stays fast (minutes for the large size): every table is written with bulk_create in
batches, the relations are precomputed in memory (ids come back from bulk_create on SQLite and
PostgreSQL), and no query is issued per row: the number of queries is a constant plus one
INSERT per batch (tests/support/test_scale_data.py). Rows bypass the services on purpose —
500,000 order_place calls would take hours — so the values the services would compute are
computed here the same way: coverage periods one year each (portal.core.dates), the S4
instants from support.sla.targets with each site's time zone and its country's holidays, the
series keys of renewals.notices, the outbox keys of renewals.emails and support.emails.

Reruns: the whole build is one transaction, so it is all there or not at all. A second run of
the same size finds its sites and does nothing; a different size is refused (start from an
empty database). The random choices come from a seeded generator, so two builds on the same
day give the same data.
"""

from __future__ import annotations

import random
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from decimal import Decimal
from typing import TextIO

from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max
from django.utils.html import escape

from accounts.models import Agreement, Contact, Organisation, Site, User
from licensing.models import CoveragePeriod, Edition, Entitlement, Order, OrderLine, Product
from licensing.models import Version as ProductVersion
from portal.core.dates import one_year_of_cover
from portal.core.models import OutgoingEmail
from renewals.models import Quote, QuoteLine
from renewals.notices import anniversary_series, monthly_series
from renewals.pricing import NOTICE_LEAD_DAYS, anniversary_in
from support.holidays import holidays_seed
from support.models import Holiday, Ticket, TicketComment, TicketEvent
from support.models.tickets import Severity, TicketStatus
from support.sla import SupportCalendar, targets

BATCH = 5_000
FIRST_SITE_NUMBER = 5_000_000  # scale sites are 5000000–5999999 (the demo's are 1000001…)
SEED = 20261201
NORTHWIND = "Northwind Partners"  # the demo reseller (accounts.demo)
STAFF = "staff@demo.entitle.test"
# The demo customer users who are given the "demo estate": many sites of one scale customer.
ESTATE_USERS = {
    "primary@demo.entitle.test": {
        "is_primary": True,
        "is_renewal_contact": True,
        "is_poe_contact": True,
    },
    "admin@demo.entitle.test": {"is_site_admin": True, "is_billing_contact": True},
    "stc@demo.entitle.test": {"stc_role": Contact.STCRole.PRIMARY},
    "caller@demo.entitle.test": {"is_authorized_caller": True},
}
PLACES = (  # country, time zone, language, cities: the demo's holiday countries (support.demo)
    ("PL", "Europe/Warsaw", "pl", ("Warszawa", "Kraków", "Wrocław", "Poznań", "Gdańsk", "Łódź")),
    ("GB", "Europe/London", "en", ("London", "Manchester", "Leeds", "Bristol")),
    ("DE", "Europe/Berlin", "en", ("Berlin", "Hamburg", "München", "Köln")),
    ("TW", "Asia/Taipei", "zh-hant", ("Taipei", "Taichung", "Kaohsiung")),
)
CUSTOMER_WORDS = (
    "Acme", "Baltic", "Cedar", "Delta", "Ember", "Fjord", "Granite", "Harbor", "Iris", "Jade",
    "Kestrel", "Lumen", "Meridian", "Nova", "Orchid", "Pioneer", "Quartz", "Rivera", "Summit",
    "Tundra", "Umbra", "Vistula", "Willow", "Xenon", "Yellowpine", "Zenith",
)  # fmt: skip
CUSTOMER_KINDS = ("Manufacturing", "Logistics", "Health", "Foods", "Energy", "Design", "Bank")
# Scale products on top of the demo catalogue: (part, name, family, kind, list, annual S&S).
SCALE_CATALOGUE = (
    ("SCL-ORB-100", "Orbit Monitoring Server", "Orbit Monitoring", "software", 6400, 1280),
    ("SCL-ORB-AGT", "Orbit Monitoring Agent (per host)", "Orbit Monitoring", "software", 90, 18),
    ("SCL-PLM-200", "Plume Document Management", "Plume Documents", "software", 3200, 640),
    ("SCL-PLM-WEB", "Plume Web Publisher", "Plume Documents", "software", 1400, 280),
    ("SCL-RDR-300", "Radar Network Analyzer", "Radar Network", "software", 5200, 1040),
    ("SCL-RDR-SUB", "Radar Threat Feed (annual)", "Radar Network", "subscription", 1800, 0),
    ("SCL-VLT-400", "Vault Key Manager", "Vault Security", "software", 9800, 1960),
    ("SCL-VLT-HSM", "Vault Hardware Security Module", "Vault Security", "hardware", 24000, 3600),
    ("SCL-CMP-500", "Compass CAD Workstation", "Compass CAD", "software", 4200, 840),
    ("SCL-CMP-VWR", "Compass CAD Viewer", "Compass CAD", "software", 300, 60),
    ("SCL-GRD-600", "Guardian Endpoint Suite (per seat)", "Guardian Endpoint", "software", 60, 12),
    ("SCL-GRD-APP", "Guardian Mail Gateway Appliance", "Guardian Endpoint", "hardware", 7600, 1140),
)  # fmt: skip
SEVERITY_WEIGHTS = ((Severity.CRITICAL, 5), (Severity.SIGNIFICANT, 20), (Severity.SOME, 45),
                    (Severity.MINIMAL, 30))  # fmt: skip
TICKET_TITLES = (
    "Licence server does not start after the update",
    "Activation fails with error 0x80072EE7",
    "Slow queries since the upgrade",
    "Question about moving licences to a new machine",
    "Appliance reboots in a loop",
    "Which version do we need for the new operating system?",
    "Backup job stops at 95 %",
    "Cannot download the latest release",
)
SUPPORT_ANSWER = "Thank you. We are looking into it; please send the log of the last hour."
CUSTOMER_REPLY = "Attached: the log from this morning."


@dataclass(frozen=True)
class ScaleSize:
    """How much to build. `estate_sites` are the sites of the demo customer users (see
    ESTATE_USERS); the demo reseller (Northwind) manages one customer in five and the estate."""

    name: str
    customers: int
    sites: int
    resellers: int
    entitlements: int
    tickets: int
    estate_sites: int

    def __post_init__(self):
        if self.sites < self.customers or self.customers < 5 or self.resellers < 1:
            raise ValueError("a scale needs at least 5 customers, as many sites, a reseller")
        if self.estate_sites > self.sites - self.customers + 1:
            raise ValueError("the demo estate takes more sites than there are to spare")


SIZES = {
    "large": ScaleSize("large", 2_000, 5_000, 200, 500_000, 100_000, estate_sites=250),
    "small": ScaleSize("small", 40, 100, 4, 10_000, 2_000, estate_sites=10),
}


@dataclass
class ScaleResult:
    size: ScaleSize
    created: bool  # False: this size was loaded before, nothing was written
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


class ScaleDataExistsError(Exception):
    """Scale data of another size is in the database (refused: start from an empty one)."""


# --- progress ---------------------------------------------------------------------------------


class Progress:
    """One line per stage with its row count and elapsed time; on a terminal, a bar redrawn in
    place while the stage runs. No dependency: it writes to the command's stdout."""

    WIDTH = 30

    def __init__(self, out: TextIO | None = None, *, stages: int, quiet: bool = False):
        self.out = out or sys.stdout
        self.tty = bool(getattr(self.out, "isatty", lambda: False)())
        self.stages, self.stage_no, self.quiet = stages, 0, quiet
        self.started = self.stage_started = time.perf_counter()
        self.name, self.total, self.done = "", 0, 0

    def begin(self, name: str, total: int) -> None:
        self.stage_no += 1
        self.name, self.total, self.done = name, total, 0
        self.stage_started = time.perf_counter()
        self._draw()

    def advance(self, rows: int) -> None:
        self.done += rows
        self._draw()

    def end(self, rows: int | None = None) -> int:
        rows = self.done if rows is None else rows
        if not self.quiet:
            elapsed = time.perf_counter() - self.stage_started
            prefix = "\r\x1b[2K" if self.tty else ""
            self.out.write(
                f"{prefix}[{self.stage_no}/{self.stages}] {self.name:<28} {rows:>9,} rows"
                f" {elapsed:7.1f} s  (total {time.perf_counter() - self.started:.1f} s)\n"
            )
            self.out.flush()
        return rows

    def _draw(self) -> None:
        if self.quiet or not self.tty or not self.total:
            return
        share = min(1.0, self.done / self.total)
        filled = int(share * self.WIDTH)
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        self.out.write(
            f"\r\x1b[2K[{self.stage_no}/{self.stages}] {self.name:<28} [{bar}] {share:4.0%}"
            f" {self.done:,}/{self.total:,}"
        )
        self.out.flush()


def _batches(rows, size: int = BATCH):
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


class _Table:
    """Rows of one model written with one executemany per batch (one prepared INSERT run for
    each row by the driver), with ids given here: later rows point at earlier ones without
    reading anything back, and no model instance is made per row (the ORM's bulk_create spends
    most of its time compiling each value: several times slower at this size). Every concrete
    column is written: a value not given takes the field's default (auto_now fields: the
    build's moment), prepared for the database once."""

    def __init__(self, model, *, now: datetime):
        self.model = model
        meta = model._meta
        fields = [f for f in meta.concrete_fields if not f.primary_key]
        self.names = [f.attname for f in fields]
        ops = connection.ops
        self.defaults = []
        self.prepare = {}  # attname -> the function giving the database's form of a value
        for f in fields:
            if f.get_internal_type() == "DateTimeField":
                self.prepare[f.attname] = _datetime_adapter()
            elif f.get_internal_type() == "JSONField":
                self.prepare[f.attname] = lambda value, f=f: f.get_db_prep_save(value, connection)
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                default = now
            else:  # the declared default, "" for text, else None (NOT NULL then refuses)
                default = f.get_default()
            if default is not None and f.attname in self.prepare:
                default = self.prepare[f.attname](default)
            self.defaults.append((f.attname, default))
        columns = ", ".join(
            ops.quote_name(c) for c in [meta.pk.column, *(f.column for f in fields)]
        )
        marks = ", ".join(["%s"] * (len(fields) + 1))
        # Names from the model's metadata, quoted; the values are parameters.
        table = ops.quote_name(meta.db_table)
        self.sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608  # nosec B608
        self.next_id = (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
        self.rows: list[tuple] = []
        self.written = 0

    def add(self, **values) -> int:
        row_id = self.next_id
        self.next_id += 1
        for name, prepare in self.prepare.items():
            value = values.get(name)
            if value is not None:
                values[name] = prepare(value)
        self.rows.append((row_id, *[values.get(name, d) for name, d in self.defaults]))
        if len(self.rows) >= BATCH:
            self.flush()
        return row_id

    def flush(self) -> None:
        if self.rows:
            with connection.cursor() as cursor:
                cursor.executemany(self.sql, self.rows)
            self.written += len(self.rows)
            self.rows = []


# --- the build --------------------------------------------------------------------------------


def scale_sites():
    return Site.objects.filter(
        number__gte=f"{FIRST_SITE_NUMBER:07d}", number__lte=f"{FIRST_SITE_NUMBER + 999_999:07d}"
    )


def scale_data_load(
    *, size: ScaleSize, now: datetime, out: TextIO | None = None, quiet: bool = False
) -> ScaleResult:
    """Write the scale data of `size` on top of the demo (accounts/licensing/support demos
    loaded first). One transaction; the same size twice is a no-op; another size raises
    ScaleDataExistsError."""
    existing = scale_sites().count()
    if existing == size.sites:
        return ScaleResult(size=size, created=False, counts={"sites": existing})
    if existing:
        raise ScaleDataExistsError(
            f"{existing:,} scale sites (numbers from {FIRST_SITE_NUMBER}) are already in the"
            f" database, not the {size.sites:,} of --scale {size.name}: scale data is not"
            " resized in place. Start from an empty database (remove the SQLite file or drop"
            " the PostgreSQL database), then run demo_data --scale again."
        )
    progress = Progress(out, stages=9, quiet=quiet)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:  # 256 MB of page cache for the index updates
            cursor.execute("PRAGMA cache_size = -262144")
    with transaction.atomic():
        builder = _Builder(size=size, now=now, progress=progress)
        counts = builder.build()
        builder.sequences_reset()
    progress.begin("analyze (planner statistics)", 0)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    progress.end(0)
    return ScaleResult(
        size=size, created=True, counts=counts, seconds=time.perf_counter() - progress.started
    )


@dataclass(slots=True)  # 500,000 of them: no per-instance dict
class _Line:
    """What later stages need of an entitlement, without keeping 500,000 model objects."""

    pk: int
    site: int  # index into the builder's sites
    product: int
    edition: int | None
    version: int | None
    quantity: int
    start: date
    end: date
    renewals: list[tuple[date, date]]  # the renewal periods (from, to), oldest first


class _Builder:
    def __init__(self, *, size: ScaleSize, now: datetime, progress: Progress):
        self.size, self.now, self.progress = size, now, progress
        self.today = now.astimezone(UTC).date()
        self.rng = random.Random(SEED)  # noqa: S311  # nosec B311 (demo data, reproducible on purpose)
        self.counts: dict[str, int] = {}
        self.written_models: set = set()

    def build(self) -> dict[str, int]:
        self._lookups()
        self._organisations()
        self._sites()
        self._contacts()
        self._catalogue()
        self._entitlements()
        self._quotes()
        self._tickets()
        return self.counts

    # --- what the demo already holds --------------------------------------------------------

    def _lookups(self) -> None:
        self.northwind = Organisation.objects.get(name=NORTHWIND, kind=Organisation.Kind.RESELLER)
        users = {u.email: u for u in User.objects.filter(email__in=[*ESTATE_USERS, STAFF])}
        self.staff = users[STAFF]
        self.estate_users = [users[email] for email in ESTATE_USERS]
        # S4: the calendars span the year of tickets, so last year's holidays are needed too.
        years = [self.today.year - 1, self.today.year, self.today.year + 1]
        for country, *_rest in PLACES:
            holidays_seed(country=country, years=years)
        by_country: dict[str, set[date]] = defaultdict(set)
        for country, day in Holiday.objects.filter(
            country__in=[place[0] for place in PLACES], day__gte=date(years[0], 1, 1)
        ).values_list("country", "day"):
            by_country[str(country)].add(day)
        self.calendars = {
            zone: SupportCalendar(time_zone=zone, holidays=frozenset(by_country[country]))
            for country, zone, *_rest in PLACES
        }

    # --- organisations, agreements, sites, contacts -----------------------------------------

    def _organisations(self) -> None:
        size, rng = self.size, self.rng
        self.progress.begin("resellers and customers", size.resellers + size.customers)
        self.resellers = Organisation.objects.bulk_create(
            Organisation(
                name=f"{CUSTOMER_WORDS[n % 26]} Channel Partners {n + 1:03d}",
                kind=Organisation.Kind.RESELLER,
                is_certified_service_partner=n % 4 == 0,
                brand_name=f"{CUSTOMER_WORDS[n % 26]} Care" if n % 4 == 0 else "",
            )
            for n in range(size.resellers)
        )
        self.progress.advance(size.resellers)
        # Customer 0 is the demo estate (a PA enterprise); then PA, PAE and VIP customers.
        programmes = [Agreement.Programme.PA]
        for n in range(1, size.customers):
            slot = n % 10
            programmes.append(
                Agreement.Programme.PAE
                if slot in (6, 7)
                else Agreement.Programme.VIP
                if slot == 9
                else Agreement.Programme.PA
            )
        self.programmes = programmes
        customers = []
        for n in range(size.customers):
            word = CUSTOMER_WORDS[n % 26]
            kind = CUSTOMER_KINDS[(n // 26) % len(CUSTOMER_KINDS)]
            name = "Kowalski Holding (demo estate)" if n == 0 else f"{word} {kind} {n:04d}"
            customers.append(Organisation(name=name, kind=Organisation.Kind.CUSTOMER))
        self.customers = Organisation.objects.bulk_create(customers, batch_size=BATCH)
        self.agreements = []
        for batch in _batches(
            Agreement(
                customer=customer,
                programme=programmes[n],
                number=f"S{FIRST_SITE_NUMBER // 100_000}{n:06d}",
                anniversary_month=1 + rng.randrange(12),
            )
            for n, customer in enumerate(self.customers)
        ):
            self.agreements.extend(Agreement.objects.bulk_create(batch))
        # The account manager per customer: Northwind one in five and the estate, direct one
        # in ten, else one of the scale resellers.
        self.customer_reseller: list[int | None] = []
        for n in range(size.customers):
            if n == 0 or n % 5 == 0:
                self.customer_reseller.append(self.northwind.pk)
            elif n % 10 == 1:
                self.customer_reseller.append(None)
            else:
                self.customer_reseller.append(self.resellers[n % size.resellers].pk)
        self.counts["resellers"] = len(self.resellers)
        self.counts["customers"] = len(self.customers)
        self.progress.end(len(self.resellers) + len(self.customers))

    def _site_owners(self) -> list[int]:
        """The customer index of each site: the estate first, one site per PAE customer, the
        rest spread over the PA and VIP customers (a few get many, most a handful)."""
        size, rng = self.size, self.rng
        owners = [0] * size.estate_sites
        multi = [n for n in range(1, size.customers) if self.programmes[n] != "PAE"]
        owners.extend(range(1, size.customers))  # every customer has a site
        spare = size.sites - len(owners)
        # Weighted: low indices of `multi` are the big enterprises.
        weights = [1.0 / (1 + rank) ** 0.7 for rank in range(len(multi))]
        owners.extend(rng.choices(multi, weights=weights, k=spare))
        return sorted(owners)

    def _sites(self) -> None:
        size, rng = self.size, self.rng
        self.progress.begin("sites", size.sites)
        owners = self._site_owners()
        enrolled = self.now - timedelta(days=400)
        self.site_customer = owners
        self.site_place: list[int] = []
        self.sites: list[Site] = []
        rows = []
        for n, owner in enumerate(owners):
            place = 0 if owner == 0 else (owner + n) % len(PLACES)
            country, zone, language, cities = PLACES[place]
            city = cities[rng.randrange(len(cities))]
            self.site_place.append(place)
            rows.append(
                Site(
                    number=f"{FIRST_SITE_NUMBER + n:07d}",
                    name=f"{self.customers[owner].name} – {city} {n % 97 + 1}",
                    address_line1=f"{rng.randrange(1, 200)} Industrial Road",
                    city=city,
                    postcode=f"{rng.randrange(10, 99)}-{rng.randrange(100, 999)}",
                    country=country,
                    time_zone=zone,
                    language=language,
                    customer=self.customers[owner],
                    agreement=self.agreements[owner],
                    reseller_id=self.customer_reseller[owner],
                    enrolled_at=None if n % 50 == 49 else enrolled,
                )
            )
        for batch in _batches(rows):
            self.sites.extend(Site.objects.bulk_create(batch))
            self.progress.advance(len(batch))
        self.counts["sites"] = self.progress.end(len(self.sites))

    def _contacts(self) -> None:
        size = self.size
        self.progress.begin("contacts", size.sites * 2 + size.estate_sites * len(ESTATE_USERS))
        rows = []
        for n, site in enumerate(self.sites):
            domain = f"customer{self.site_customer[n]:04d}.example"
            if n < size.estate_sites:
                for user, roles in zip(self.estate_users, ESTATE_USERS.values(), strict=True):
                    rows.append(
                        Contact(
                            site=site,
                            name=user.get_full_name(),
                            email=user.email,
                            user=user,
                            language=site.language,
                            site_number_confirmed_at=self.now,
                            **roles,
                        )
                    )
            else:
                rows.append(
                    Contact(
                        site=site,
                        name=f"Primary contact {site.number}",
                        email=f"primary.{site.number}@{domain}",
                        language=site.language,
                        is_primary=True,
                        is_renewal_contact=True,
                        is_poe_contact=True,
                    )
                )
                rows.append(
                    Contact(
                        site=site,
                        name=f"Technical contact {site.number}",
                        email=f"stc.{site.number}@{domain}",
                        language=site.language,
                        stc_role=Contact.STCRole.PRIMARY,
                    )
                )
        contacts = []
        for batch in _batches(rows):
            contacts.extend(Contact.objects.bulk_create(batch))
            self.progress.advance(len(batch))
        # Per site: the primary contact (quotes, tickets) and the technical contact.
        self.site_contacts: dict[int, list[Contact]] = defaultdict(list)
        for contact in contacts:
            self.site_contacts[contact.site_id].append(contact)
        self.counts["contacts"] = self.progress.end(len(contacts))

    # --- catalogue, orders, entitlements ------------------------------------------------------

    def _catalogue(self) -> None:
        self.progress.begin("scale catalogue", len(SCALE_CATALOGUE))
        new = Product.objects.bulk_create(
            Product(
                part_number=part,
                name=name,
                family=family,
                kind=kind,
                delivery=Product.Delivery.ONLINE
                if kind != "hardware"
                else Product.Delivery.OFFLINE,
                list_price=Decimal(price),
                annual_ss_price=Decimal(ss),
                reinstatement_price=Decimal(price) * Decimal("0.6"),
                points_per_unit=max(1, price // 100),
            )
            for part, name, family, kind, price, ss in SCALE_CATALOGUE
        )
        ProductVersion.objects.bulk_create(
            ProductVersion(
                product=product,
                version=version,
                release_date=released,
                eos_date=eos,
                upgrade_price=product.list_price / 4,
            )
            for product in new
            for version, released, eos in (
                ("7.0", self.today - timedelta(days=1800), self.today - timedelta(days=90)),
                ("8.0", self.today - timedelta(days=700), self.today + timedelta(days=1100)),
            )
        )
        Edition.objects.bulk_create(
            Edition(product=product, name=name, rank=rank, price=product.list_price * factor)
            for product in new[::3]
            for name, rank, factor in (("Standard", 1, 1), ("Enterprise", 2, Decimal("1.5")))
        )
        # Every product that creates an entitlement: the demo catalogue and these.
        self.products = list(
            Product.objects.exclude(kind=Product.Kind.CONSUMABLE).order_by("part_number")
        )
        self.editions: dict[int, list[Edition]] = defaultdict(list)
        for edition in Edition.objects.filter(product__in=self.products).order_by("rank"):
            self.editions[edition.product_id].append(edition)
        self.versions: dict[int, list[ProductVersion]] = defaultdict(list)
        for version in ProductVersion.objects.filter(product__in=self.products).order_by(
            "release_date"
        ):
            self.versions[version.product_id].append(version)
        self.product_by_pk = {product.pk: product for product in self.products}
        self.progress.end(len(new))

    def _periods(self, purchased: date, *, lapses: bool) -> tuple[date, list[tuple[date, date]]]:
        """L3: one year of cover from the purchase, renewed a year at a time until it covers
        today; a lapsing line stopped renewing at some point in the past."""
        end = one_year_of_cover(purchased)
        renewals: list[tuple[date, date]] = []
        stop = self.today - timedelta(days=self.rng.randrange(1, 700)) if lapses else None
        while end < self.today:
            start = end + timedelta(days=1)
            if stop is not None and start > stop:
                break
            end = one_year_of_cover(start)
            renewals.append((start, end))
        return end, renewals

    def _table(self, model) -> _Table:
        self.written_models.add(model)
        return _Table(model, now=self.now)

    def sequences_reset(self) -> None:
        """The ids were given here: PostgreSQL's sequences must move past them (SQLite's
        AUTOINCREMENT follows the largest id by itself)."""
        statements = connection.ops.sequence_reset_sql(no_style(), list(self.written_models))
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)

    def _entitlements(self) -> None:
        size, rng = self.size, self.rng
        self.progress.begin("orders and entitlements", size.entitlements)
        per_site, extra = divmod(size.entitlements, size.sites)
        self.lines: list[_Line] = []
        products = self.products
        # Hardware is bought less often than software and subscriptions.
        weights = [1 if p.kind == Product.Kind.HARDWARE else 3 for p in products]
        orders, order_lines = self._table(Order), self._table(OrderLine)
        entitlements, periods = self._table(Entitlement), self._table(CoveragePeriod)
        reported = 0
        for n, site in enumerate(self.sites):
            remaining = per_site + (1 if n < extra else 0)
            while remaining:
                order_size = min(remaining, rng.randint(1, 8))
                remaining -= order_size
                purchased = self.today - timedelta(days=rng.randint(10, 1000))
                order_id = orders.add(
                    number=f"SO-{site.number}-{orders.next_id:07d}",
                    site_id=site.pk,
                    ordered_on=purchased,
                    reseller_id=site.reseller_id,
                    source=Order.Source.PORTAL if site.reseller_id else Order.Source.ADMIN,
                )
                for product in rng.choices(products, weights=weights, k=order_size):
                    quantity = (
                        rng.randint(1, 3)
                        if product.kind == Product.Kind.HARDWARE
                        else rng.choice((1, 2, 5, 10, 25, 50, 100))
                    )
                    editions = self.editions.get(product.pk)
                    edition = editions[rng.randrange(len(editions))] if editions else None
                    version = None
                    for candidate in self.versions.get(product.pk, ()):
                        if candidate.release_date <= purchased:
                            version = candidate  # the newest released by the purchase
                    end, renewals = self._periods(purchased, lapses=rng.random() < 0.12)
                    line_id = order_lines.add(
                        order_id=order_id,
                        product_id=product.pk,
                        edition_id=edition.pk if edition else None,
                        version_id=version.pk if version else None,
                        quantity=quantity,
                        unit_price=edition.price if edition else product.list_price,
                    )
                    entitlement_id = entitlements.add(
                        site_id=site.pk,
                        product_id=product.pk,
                        edition_id=edition.pk if edition else None,
                        version_id=version.pk if version else None,
                        quantity=quantity,
                        order_line_id=line_id,
                        poe_number=f"POE-S{entitlements.next_id:09d}",
                        purchased_on=purchased,
                        coverage_start=purchased,
                        coverage_end=end,
                    )
                    first_end = renewals[0][0] - timedelta(days=1) if renewals else end
                    periods.add(
                        entitlement_id=entitlement_id,
                        starts_on=purchased,
                        ends_on=first_end,
                        kind=CoveragePeriod.Kind.PURCHASE,
                    )
                    for renewal_start, renewal_end in renewals:
                        periods.add(
                            entitlement_id=entitlement_id,
                            starts_on=renewal_start,
                            ends_on=renewal_end,
                            kind=CoveragePeriod.Kind.RENEWAL,
                        )
                    self.lines.append(
                        _Line(
                            pk=entitlement_id,
                            site=n,
                            product=product.pk,
                            edition=edition.pk if edition else None,
                            version=version.pk if version else None,
                            quantity=quantity,
                            start=purchased,
                            end=end,
                            renewals=renewals,
                        )
                    )
            if len(self.lines) - reported >= BATCH:
                self.progress.advance(len(self.lines) - reported)
                reported = len(self.lines)
        # Django's foreign keys are deferred (checked at commit), so the order is free.
        for table in (orders, order_lines, entitlements, periods):
            table.flush()
        self.counts["orders"] = orders.written
        self.counts["entitlements"] = entitlements.written
        self.counts["coverage periods"] = periods.written
        self.progress.advance(len(self.lines) - reported)
        self.progress.end(len(self.lines))

    # --- a year of quotes and their e-mails --------------------------------------------------

    def _quote_key(self, line: _Line, old_end: date) -> tuple[str, int | None, dict]:
        """The series the renewals jobs would have issued the line's notice in (N1, N3): the
        agreement's anniversary quote for VIP or an end in the anniversary month, else the
        site's monthly notice for the month of the end."""
        site = self.sites[line.site]
        agreement = self.agreements[self.site_customer[line.site]]
        if agreement.programme == Agreement.Programme.VIP or (
            old_end.month == agreement.anniversary_month
        ):
            anniversary = anniversary_in(old_end.year, agreement.anniversary_month)
            return (
                anniversary_series(agreement.pk, site.reseller_id, anniversary),
                None,
                {"anniversary": anniversary.isoformat()},
            )
        month = old_end.replace(day=1)
        return monthly_series(site.pk, month), site.pk, {"month": f"{month:%Y-%m}"}

    def _quotes(self) -> None:
        """N1/N3: a renewal quote for every month of the past year in which coverage ended
        (accepted where the line was renewed, expired or declined where it lapsed) and the
        live ones for the coverage ending within the notice lead; one e-mail each, sent."""
        today = self.today
        year_ago = today - timedelta(days=365)
        # The notices the daily job would have sent by today (N1, N3: 90 days ahead, by the
        # month): all issued here, so its next run finds none of these due again.
        lead = today + timedelta(days=NOTICE_LEAD_DAYS)
        horizon = anniversary_in(lead.year, lead.month)
        groups: dict[str, dict] = {}

        def add(line: _Line, old_end: date, covers: tuple[date, date], renewed: bool | None):
            key, site_pk, subject = self._quote_key(line, old_end)
            group = groups.get(key)
            if group is None:
                group = groups[key] = {
                    "site_pk": site_pk,
                    "site_index": line.site,
                    "subject": subject,
                    "lines": [],
                }
            group["lines"].append((line, covers, renewed))

        self.progress.begin("quotes (grouping)", len(self.lines))
        for line in self.lines:
            for start, end in line.renewals:
                if year_ago < start <= today:  # renewed this past year: accepted
                    add(line, start - timedelta(days=1), (start, end), True)
            if year_ago <= line.end < today:  # lapsed this past year: never renewed
                follow = line.end + timedelta(days=1)
                add(line, line.end, (follow, one_year_of_cover(follow)), False)
            elif today <= line.end <= horizon:  # due now: the live notice
                follow = line.end + timedelta(days=1)
                add(line, line.end, (follow, one_year_of_cover(follow)), None)
        self.progress.end(len(groups))

        self.progress.begin("quotes, lines and e-mails", len(groups))
        quotes, quote_lines = self._table(Quote), self._table(QuoteLine)
        emails = self._table(OutgoingEmail)
        for key, group in groups.items():
            self._quote_add(key, group, (quotes, quote_lines, emails))
        for table in (quotes, quote_lines, emails):
            table.flush()
        self.emails = emails
        self.counts["quotes"] = quotes.written
        self.counts["quote lines"] = quote_lines.written
        self.counts["quote e-mails"] = emails.written
        self.progress.end(quotes.written)

    def _quote_add(self, key: str, group: dict, tables: tuple[_Table, ...]) -> None:
        """One quote of the series `key`, its lines and (unless a draft) its e-mail."""
        quotes, quote_lines, emails = tables
        rng, today = self.rng, self.today
        year_ago = today - timedelta(days=365)
        noon = clock_time(12)
        markup = Decimal("1.05")  # the resellers' price to their clients: 5 % above
        site = self.sites[group["site_index"]]
        first_end = min(line.end if renewed is None else covers[0] - timedelta(days=1)
                        for line, covers, renewed in group["lines"])  # fmt: skip
        issued = min(
            max(first_end - timedelta(days=NOTICE_LEAD_DAYS), year_ago - timedelta(days=60)),
            today,
        )
        renewed_any = any(renewed for _line, _covers, renewed in group["lines"])
        live = any(renewed is None for _line, _covers, renewed in group["lines"])
        if live:
            draft = site.reseller_id is not None and rng.random() < 0.3
            state = Quote.State.DRAFT if draft else Quote.State.OPEN
        elif renewed_any:
            state = Quote.State.ACCEPTED
        else:
            state = Quote.State.DECLINED if rng.random() < 0.25 else Quote.State.EXPIRED
        sent_at = datetime.combine(issued, noon, tzinfo=UTC)
        decided = min(sent_at + timedelta(days=rng.randint(3, 50)), self.now)
        priced = site.reseller_id is not None and state != Quote.State.DRAFT
        number = f"Q-{issued:%Y%m%d}-S{quotes.next_id:06d}"
        quote_id = quotes.next_id
        total = Decimal(0)
        for position, (line, covers, renewed) in enumerate(group["lines"]):
            product = self.product_by_pk[line.product]
            unit = product.annual_ss_price
            amount = unit * line.quantity
            # An accepted quote's lapsed lines were offered and not chosen.
            selected = renewed is not False or state != Quote.State.ACCEPTED
            if selected:
                total += amount
            quote_lines.add(
                quote_id=quote_id,
                position=position,
                site_id=self.sites[line.site].pk,
                entitlement_id=line.pk,
                product_id=line.product,
                edition_id=line.edition,
                version_id=line.version,
                action=QuoteLine.Action.EXTEND,
                description=f"Renew S&S: {product.name}",
                quantity=line.quantity,
                is_optional=not selected,
                is_selected=selected,
                covers_from=covers[0],
                covers_to=covers[1],
                months=12,
                base_price=unit,
                unit_price=unit,
                amount=amount,
                client_unit_price=unit * markup if priced else None,
                client_amount=amount * markup if priced else None,
            )
        quotes.add(
            number=number,
            kind=Quote.Kind.RENEWAL,
            notice=Quote.Notice.MONTHLY if group["site_pk"] else Quote.Notice.ANNIVERSARY,
            agreement_id=site.agreement_id,
            reseller_id=site.reseller_id,
            site_id=group["site_pk"],
            series_key=key,
            state=state,
            issued_on=issued,
            valid_until=first_end,
            renews_to=max(covers[1] for _line, covers, _renewed in group["lines"]),
            reseller_adjustment_percent=Decimal(5) if priced else None,
            vendor_total=total,
            sent_at=None if state == Quote.State.DRAFT else sent_at,
            decided_at=decided if state in (Quote.State.ACCEPTED, Quote.State.DECLINED) else None,
            decline_reason="Budget moved to next year." if state == Quote.State.DECLINED else "",
            subject=group["subject"],
        )
        if state != Quote.State.DRAFT:
            contact = self.site_contacts[site.pk][0]
            _sent_email(
                emails,
                key=f"quote:{number}:issued:{contact.email}",
                to=contact.email,
                template="renewals/quote_issued",
                language=contact.language,
                about={"quote": number},
                subject=f"Renewal quote {number} for site {site.number}",
                text=(
                    f"Dear {contact.name},\n\nyour renewal quote {number} for site"
                    f" {site.number} is ready: {len(group['lines'])} lines, valid until"
                    f" {first_end.isoformat()}.\n"
                ),
                sent_at=sent_at,
            )
        if quotes.next_id % 500 == 0:
            self.progress.advance(500)

    # --- a year of tickets ------------------------------------------------------------------

    def _ticket_status(self, age: timedelta) -> str:
        rng = self.rng
        if age < timedelta(days=2):
            options = ((TicketStatus.NEW, 35), (TicketStatus.ACKNOWLEDGED, 25),
                       (TicketStatus.IN_PROGRESS, 30), (TicketStatus.WAITING, 10))  # fmt: skip
        elif age < timedelta(days=30):
            options = ((TicketStatus.ACKNOWLEDGED, 10), (TicketStatus.IN_PROGRESS, 35),
                       (TicketStatus.WAITING, 25), (TicketStatus.RESOLVED, 30))  # fmt: skip
        else:
            options = ((TicketStatus.WAITING, 5), (TicketStatus.RESOLVED, 15),
                       (TicketStatus.CLOSED, 80))  # fmt: skip
        statuses, weights = zip(*options, strict=True)
        return rng.choices(statuses, weights=weights)[0]

    def _tickets(self) -> None:
        """S1/S4: tickets over the past year on products covered on the day they were
        opened, statuses by age, the S4 instants from the site's calendar (support.sla), the
        first response as a public comment, the history's first events, the e-mail to the
        contact; the SLA monitor's flags set where the instants have passed (so its first run
        does not notify a year of old tickets)."""
        size, rng, now = self.size, self.rng, self.now
        year_ago = now - timedelta(days=365)
        windows = []
        for line in self.lines:
            low = max(datetime.combine(line.start, clock_time(0), tzinfo=UTC), year_ago)
            high = min(datetime.combine(line.end, clock_time(23, 59), tzinfo=UTC), now)
            if low < high:
                windows.append((line, low, (high - low).total_seconds()))
        self.progress.begin("tickets, comments, events", size.tickets)
        tickets, comments = self._table(Ticket), self._table(TicketComment)
        events, emails = self._table(TicketEvent), self.emails
        emails_before = emails.written + len(emails.rows)
        for n in range(size.tickets):
            window = windows[rng.randrange(len(windows))]
            self._ticket_add(n, window, (tickets, comments, events, emails))
        for table in (tickets, comments, events, emails):
            table.flush()
        self.counts["tickets"] = tickets.written
        self.counts["ticket comments"] = comments.written
        self.counts["ticket events"] = events.written
        self.counts["ticket e-mails"] = emails.written - emails_before
        self.progress.end(tickets.written)

    def _ticket_add(self, n: int, window: tuple, tables: tuple[_Table, ...]) -> None:
        """Ticket `n` on the line of `window`, its first events, comments and e-mail."""
        tickets, comments, events, emails = tables
        size, rng, now = self.size, self.rng, self.now
        severities, severity_weights = zip(*SEVERITY_WEIGHTS, strict=True)
        opener = self.estate_users[3]  # the demo's authorized caller opens the estate's tickets
        staff_name = self.staff.get_full_name() or self.staff.email
        line, low, span = window
        opened = low + timedelta(seconds=rng.uniform(0, span))
        site = self.sites[line.site]
        severity = rng.choices(severities, weights=severity_weights)[0]
        found = targets(
            opened_at=opened, severity=severity, calendar=self.calendars[site.time_zone]
        )
        status = self._ticket_status(now - opened)
        answered = None
        if status != TicketStatus.NEW:
            answered = min(opened + timedelta(minutes=rng.randint(5, 240)), now)
        waiting_since = answered or now
        resolved = closed = None
        if status in (TicketStatus.RESOLVED, TicketStatus.CLOSED):
            resolved = min(waiting_since + timedelta(hours=rng.randint(2, 240)), now)
        if status == TicketStatus.CLOSED:
            closed = min(resolved + timedelta(days=7), now)
        contact = self.site_contacts[site.pk][0]
        escalated = min(opened + timedelta(days=1), now) if rng.random() < 0.03 else None
        # The estate's caller opened its tickets; elsewhere support took the call.
        opened_by = opener.pk if line.site < size.estate_sites else self.staff.pk
        number = f"T-S{n:07d}"
        title = TICKET_TITLES[rng.randrange(len(TICKET_TITLES))]
        ticket_id = tickets.add(
            number=number,
            site_id=site.pk,
            entitlement_id=line.pk,
            product_id=line.product,
            severity=severity,
            title=title,
            description="Since this morning the service stops at start-up.",
            contact_id=contact.pk,
            contact_name=contact.name,
            contact_email=contact.email,
            opened_by_id=opened_by,
            status=status,
            opened_at=opened,
            response_due_at=found.due_at,
            at_risk_at=found.at_risk_at,
            first_response_at=answered,
            first_response_by_id=self.staff.pk if answered else None,
            # The SLA monitor's "told once" flags, where its moment has passed.
            at_risk_notified_at=found.at_risk_at if found.at_risk_at < waiting_since else None,
            breached_at=found.due_at if found.due_at < waiting_since else None,
            assignee_id=self.staff.pk if answered else None,
            escalated_at=escalated,
            escalation_reason="We need an answer this week." if escalated else "",
            resolved_at=resolved,
            closed_at=closed,
            submission_key=None,
        )
        events.add(
            ticket_id=ticket_id,
            kind=TicketEvent.Kind.OPENED,
            happened_at=opened,
            actor_id=opened_by,
            description=f"Opened at {Severity(severity).label}",
        )
        _sent_email(
            emails,
            key=f"ticket:{number}:opened:{contact.email}",
            to=contact.email,
            template="support/ticket_opened",
            language=contact.language,
            about={"ticket": number},
            subject=f"Ticket {number} opened: {title}",
            text=f"Your ticket {number} is open: {title}.\n",
            sent_at=opened + timedelta(minutes=1),
        )
        if answered is not None:
            events.add(
                ticket_id=ticket_id,
                kind=TicketEvent.Kind.FIRST_RESPONSE,
                happened_at=answered,
                actor_id=self.staff.pk,
                description="First response from support: the response clock stopped",
            )
            comments.add(
                ticket_id=ticket_id,
                author_id=self.staff.pk,
                author_name=staff_name,
                is_from_support=True,
                body=SUPPORT_ANSWER,
                created_at=answered,
                submission_key=None,
            )
            if rng.random() < 0.5:
                comments.add(
                    ticket_id=ticket_id,
                    author_id=opened_by,
                    author_name=contact.name,
                    body=CUSTOMER_REPLY,
                    created_at=min(answered + timedelta(hours=2), now),
                    submission_key=None,
                )
        if n % 1000 == 999:
            self.progress.advance(1000)


def _datetime_adapter():
    """The database's form of an aware datetime: SQLite stores naive UTC text (what
    adapt_datetimefield_value returns, three times faster here), PostgreSQL takes it as is."""
    if connection.vendor == "sqlite" and connection.timezone == UTC:
        return lambda value: str(value.astimezone(UTC).replace(tzinfo=None))
    return connection.ops.adapt_datetimefield_value


def _sent_email(
    table: _Table,
    *,
    key: str,
    to: str,
    template: str,
    language: str,
    about: dict,
    subject: str,
    text: str,
    sent_at: datetime,
) -> int:
    """E1: an outbox row as the sender leaves it: sent once, at `sent_at` (and written then).
    The body is a short stand-in (rendering 200,000 templates would dominate the build); the
    key is the one the services use, so a job run afterwards sees the e-mail as sent and never
    sends it again."""
    return table.add(
        key=key,
        to=to,
        template=template,
        language=language,
        context=about,
        subject=subject[:300],
        body_text=text,
        body_html=f"<p>{escape(text)}</p>",
        status=OutgoingEmail.Status.SENT,
        attempts=1,
        created_at=sent_at,
        claimed_at=sent_at,
        sent_at=sent_at,
    )
