"""S4: the days support does not count for severities 2–4 (public holidays per country)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField


class Holiday(models.Model):
    """A public holiday in a country: admin data, which staff may seed from the `holidays`
    package (support.holidays) and then edit."""

    country = CountryField(_("country"))
    day = models.DateField(_("day"))
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["country", "day"]
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        constraints = [
            models.UniqueConstraint(fields=["country", "day"], name="one_holiday_per_country_day")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.name} ({self.country})"
