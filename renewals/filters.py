"""Filters and sorting for the reseller's renewals page (django-filter).

The page's rows come from two aggregate queries merged in Python (renewals.reseller), so the
FilterSet is used for what django-filter does well — the form: declared filters, choices,
validation and the query string — and its cleaned values are handed to the selector."""

from __future__ import annotations

from datetime import date

import django_filters
from babel.dates import format_skeleton
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import Agreement, Organisation
from licensing.filters import ManyOptionsSelect
from portal.core.dates import add_months
from portal.core.formatting import babel_locale
from renewals.models import Quote
from renewals.reseller import DUE, DUE_LABEL, default_window, month_start

SORT_CHOICES = [
    ("month", _("Month (earliest first)")),
    ("-month", _("Month (latest first)")),
    ("client", _("Client (A–Z)")),
    ("-client", _("Client (Z–A)")),
    ("-total", _("Vendor total (highest first)")),
    ("total", _("Vendor total (lowest first)")),
    ("valid_until", _("Valid until (soonest first)")),
    ("-valid_until", _("Valid until (latest first)")),
]
STATE_CHOICES = [
    (DUE, DUE_LABEL),
    *((value, label) for value, label in Quote.State.choices if value != Quote.State.SUPERSEDED),
]
MONTHS_BACK = 12
MONTHS_AHEAD = 24


def month_label(first: date) -> str:
    return format_skeleton("yMMMM", first, locale=babel_locale())


def month_choices(as_of: date) -> list[tuple[str, str]]:
    """A year back and two ahead: the months a reseller plans renewals in."""
    first = add_months(month_start(as_of), -MONTHS_BACK)
    months = [add_months(first, offset) for offset in range(MONTHS_BACK + MONTHS_AHEAD + 1)]
    return [(f"{month:%Y-%m}", month_label(month)) for month in months]


def parse_month(value: str) -> date | None:
    if not value:
        return None
    year, month = value.split("-")
    return date(int(year), int(month), 1)


class RenewalFilterForm(forms.Form):
    def clean(self):
        data = super().clean()
        first, last = parse_month(data.get("month_from")), parse_month(data.get("month_to"))
        if first and last and last < first:
            raise ValidationError(
                _("The last month comes before the first: choose a later last month.")
            )
        return data


class RenewalFilter(django_filters.FilterSet):
    client = django_filters.ModelChoiceFilter(
        label=_("Client"),
        queryset=Organisation.objects.none(),
        empty_label=_("All clients"),
        widget=ManyOptionsSelect,
    )
    state = django_filters.ChoiceFilter(
        label=_("State"), choices=STATE_CHOICES, empty_label=_("Any state")
    )
    programme = django_filters.ChoiceFilter(
        label=_("Programme"), choices=Agreement.Programme.choices, empty_label=_("All programmes")
    )
    month_from = django_filters.ChoiceFilter(label=_("From"), choices=(), empty_label=None)
    month_to = django_filters.ChoiceFilter(label=_("To"), choices=(), empty_label=None)
    sort = django_filters.ChoiceFilter(label=_("Sort by"), choices=SORT_CHOICES, empty_label=None)

    class Meta:
        form = RenewalFilterForm

    def __init__(self, data=None, *, clients, as_of: date, **kwargs):
        default_first, default_last = default_window(as_of)
        # Always bound, with the default window where none was chosen, so the selects show
        # the months the rows are from.
        data = data.copy() if data is not None else {}
        data.setdefault("month_from", f"{default_first:%Y-%m}")
        data.setdefault("month_to", f"{default_last:%Y-%m}")
        data.setdefault("sort", "month")
        super().__init__(data, queryset=Quote.objects.none(), **kwargs)
        self.filters["client"].queryset = clients
        choices = month_choices(as_of)
        self.filters["month_from"].extra["choices"] = choices
        self.filters["month_to"].extra["choices"] = choices
        self.as_of = as_of

    def selection(self) -> dict:
        """The cleaned choices for renewals.reseller.reseller_renewals: an invalid choice
        falls back to its default (and the form shows why); the valid ones still apply."""
        default_first, default_last = default_window(self.as_of)
        self.form.is_valid()
        data = dict(self.form.cleaned_data)
        if self.form.non_field_errors():  # the months in the wrong order: the default window
            data.pop("month_from", None)
            data.pop("month_to", None)
        client = data.get("client")
        return {
            "first": parse_month(data.get("month_from") or "") or default_first,
            "last": parse_month(data.get("month_to") or "") or default_last,
            "filters": {
                "client": client.pk if client else None,
                "state": data.get("state") or "",
                "programme": data.get("programme") or "",
            },
            "sort": data.get("sort") or "month",
        }
