"""N10: `manage.py send_commitment_reminders [--as-of DATE] [--dry-run]` (N9)."""

from portal.core.batch import BatchJobCommand
from renewals.services import commitment_reminders_send


class Command(BatchJobCommand):
    help = "N9: remind customers and account managers 60 and 30 days before each anniversary."
    job_name = "commitment_reminders"

    def job(self, *, as_of, dry_run):
        return commitment_reminders_send(as_of=as_of, dry_run=dry_run)
