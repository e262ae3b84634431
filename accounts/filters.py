"""Search, filters and sorting for the site lists (django-filter)."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from accounts.models import Agreement, Organisation


class SiteFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    customer = django_filters.ModelChoiceFilter(
        label=_("Client"), queryset=Organisation.objects.none(), empty_label=_("All clients")
    )
    programme = django_filters.ChoiceFilter(
        field_name="agreement__programme",
        label=_("Programme"),
        choices=Agreement.Programme.choices,
        empty_label=_("All programmes"),
    )
    country = django_filters.ChoiceFilter(
        label=_("Country"), choices=list(countries), empty_label=_("All countries")
    )
    sort = django_filters.OrderingFilter(
        label=_("Sort by"),
        empty_label=None,
        fields=(
            ("number", "number"),
            ("name", "name"),
            ("customer__name", "customer"),
            ("country", "country"),
            ("agreement__anniversary_month", "anniversary"),
        ),
        field_labels={
            "number": _("Site number"),
            "name": _("Site name"),
            "customer__name": _("Customer"),
            "country": _("Country"),
            "agreement__anniversary_month": _("Anniversary month"),
        },
    )

    def __init__(self, *args, customers=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the countries the user's sites are in: a list of 250 countries to pick from is
        # noise, and rendering its options was a third of the dashboard's time (issue #10).
        present = set(self.queryset.order_by().values_list("country", flat=True).distinct())
        if self.data:
            present.add(self.data.get("country", ""))
        self.filters["country"].extra["choices"] = [
            (code, name) for code, name in countries if code in present
        ]
        if customers is None:
            del self.filters["customer"]
        else:
            self.filters["customer"].queryset = customers

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(number__startswith=value)
            | Q(name__icontains=value)
            | Q(customer__name__icontains=value)
            | Q(city__icontains=value)
        )
