"""L5: the inventory list, its CSV export, and the entitlement detail."""

from __future__ import annotations

from django.shortcuts import render

from accounts.decorators import allow_methods
from licensing import selectors
from licensing.filters import InventoryFilter, inventory_order
from licensing.views.common import csv_stream, scope_choices, scope_entitlement, today
from licensing.views.moves import entitlement_detail_extras
from portal.core.pagination import list_context

CSV_HEADER = [
    "site_number",
    "site_name",
    "customer",
    "part_number",
    "product",
    "family",
    "edition",
    "version",
    "quantity",
    "poe_number",
    "coverage_start",
    "coverage_end",
    "status",
]


def _filtered_inventory(request):
    sites, clients = scope_choices(request.user)
    inventory = selectors.inventory_for_user(user=request.user, as_of=today())
    # Always bound: the sort filter then orders even an unfiltered list (review #7 item 15).
    inventory_filter = InventoryFilter(
        request.GET,
        queryset=inventory,
        sites=sites,
        families=selectors.product_families(),
        clients=clients,
    )
    rows = inventory_filter.qs
    if not rows.query.order_by:  # an invalid choice somewhere skips the filters' ordering
        rows = inventory_order(rows)
    return inventory_filter, rows


@allow_methods(("GET",))
def inventory(request):
    inventory_filter, rows = _filtered_inventory(request)
    return render(
        request,
        "licensing/inventory.html",
        {"filter": inventory_filter, **list_context(request, rows)},
    )


@allow_methods(("GET",))
def inventory_csv(request):
    """L5: the filtered inventory as CSV, streamed in constant memory."""
    _filter, rows = _filtered_inventory(request)
    values = rows.values_list(
        "site__number",
        "site__name",
        "site__customer__name",
        "product__part_number",
        "product__name",
        "product__family",
        "edition__name",
        "version__version",
        "quantity",
        "poe_number",
        "coverage_start",
        "coverage_end",
        "status",
    ).iterator(chunk_size=2000)
    return csv_stream(filename=f"inventory-{today():%Y-%m-%d}.csv", header=CSV_HEADER, rows=values)


@allow_methods(("GET",), scope=scope_entitlement)
def entitlement_detail(request, entitlement_id: int):
    entitlement = selectors.entitlement_get_for_user(
        user=request.user, entitlement_id=entitlement_id
    )
    as_of = today()
    site = entitlement.site
    return render(
        request,
        "licensing/entitlement_detail.html",
        {
            "entitlement": entitlement,
            "site": site,
            "status": entitlement.status_on(as_of),
            "can_manage": request.user.has_perm("site.manage", site),
            # L8 move button and requests, L9 quotes (licensing/views/moves.py)
            **entitlement_detail_extras(entitlement=entitlement, user=request.user, as_of=as_of),
        },
    )
