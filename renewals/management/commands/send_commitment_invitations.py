"""N10: `manage.py send_commitment_invitations [--as-of DATE] [--dry-run]` (N9)."""

from portal.core.batch import BatchJobCommand
from renewals.services import commitment_invitations_send


class Command(BatchJobCommand):
    help = "N9: invite VIP Select customers to a three-year commitment (once each)."
    job_name = "commitment_invitations"

    def job(self, *, as_of, dry_run):
        return commitment_invitations_send(as_of=as_of, dry_run=dry_run)
