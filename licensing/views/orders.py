"""L2: a site's orders, the order page, and order placement by the account-managing reseller
(and staff)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.decorators import allow_methods, site_view
from accounts.models import Site, User
from accounts.selectors import Role, site_roles_for_user
from licensing import selectors, services
from licensing.forms import Catalogue, OrderForm, OrderLineFormSet
from licensing.models import Order
from licensing.views.common import scope_order, today
from portal.core.forms import apply_errors
from portal.core.pagination import paginate

ORDER_PLACERS = frozenset({Role.RESELLER, Role.STAFF})


def can_place_orders(user: User, site: Site) -> bool:
    """L2: orders are placed through the site's account-managing reseller, or by staff."""
    return bool(site_roles_for_user(user=user, site=site) & ORDER_PLACERS)


def site_page_context(request, site: Site, **extra) -> dict:
    """What includes/site_nav.html needs, plus the page's own values."""
    user = request.user
    return {
        "site": site,
        "can_manage": user.has_perm("site.manage", site),
        "can_manage_callers": user.has_perm("site.manage_callers", site),
        **extra,
    }


@site_view(methods=("GET",))
def site_orders(request, site):
    orders = selectors.site_orders_with_totals(user=request.user, site=site)
    return render(
        request,
        "licensing/order_list.html",
        site_page_context(
            request,
            site,
            tab="orders",
            page=paginate(request, orders),
            can_place_orders=can_place_orders(request.user, site),
        ),
    )


@site_view(can_place_orders)
def order_create(request, site):
    as_of = today()
    catalogue = Catalogue.load()
    form = OrderForm(request.POST or None, initial={"ordered_on": as_of})
    ordered_on = as_of
    if request.method == "POST" and form.is_valid():
        ordered_on = form.cleaned_data["ordered_on"]
    formset = OrderLineFormSet(
        request.POST or None, prefix="lines", catalogue=catalogue, ordered_on=ordered_on
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        roles = site_roles_for_user(user=request.user, site=site)
        try:
            order = services.order_place(
                site=site,
                ordered_on=ordered_on,
                lines=formset.lines(),
                actor=request.user,
                source=Order.Source.PORTAL if Role.RESELLER in roles else Order.Source.ADMIN,
                as_of=as_of,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Order %(number)s was placed.") % {"number": order.number})
            return redirect("licensing:order_detail", order_id=order.pk)
    return render(
        request,
        "licensing/order_form.html",
        site_page_context(request, site, tab="orders", form=form, formset=formset),
    )


@allow_methods(("GET",), scope=scope_order)
def order_detail(request, order_id: int):
    """L2: the order's lines and the entitlements it created at its site, for whoever can
    see the site."""
    order = selectors.order_get_for_user(user=request.user, order_id=order_id)
    site = order.site
    lines = selectors.order_lines(order=order)
    # Transferred quantities live on at other sites (L7); this page shows the order's site.
    entitlements = selectors.order_entitlements(order=order, current_only=False)
    return render(
        request,
        "licensing/order_detail.html",
        site_page_context(
            request,
            site,
            tab="orders",
            order=order,
            lines=lines,
            total=sum((line.quantity * line.unit_price for line in lines), 0),
            entitlements=entitlements,
        ),
    )
