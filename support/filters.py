"""S1: search, filters and sorting for the ticket list (django-filter).

Everything is a condition or an ordering on the ticket table itself (or its site join, which
the scope already needs), so the page stays one COUNT and one SELECT of a page whatever the
number of tickets (tests/support/test_ticket_pages.py: query ceilings)."""

from __future__ import annotations

import django_filters
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _

from accounts.models import Site
from licensing.filters import ManyOptionsSelect
from licensing.models import Product
from support.models import OPEN_STATUSES, Severity, Ticket, TicketStatus

OPEN = "open"
ANY = "any"
STATUS_CHOICES = [
    (OPEN, _("Open (any open status)")),
    *TicketStatus.choices,
    (ANY, _("Any status, closed ones too")),
]

# S1: the workflow's order, for sorting by status.
STATUS_ORDER = Case(
    *(When(status=status, then=Value(rank)) for rank, status in enumerate(TicketStatus.values)),
    default=Value(len(TicketStatus.values)),
    output_field=IntegerField(),
)

# Each sort with tie-breakers ending in a unique key, so a page boundary never moves.
TICKET_SORTS = {
    "-opened": ("-opened_at", "-pk"),
    "opened": ("opened_at", "pk"),
    "due": ("response_due_at", "pk"),
    "-due": ("-response_due_at", "-pk"),
    "severity": ("severity", "-opened_at", "-pk"),
    "-severity": ("-severity", "-opened_at", "-pk"),
    "status": (STATUS_ORDER.asc(), "-opened_at", "-pk"),
    "-status": (STATUS_ORDER.desc(), "-opened_at", "-pk"),
}
SORT_CHOICES = [
    ("-opened", _("Opened (newest first)")),
    ("opened", _("Opened (oldest first)")),
    ("due", _("Response due (soonest first)")),
    ("-due", _("Response due (latest first)")),
    ("severity", _("Severity (most severe first)")),
    ("-severity", _("Severity (least severe first)")),
    ("status", _("Status (workflow order)")),
    ("-status", _("Status (reverse workflow order)")),
]
DEFAULT_SORT = "-opened"


def ticket_order(rows: QuerySet, sort: str = DEFAULT_SORT) -> QuerySet:
    return rows.order_by(*TICKET_SORTS.get(sort, TICKET_SORTS[DEFAULT_SORT]))


class TicketFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="search", label=_("Search"), help_text=_("Ticket number or title")
    )
    status = django_filters.ChoiceFilter(
        method="by_status", label=_("Status"), choices=STATUS_CHOICES, empty_label=None
    )
    severity = django_filters.ChoiceFilter(
        label=_("Severity"),
        choices=[(str(value), label) for value, label in Severity.choices],
        empty_label=_("Any severity"),
    )
    site = django_filters.ModelChoiceFilter(
        label=_("Site"),
        queryset=Site.objects.none(),
        empty_label=_("All sites"),
        to_field_name="number",
        widget=ManyOptionsSelect,
    )
    product = django_filters.ModelChoiceFilter(
        label=_("Product"),
        queryset=Product.objects.none(),
        empty_label=_("All products"),
        widget=ManyOptionsSelect,
    )
    sort = django_filters.ChoiceFilter(
        method="by_sort", label=_("Sort by"), choices=SORT_CHOICES, empty_label=None
    )

    class Meta:
        model = Ticket
        fields = ()

    def __init__(self, data=None, *, queryset, sites, products, **kwargs):
        # Always bound, with "open only" and the default sort where none was chosen.
        data = data.copy() if data is not None else {}
        data.setdefault("status", OPEN)
        data.setdefault("sort", DEFAULT_SORT)
        super().__init__(data, queryset=queryset, **kwargs)
        self.filters["site"].queryset = sites
        self.filters["product"].queryset = products

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(number__icontains=value) | Q(title__icontains=value))

    def by_status(self, queryset, name, value):
        if value == OPEN:
            return queryset.filter(status__in=OPEN_STATUSES)
        if value == ANY or not value:
            return queryset
        return queryset.filter(status=value)

    def by_sort(self, queryset, name, value):
        return ticket_order(queryset, value or DEFAULT_SORT)
