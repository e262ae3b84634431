"""L10 (N10): the weekly update digest, run daily, runnable by hand for any day."""

from django.utils import timezone

from licensing.updates import update_digests_send
from portal.core.batch import BatchJobCommand


class Command(BatchJobCommand):
    help = (
        "E-mail each weekly reader one digest of the releases dated before the ISO week of "
        "--as-of that they have not heard about; at most one digest per user per week."
    )

    def run(self, *, as_of, dry_run):
        summary = update_digests_send(as_of=as_of, now=timezone.now(), dry_run=dry_run)
        prefix = "[dry run] " if dry_run else ""
        verb = "would send" if dry_run else "sent"
        print(
            f"{prefix}send_update_digests as of {as_of} (week {summary.week}): {verb} "
            f"{summary.users} digests listing {summary.notices} releases; "
            f"{summary.skipped} users already had this week's digest."
        )
