"""Demo catalogue and orders (L1, L2): several families, editions, versions with past and
future EOS, a hardware product, a consumable, a subscription, an end-of-sale product, and
orders that leave entitlements covered, expiring and lapsed. Idempotent."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction

from accounts.models import Site
from licensing.models import Activation, Edition, Order, Product, Version
from licensing.services import LineRequest, order_place
from portal.core.dates import add_months

CATALOGUE = [
    # part, name, family, kind, delivery, list, annual S&S, points, counts, end of sale
    (
        "ATL-DB-100",
        "Atlas Database Server",
        "Atlas Database",
        "software",
        "online",
        "12000",
        "2400",
        120,
        True,
        None,
    ),
    (
        "ATL-DB-DEV",
        "Atlas Database Developer",
        "Atlas Database",
        "software",
        "online",
        "1500",
        "300",
        10,
        True,
        None,
    ),
    (
        "BCN-AN-200",
        "Beacon Analytics Desktop",
        "Beacon Analytics",
        "software",
        "offline",
        "2400",
        "480",
        25,
        True,
        None,
    ),
    (
        "BCN-AN-150",
        "Beacon Analytics Classic",
        "Beacon Analytics",
        "software",
        "offline",
        "1800",
        "360",
        20,
        True,
        date(2025, 6, 30),
    ),
    (
        "NIM-BK-SUB",
        "Nimbus Backup Cloud (per TB, annual)",
        "Nimbus Backup",
        "subscription",
        "online",
        "960",
        "0",
        8,
        True,
        None,
    ),
    (
        "KEY-AP-500",
        "Keystone Security Appliance 500",
        "Keystone Appliance",
        "hardware",
        "offline",
        "8500",
        "1275",
        60,
        True,
        None,
    ),
    (
        "KEY-TN-001",
        "Keystone thermal label roll",
        "Keystone Appliance",
        "consumable",
        "offline",
        "35",
        "0",
        0,
        False,
        None,
    ),
]
EDITIONS = {
    "ATL-DB-100": [("Standard", 1, "12000"), ("Plus", 2, "16000"), ("Pro", 3, "22000")],
    "BCN-AN-200": [("Standard", 1, "2400"), ("Pro", 2, "3600")],
}
VERSIONS = {
    # part: [(version, released, end of service, upgrade price)]
    "ATL-DB-100": [
        ("9.0", date(2019, 3, 1), date(2024, 3, 31), "3000"),
        ("10.0", date(2022, 4, 1), date(2027, 4, 30), "3500"),
        ("11.0", date(2025, 5, 1), date(2030, 5, 31), "4000"),
    ],
    "ATL-DB-DEV": [
        ("10.0", date(2022, 4, 1), date(2027, 4, 30), "400"),
        ("11.0", date(2025, 5, 1), date(2030, 5, 31), "450"),
    ],
    "BCN-AN-200": [
        ("5.2", date(2021, 9, 1), date(2025, 9, 30), "600"),
        ("6.0", date(2024, 10, 1), date(2029, 10, 31), "700"),
    ],
    "KEY-AP-500": [("FW 3.1", date(2023, 1, 15), date(2028, 1, 31), "0")],
}


def _demo_download(version: Version) -> None:
    """L10: a small stand-in file so entitled demo users can try a download."""
    if not version.download:
        content = f"{version.product.name} {version.version} (demo download)\n".encode()
        version.download.save(
            f"{version.product.part_number}-{version.version}.txt".replace(" ", "_"),
            ContentFile(content),
        )


def _catalogue() -> dict[str, Product]:
    products = {}
    for part, name, family, kind, delivery, price, ss, points, counts, eos in CATALOGUE:
        product, _created = Product.objects.get_or_create(
            part_number=part,
            defaults={
                "name": name,
                "family": family,
                "kind": kind,
                "delivery": delivery,
                "list_price": Decimal(price),
                "annual_ss_price": Decimal(ss),
                "points_per_unit": points,
                "counts_toward_volume": counts,
                "end_of_sale": eos,
            },
        )
        products[part] = product
        for edition, rank, edition_price in EDITIONS.get(part, []):
            Edition.objects.get_or_create(
                product=product, name=edition, defaults={"rank": rank, "price": edition_price}
            )
        for version, released, eos_date, upgrade in VERSIONS.get(part, []):
            release, _created = Version.objects.get_or_create(
                product=product,
                version=version,
                defaults={
                    "release_date": released,
                    "eos_date": eos_date,
                    "upgrade_price": Decimal(upgrade),
                },
            )
            _demo_download(release)
    return products


def _order(site: Site, number: str, ordered_on: date, lines: list[LineRequest]) -> Order:
    existing = Order.objects.filter(number=number).first()
    if existing is not None:
        return existing
    return order_place(
        site=site,
        ordered_on=ordered_on,
        lines=lines,
        actor=None,
        source=Order.Source.ADMIN,
        number=number,
        as_of=ordered_on,
    )


@transaction.atomic
def licensing_demo_load(*, as_of: date) -> None:
    products = _catalogue()
    atlas, dev, beacon = products["ATL-DB-100"], products["ATL-DB-DEV"], products["BCN-AN-200"]
    nimbus, keystone, labels = (
        products["NIM-BK-SUB"],
        products["KEY-AP-500"],
        products["KEY-TN-001"],
    )

    def edition(product, name):
        return product.editions.get(name=name)

    def version(product, name):
        return product.versions.get(version=name)

    sites = {
        site.number: site
        for site in Site.objects.filter(
            number__in=["1000001", "1000002", "1000003", "2000001", "3000001", "4000001"]
        )
    }
    warsaw = sites["1000001"]
    order = _order(
        warsaw,
        "DEMO-1000001-A",
        add_months(as_of, -5),
        [
            LineRequest(atlas, 4, edition(atlas, "Plus"), version(atlas, "11.0")),
            LineRequest(dev, 10, None, version(dev, "11.0")),
            LineRequest(labels, 20),
        ],
    )
    entitlement = order.lines.get(product=atlas).entitlements.first()
    for machine in ("WAW-DB-01", "WAW-DB-02"):
        Activation.objects.get_or_create(
            entitlement=entitlement,
            product=atlas,
            machine_id=machine,
            defaults={"activated_on": order.ordered_on},
        )
    # Bought 10½ months ago: coverage ends within 90 days ("expiring").
    _order(
        warsaw,
        "DEMO-1000001-B",
        add_months(as_of, -10) - timedelta(days=15),
        [
            LineRequest(beacon, 3, edition(beacon, "Standard"), version(beacon, "6.0")),
        ],
    )
    # Bought three years ago, never renewed: "lapsed", version 9.0 past EOS.
    old = _order(
        sites["1000002"],
        "DEMO-1000002-A",
        add_months(as_of, -38),
        [
            LineRequest(atlas, 2, edition(atlas, "Standard"), version(atlas, "9.0")),
        ],
    )
    Activation.objects.get_or_create(
        entitlement=old.lines.first().entitlements.first(),
        product=atlas,
        machine_id="KRK-DB-01",
        defaults={"activated_on": old.ordered_on},
    )
    _order(
        sites["1000003"],
        "DEMO-1000003-A",
        add_months(as_of, -2),
        [
            LineRequest(keystone, 2, None, version(keystone, "FW 3.1")),
            LineRequest(nimbus, 5),
        ],
    )
    _order(
        sites["2000001"],
        "DEMO-2000001-A",
        add_months(as_of, -14),
        [
            LineRequest(beacon, 1, edition(beacon, "Pro"), version(beacon, "5.2")),
        ],
    )
    _order(
        sites["3000001"],
        "DEMO-3000001-A",
        add_months(as_of, -1),
        [
            LineRequest(nimbus, 12),
            LineRequest(dev, 15, None, version(dev, "11.0")),
        ],
    )
