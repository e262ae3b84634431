"""S4/N10: `manage.py monitor_sla [--at "YYYY-MM-DD HH:MM"] [--as-of DATE] [--dry-run]`: one
pass of the SLA monitor (support.services.sla_monitor). The clock needs an instant: `--at`
(UTC); `--as-of` alone means the end of that day (UTC); neither means now."""

from datetime import UTC, datetime, time

from django.core.management.base import CommandError

from portal.core.batch import BatchJobCommand
from support.services.sla_monitor import JOB_NAME, sla_monitor_run


def utc_instant(value: str) -> datetime:
    try:
        return datetime.strptime(value, "%Y-%m-%d %H:%M").replace(tzinfo=UTC)
    except ValueError:
        raise CommandError(f'--at takes "YYYY-MM-DD HH:MM" (UTC), not {value!r}') from None


class Command(BatchJobCommand):
    help = "S4: mark tickets at risk (75 % used) and breached; tell support staff once each."
    job_name = JOB_NAME

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--at",
            default=None,
            metavar='"YYYY-MM-DD HH:MM"',
            help="The instant to run at, UTC (default: now; --as-of alone: that day's end).",
        )

    def handle(self, *args, as_of, dry_run, at=None, **options):
        if at:
            now = utc_instant(at)
        elif as_of:
            now = datetime.combine(as_of, time.max, tzinfo=UTC)
        else:
            now = None
        summary = sla_monitor_run(now=now, dry_run=dry_run)
        prefix = "[dry run] " if dry_run else ""
        for line in summary.lines:
            self.stdout.write(f"{prefix}{line}")
        counts = ", ".join(f"{k}: {v}" for k, v in summary.counts.items()) or "nothing to do"
        self.stdout.write(f"{prefix}{self.job_name}: {counts}")
