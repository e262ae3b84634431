"""N10: every batch job is also a management command taking --as-of and --dry-run."""

from datetime import date

from django.core.management.base import BaseCommand
from django.utils import timezone


class BatchJobCommand(BaseCommand):
    """Subclasses implement run(as_of=, dry_run=) and print their summary."""

    def add_arguments(self, parser):
        parser.add_argument(
            "--as-of",
            type=date.fromisoformat,
            default=None,
            metavar="YYYY-MM-DD",
            help="The day to run for (default: today); rehearse or back-fill any day.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Print what would happen; write and send nothing.",
        )

    def handle(self, *args, as_of, dry_run, **options):
        self.run(as_of=as_of or timezone.localdate(), dry_run=dry_run)

    def run(self, *, as_of: date, dry_run: bool) -> None:
        raise NotImplementedError
