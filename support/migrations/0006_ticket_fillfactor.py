"""S4: room on each page of the tickets table (PostgreSQL only) so that the SLA monitor's
marks (at_risk_notified_at, breached_at: not indexed) are HOT updates that rewrite no index.
Without it, each mark wrote a new entry in every one of the table's ~20 indexes: a pass over
100,000 tickets spent most of its time there (tests/bench/test_sla_monitor_bench.py)."""

from django.db import migrations


def fillfactor(percent: int):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"ALTER TABLE support_ticket SET (fillfactor = {percent})")

    return apply


class Migration(migrations.Migration):
    dependencies = [("support", "0005_ticket_list")]

    operations = [migrations.RunPython(fillfactor(70), fillfactor(100))]
