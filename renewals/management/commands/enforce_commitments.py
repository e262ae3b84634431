"""N10: `manage.py enforce_commitments [--as-of DATE] [--dry-run]` (N9)."""

from portal.core.batch import BatchJobCommand
from renewals.services import commitments_enforce


class Command(BatchJobCommand):
    help = "N9: after each anniversary of a term, break commitments not renewed; complete terms."
    job_name = "commitment_enforcement"

    def job(self, *, as_of, dry_run):
        return commitments_enforce(as_of=as_of, dry_run=dry_run)
