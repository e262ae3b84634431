"""S4: `manage.py seed_holidays --country PL --year 2026 --year 2027`: a country's public
holidays from the `holidays` package into support.Holiday (safe to run again)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from support.holidays import holidays_seed


class Command(BaseCommand):
    help = "S4: seed a country's public holidays (the SLA clock skips them) for some years."

    def add_arguments(self, parser):
        parser.add_argument("--country", required=True, help="ISO 3166 code, e.g. PL")
        parser.add_argument(
            "--year", type=int, action="append", required=True, dest="years", metavar="YYYY"
        )

    def handle(self, *args, country, years, **options):
        try:
            added = holidays_seed(country=country, years=years)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(
            f"{country.upper()} {', '.join(str(y) for y in sorted(set(years)))}: "
            f"{added} holiday(s) added"
        )
