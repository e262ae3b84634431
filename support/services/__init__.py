"""Support's writes, one module per feature (tickets, sla_monitor, replacements, onsite)."""
