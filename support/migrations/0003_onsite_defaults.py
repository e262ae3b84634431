"""S7: default onsite zones, the countries in them and a rate per zone and product type.

These are DEFAULTS, data staff edit in the admin (Onsite zones, countries, rates): the seeds
(003, the partner-branded support programme) say only that onsite support costs extra and
depends on the customer's location and the product type; they give no zones and no prices.
A country not listed has no onsite service until staff add it."""

from decimal import Decimal

from django.db import migrations

# zone code -> (name, countries, {product kind: price per visit in EUR})
DEFAULT_ZONES = {
    "EU": (
        "Europe",
        ("PL", "DE", "FR", "NL", "BE", "AT", "CZ", "SK", "IT", "ES", "PT", "IE", "DK", "SE"),
        {"hardware": Decimal("450.00"), "software": Decimal("650.00")},
    ),
    "UK": ("United Kingdom", ("GB",), {"hardware": Decimal("500.00"), "software": Decimal("700.00")}),
    "NA": ("North America", ("US", "CA"), {"hardware": Decimal("600.00"), "software": Decimal("800.00")}),
    "APAC": (
        "Asia-Pacific",
        ("TW", "HK", "SG", "JP", "AU"),
        {"hardware": Decimal("700.00"), "software": Decimal("900.00")},
    ),
}


def seed(apps, schema_editor):
    Zone = apps.get_model("support", "OnsiteZone")
    Country = apps.get_model("support", "OnsiteCountry")
    Rate = apps.get_model("support", "OnsiteRate")
    for code, (name, countries, rates) in DEFAULT_ZONES.items():
        zone, _created = Zone.objects.get_or_create(code=code, defaults={"name": name})
        for country in countries:
            Country.objects.get_or_create(country=country, defaults={"zone": zone})
        for kind, price in rates.items():
            Rate.objects.get_or_create(
                zone=zone, product_kind=kind, defaults={"price": price, "currency": "EUR"}
            )


def unseed(apps, schema_editor):
    Zone = apps.get_model("support", "OnsiteZone")
    used = apps.get_model("support", "OnsiteRequest").objects.values("zone_id")
    zones = Zone.objects.filter(code__in=DEFAULT_ZONES).exclude(pk__in=used)
    apps.get_model("support", "OnsiteRate").objects.filter(zone__in=zones).delete()
    apps.get_model("support", "OnsiteCountry").objects.filter(zone__in=zones).delete()
    zones.delete()


class Migration(migrations.Migration):
    dependencies = [("support", "0002_support_groups")]

    operations = [migrations.RunPython(seed, unseed)]
