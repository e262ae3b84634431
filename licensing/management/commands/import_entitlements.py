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


def counted(count: int, noun: str) -> str:
    """`1 row`, `2 rows` (the command's output is English)."""
    return f"{count} {noun}" + ("" if count == 1 else "s")


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
                f"{counted(check.error_count, 'error')} in {counted(check.rows, 'row')}: "
                "nothing was imported."
            )
        self._summary(check.summary(), check.format)
        if outcome.batch is None:
            self.stdout.write(f"Dry run: nothing was imported ({seconds:.1f} s).")
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Imported {counted(outcome.batch.order_count, 'order')} and "
                    f"{counted(outcome.batch.entitlement_count, 'entitlement')} from "
                    f"{counted(check.rows, 'row')} "
                    f"in {seconds:.1f} s (import #{outcome.batch.pk})."
                )
            )

    def _summary(self, summary: dict, file_format: str) -> None:
        self.stdout.write(
            f"{ImportBatch.Format(file_format).label}: {counted(summary['rows'], 'row')}, "
            f"{counted(summary['orders'], 'order')}, {counted(summary['lines'], 'line')}, "
            f"{counted(summary['entitlements'], 'entitlement')}, quantity {summary['quantity']}."
        )
        for site in summary["sites"][:SITES_PRINTED]:
            self.stdout.write(
                f"  site {site['number']} {site['name']}: {counted(site['orders'], 'order')}, "
                f"{counted(site['lines'], 'line')}, quantity {site['quantity']}"
            )
        if len(summary["sites"]) > SITES_PRINTED:
            self.stdout.write(
                f"  … and {counted(len(summary['sites']) - SITES_PRINTED, 'more site')}"
            )
        if summary["ignored_columns"]:
            self.stdout.write("Not imported: " + ", ".join(summary["ignored_columns"]))

    def _errors(self, check) -> None:
        for error in check.errors[:ERRORS_PRINTED]:
            where = f"line {error.line}" + (f", {error.column}" if error.column else "")
            self.stderr.write(f"{where}: {error.message}")
        if check.error_count > ERRORS_PRINTED:
            self.stderr.write(f"… and {counted(check.error_count - ERRORS_PRINTED, 'more error')}")
