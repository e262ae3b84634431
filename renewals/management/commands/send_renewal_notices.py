"""N1, N3, N10: `manage.py send_renewal_notices [--as-of DATE] [--dry-run]`."""

from portal.core.batch import BatchJobCommand
from renewals.notices import renewal_notices_send


class Command(BatchJobCommand):
    help = (
        "Issue the anniversary quotes (N1) and monthly consolidated renewal notices (N3) due "
        "on a day, with their e-mails. Safe to run twice for one day."
    )
    job_name = "renewal_notices_send"

    def job(self, *, as_of, dry_run):
        return renewal_notices_send(as_of=as_of, dry_run=dry_run)
