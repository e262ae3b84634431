"""N4, N10: `manage.py send_revised_quotes [--as-of DATE] [--dry-run]`."""

from portal.core.batch import BatchJobCommand
from renewals.notices import revised_quotes_send


class Command(BatchJobCommand):
    help = (
        "Revise the live anniversary quotes with the purchases made since they were sent "
        "(N4): at most one revision per agreement and account manager per day."
    )
    job_name = "revised_quotes_send"

    def job(self, *, as_of, dry_run):
        return revised_quotes_send(as_of=as_of, dry_run=dry_run)
