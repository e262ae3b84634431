"""N6, N10: `manage.py expire_quotes [--as-of DATE] [--dry-run]`."""

from portal.core.batch import BatchJobCommand
from renewals.notices import quotes_expire_job


class Command(BatchJobCommand):
    help = "Mark the live quotes whose validity ended before the day as expired."
    job_name = "quotes_expire"

    def job(self, *, as_of, dry_run):
        return quotes_expire_job(as_of=as_of, dry_run=dry_run)
