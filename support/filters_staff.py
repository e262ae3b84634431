"""Filters, search and sorting for the staff work queue (S1, S4) and the escalation queue
(S5), with django-filter. The queue shows open tickets unless a status is chosen."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from licensing.filters import ManyOptionsSelect
from licensing.models import Product
from support.models import Severity, TicketStatus
from support.selectors import (
    ESCALATION_DEFAULT_SORT,
    STAFF_QUEUE_DEFAULT_SORT,
    escalation_order,
    staff_queue_order,
)

ANY_STATUS = "any"
STATUS_CHOICES = [*TicketStatus.choices, (ANY_STATUS, _("Any status, closed too"))]
ASSIGNED_CHOICES = [("me", _("Assigned to me")), ("none", _("Unassigned"))]
SORT_CHOICES = [
    ("due", _("Response due (awaiting first response first)")),
    ("-opened", _("Opened (newest first)")),
    ("opened", _("Opened (oldest first)")),
    ("severity", _("Severity (most severe first)")),
    ("-updated", _("Last update (newest first)")),
]
ESCALATION_SORT_CHOICES = [
    ("-escalated", _("Escalated (newest first)")),
    ("escalated", _("Escalated (oldest first)")),
    ("due", _("Response due (soonest first)")),
]


def _by_assignee(queryset, user, value):
    if value == "me":
        return queryset.filter(assignee=user)
    return queryset.filter(assignee__isnull=True)


class SortFilter(django_filters.ChoiceFilter):
    """One sort from the selector's table; an unknown one is the default."""

    def __init__(self, *args, order, **kwargs):
        self.order = order
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        return self.order(qs, value or self.extra.get("initial"))


class StaffQueueFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="search", label=_("Search"), help_text=_("Ticket number, title or site number")
    )
    severity = django_filters.ChoiceFilter(
        label=_("Severity"), choices=Severity.choices, empty_label=_("Any severity")
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=STATUS_CHOICES,
        method="by_status",
        empty_label=_("Open (new to waiting)"),
    )
    product = django_filters.ModelChoiceFilter(
        label=_("Product"),
        queryset=Product.objects.order_by("name", "part_number"),
        empty_label=_("All products"),
        widget=ManyOptionsSelect,
    )
    site = django_filters.CharFilter(
        label=_("Site number"), field_name="site__number", lookup_expr="exact"
    )
    reseller = django_filters.ModelChoiceFilter(
        label=_("Reseller"),
        field_name="site__reseller",
        queryset=Organisation.objects.filter(kind=Organisation.Kind.RESELLER).order_by("name"),
        empty_label=_("Any reseller"),
        widget=ManyOptionsSelect,
    )
    assigned = django_filters.ChoiceFilter(
        label=_("Assignee"),
        choices=ASSIGNED_CHOICES,
        method="by_assignee",
        empty_label=_("Anyone or no one"),
    )
    escalated = django_filters.ChoiceFilter(
        label=_("Escalation (S5)"),
        choices=[("yes", _("Escalated only")), ("no", _("Not escalated"))],
        method="by_escalation",
        empty_label=_("Escalated or not"),
    )
    sort = SortFilter(
        label=_("Sort by"),
        choices=SORT_CHOICES,
        empty_label=None,
        order=staff_queue_order,
        initial=STAFF_QUEUE_DEFAULT_SORT,
    )

    def __init__(self, data=None, *args, user, **kwargs):
        self.user = user
        super().__init__(data, *args, **kwargs)

    @property
    def qs(self):
        if not hasattr(self, "_qs"):
            queryset = super().qs
            # Open tickets unless a status was chosen (an invalid choice shows the open ones).
            if not getattr(self.form, "cleaned_data", {}).get("status"):
                queryset = queryset.open()
            self._qs = queryset
        return self._qs

    def by_status(self, queryset, name, value):
        if value == ANY_STATUS:
            return queryset
        return queryset.filter(status=value)

    def by_assignee(self, queryset, name, value):
        return _by_assignee(queryset, self.user, value)

    def by_escalation(self, queryset, name, value):
        return queryset.filter(escalated_at__isnull=value != "yes")

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(number__iexact=value) | Q(site__number=value) | Q(title__icontains=value)
        )


class EscalationFilter(django_filters.FilterSet):
    """S5: the escalation queue's filters: severity, assignee, sorting."""

    severity = django_filters.ChoiceFilter(
        label=_("Severity"), choices=Severity.choices, empty_label=_("Any severity")
    )
    assigned = django_filters.ChoiceFilter(
        label=_("Assignee"),
        choices=ASSIGNED_CHOICES,
        method="by_assignee",
        empty_label=_("Anyone or no one"),
    )
    sort = SortFilter(
        label=_("Sort by"),
        choices=ESCALATION_SORT_CHOICES,
        empty_label=None,
        order=escalation_order,
        initial=ESCALATION_DEFAULT_SORT,
    )

    def __init__(self, data=None, *args, user, **kwargs):
        self.user = user
        super().__init__(data, *args, **kwargs)

    def by_assignee(self, queryset, name, value):
        return _by_assignee(queryset, self.user, value)
