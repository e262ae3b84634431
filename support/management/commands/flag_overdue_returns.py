"""N10: `manage.py flag_overdue_returns [--as-of DATE] [--dry-run]` (S6)."""

from portal.core.batch import BatchJobCommand
from support.services.replacements import replacements_overdue_flag


class Command(BatchJobCommand):
    help = (
        "S6: flag shipped replacements whose failed unit was due back before the day as "
        "overdue, and quote each customer the unit's list price (once per replacement)."
    )
    job_name = "replacements_overdue_flag"

    def job(self, *, as_of, dry_run):
        return replacements_overdue_flag(as_of=as_of, dry_run=dry_run)
