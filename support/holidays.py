"""S4: holidays as data. Staff seed a country's public holidays from the `holidays` package
(then edit them in the admin: support.admin.calendar); the SLA clock reads support.Holiday.

Seeding is idempotent: a day already known for the country (seeded or entered by hand) is
kept as it is, and two seeds at once meet the `one_holiday_per_country_day` constraint
(`ignore_conflicts`), never an error."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import holidays as holiday_data
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from support.models import Holiday

# Names in English where the package has them (the admin is in English); else its own.
NAME_LANGUAGE = "en_US"
MIN_YEAR, MAX_YEAR = 2000, 2100


@dataclass(frozen=True)
class PublicHoliday:
    day: date
    name: str


def country_public_holidays(*, country: str, years: Iterable[int]) -> list[PublicHoliday]:
    """The package's public holidays of `country` (ISO 3166 alpha-2) in `years`; a country
    it does not know is a ValidationError saying so."""
    code = country.strip().upper()
    years = sorted(set(years))
    if not years:
        raise ValidationError(_("Give at least one year."), code="years")
    for year in years:
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise ValidationError(
                _("%(year)s is not a year between %(min)s and %(max)s.")
                % {"year": year, "min": MIN_YEAR, "max": MAX_YEAR},
                code="years",
            )
    try:
        found = holiday_data.country_holidays(code, years=years, language=NAME_LANGUAGE)
    except NotImplementedError:
        raise ValidationError(
            _("The holidays package has no public holidays for the country “%(country)s”.")
            % {"country": code},
            code="country",
        ) from None
    return [PublicHoliday(day=day, name=str(name)[:200]) for day, name in sorted(found.items())]


@transaction.atomic
def holidays_seed(*, country: str, years: Iterable[int]) -> int:
    """S4: add `country`'s public holidays in `years`; the number of days added (0 when
    seeded before: days already there, seeded or edited by staff, are left as they are)."""
    code = country.strip().upper()
    found = country_public_holidays(country=code, years=years)
    known = set(
        Holiday.objects.filter(country=code, day__in=[item.day for item in found]).values_list(
            "day", flat=True
        )
    )
    new = [Holiday(country=code, day=item.day, name=item.name) for item in found]
    new = [holiday for holiday in new if holiday.day not in known]
    Holiday.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)
