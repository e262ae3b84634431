"""L5: search, filters and sorting for the inventory (django-filter)."""

import django_filters
from django import forms
from django.db.models import Q
from django.forms.utils import flatatt
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, Site
from licensing.models import Entitlement


class ManyOptionsSelect(forms.Select):
    """A <select> whose options are joined in Python rather than rendered through a template
    each: a reseller's site filter has hundreds of options (tests/bench: 500 sites and 100
    clients took ~150 ms to render; this takes a few)."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        options = "".join(
            f'<option value="{escape(option["value"])}"'
            f"{' selected' if option['selected'] else ''}>{escape(option['label'])}</option>"
            for _group, group_options, _index in widget["optgroups"]
            for option in group_options
        )
        # Every value and label above is escaped; name and attributes by format_html.
        return format_html(
            '<select name="{}"{}>{}</select>',
            widget["name"],
            flatatt(widget["attrs"]),
            mark_safe(options),
        )


class InventoryFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="search",
        label=_("Search"),
        help_text=_("Product, part number or PoE number"),
    )
    site = django_filters.ModelChoiceFilter(
        label=_("Site"),
        queryset=Site.objects.none(),
        empty_label=_("All sites"),
        to_field_name="number",
        widget=ManyOptionsSelect,
    )
    client = django_filters.ModelChoiceFilter(
        label=_("Client"),
        field_name="site__customer",
        queryset=Organisation.objects.none(),
        empty_label=_("All clients"),
        widget=ManyOptionsSelect,
    )
    family = django_filters.ChoiceFilter(
        label=_("Family"), field_name="product__family", choices=(), empty_label=_("All families")
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Entitlement.Status.choices, empty_label=_("Any status")
    )
    sort = django_filters.OrderingFilter(
        label=_("Sort by"),
        empty_label=None,
        fields=(
            ("product__name", "product"),
            ("product__part_number", "part"),
            ("site__number", "site"),
            ("quantity", "quantity"),
            ("coverage_end", "coverage_end"),
            ("poe_number", "poe"),
        ),
        field_labels={
            "product__name": _("Product"),
            "product__part_number": _("Part number"),
            "site__number": _("Site"),
            "quantity": _("Quantity"),
            "coverage_end": _("Coverage end"),
            "poe_number": _("PoE number"),
        },
    )

    def __init__(self, *args, sites, families, clients=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["site"].queryset = sites
        self.filters["family"].extra["choices"] = [(f, f) for f in families]
        if clients is None:
            del self.filters["client"]
        else:
            self.filters["client"].queryset = clients

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(product__name__icontains=value)
            | Q(product__part_number__iexact=value)
            | Q(product__part_number__istartswith=value)
            | Q(poe_number__iexact=value)
        )
