"""N7/N8/N9: the default levels, as data staff edit in the admin. PA bands by points (SPEC
N7); PAE one fixed level; VIP levels by qualifying licences (N8) and their three-year
commitment versions (N9). The seeds give no percentages: these are defaults to edit."""

from decimal import Decimal

from django.db import migrations

LEVELS = [
    # programme, code, name, threshold, discount %, commitment
    ("PA", "BL", "Level BL", 0, "0"),
    ("PA", "D", "Level D", 500, "3"),
    ("PA", "E", "Level E", 2000, "6"),
    ("PA", "F", "Level F", 5000, "9"),
    ("PA", "G", "Level G", 10000, "12"),
    ("PA", "H", "Level H", 25000, "15"),
    ("PAE", "PAE", "Express", 0, "0"),
    ("VIP", "1", "Level 1", 1, "0"),
    ("VIP", "2", "Level 2 (VIP Select)", 10, "6"),
    ("VIP", "3", "Level 3 (VIP Select)", 50, "10"),
    ("VIP", "4", "Level 4 (VIP Select)", 100, "15"),
    ("VIP", "12", "Level 12 (3-year commitment)", 10, "10"),
    ("VIP", "13", "Level 13 (3-year commitment)", 50, "14"),
    ("VIP", "14", "Level 14 (3-year commitment)", 100, "18"),
]


def load(apps, schema_editor):
    Level = apps.get_model("renewals", "Level")
    for programme, code, name, threshold, discount in LEVELS:
        Level.objects.update_or_create(
            programme=programme,
            code=code,
            defaults={
                "name": name,
                "threshold": threshold,
                "discount_percent": Decimal(discount),
                "is_commitment": programme == "VIP" and int(code) >= 12,
            },
        )


def unload(apps, schema_editor):
    apps.get_model("renewals", "Level").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("renewals", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
