"""L10 (N10): the weekly update digest, run daily, runnable by hand for any day."""

from datetime import date

from django.core.management.base import BaseCommand
from django.utils import timezone

from licensing.updates import update_digests_send


class Command(BaseCommand):
    help = (
        "E-mail each weekly reader one digest of the releases dated before the ISO week of "
        "--as-of that they have not heard about; at most one digest per user per week."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--as-of",
            type=date.fromisoformat,
            default=None,
            metavar="YYYY-MM-DD",
            help="The day to run for (default: today).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Print what would happen; write and send nothing.",
        )

    def handle(self, *args, as_of, dry_run, **options):
        as_of = as_of or timezone.localdate()
        summary = update_digests_send(as_of=as_of, now=timezone.now(), dry_run=dry_run)
        prefix = "[dry run] " if dry_run else ""
        verb = "would send" if dry_run else "sent"
        print(
            f"{prefix}send_update_digests as of {as_of} (week {summary.week}): {verb} "
            f"{summary.users} digests listing {summary.notices} releases; "
            f"{summary.skipped} users already had this week's digest."
        )
