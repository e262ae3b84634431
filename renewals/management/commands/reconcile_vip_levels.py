"""N10: `manage.py reconcile_vip_levels [--as-of DATE] [--dry-run]`: the VIP reconciliation
31 days before each anniversary (N8) and the PA roll after each anniversary (N7)."""

from portal.core.batch import BatchJobCommand
from renewals.services import vip_reconciliation_job


class Command(BatchJobCommand):
    help = "N8/N7: reconcile VIP levels 31 days before the anniversary; roll PA levels after it."
    job_name = "vip_reconciliation"

    def job(self, *, as_of, dry_run):
        return vip_reconciliation_job(as_of=as_of, dry_run=dry_run)
