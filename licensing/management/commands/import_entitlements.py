"""L6: import entitlements from a CSV file of any size (the portal and admin take 50 MB)."""

import time
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.models import Site
from licensing import imports
from licensing.models import ImportBatch

ERRORS_PRINTED = 50
SITES_PRINTED = 20


class Command(BaseCommand):
    help = (
        "Import entitlements from a CSV file: Entitle columns or a Snipe-IT licence export "
        "(see licensing/imports.py). Every row is checked first; a file with any invalid row "
        "imports nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--site",
            metavar="NUMBER",
            help="The site for rows without a site number (required for Snipe-IT exports).",
        )
        parser.add_argument(
            "--format",
            choices=ImportBatch.Format.values,
            default="",
            help="The file's format (default: detected from the header row).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and print what it would do."
        )

    def handle(self, *args, path: Path, site, format, dry_run, **options):  # noqa: A002
        if not path.is_file():
            raise CommandError(f"{path} is not a file.")
        chosen = None
        if site:
            chosen = Site.objects.filter(number=site).first()
            if chosen is None:
                raise CommandError(f"Unknown site {site}.")
        started = time.monotonic()
        try:
            outcome = imports.path_import(
                path=path, site=chosen, file_format=format, dry_run=dry_run, now=timezone.now()
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        seconds = time.monotonic() - started
        check = outcome.check
        if not check.is_valid:
            self._errors(check)
            raise CommandError(
                f"{check.error_count} error(s) in {check.rows} rows: nothing was imported."
            )
        self._summary(check.summary(), check.format)
        if outcome.batch is None:
            self.stdout.write(f"Dry run: nothing was imported ({seconds:.1f} s).")
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Imported {outcome.batch.order_count} orders and "
                    f"{outcome.batch.entitlement_count} entitlements from {check.rows} rows "
                    f"in {seconds:.1f} s (import #{outcome.batch.pk})."
                )
            )

    def _summary(self, summary: dict, file_format: str) -> None:
        self.stdout.write(
            f"{ImportBatch.Format(file_format).label}: {summary['rows']} rows, "
            f"{summary['orders']} orders, {summary['lines']} lines, "
            f"{summary['entitlements']} entitlements, quantity {summary['quantity']}."
        )
        for site in summary["sites"][:SITES_PRINTED]:
            self.stdout.write(
                f"  site {site['number']} {site['name']}: {site['orders']} orders, "
                f"{site['lines']} lines, quantity {site['quantity']}"
            )
        if len(summary["sites"]) > SITES_PRINTED:
            self.stdout.write(f"  … and {len(summary['sites']) - SITES_PRINTED} more sites")
        if summary["ignored_columns"]:
            self.stdout.write("Not imported: " + ", ".join(summary["ignored_columns"]))

    def _errors(self, check) -> None:
        for error in check.errors[:ERRORS_PRINTED]:
            where = f"line {error.line}" + (f", {error.column}" if error.column else "")
            self.stderr.write(f"{where}: {error.message}")
        if check.error_count > ERRORS_PRINTED:
            self.stderr.write(f"… and {check.error_count - ERRORS_PRINTED} more errors")
