"""L2: a site's orders, the order page, and order placement by the account-managing reseller
(and staff)."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.decorators import allow_methods, site_view
from accounts.models import Site, User
from accounts.selectors import Role, site_roles_for_user
from licensing import selectors
from licensing.forms import Catalogue, OrderConfirmForm, OrderForm, OrderLineFormSet
from licensing.models import Order
from licensing.services import orders as order_services
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
    can_view_prices = request.user.has_perm("site.view_prices", site)
    orders = selectors.site_orders_with_totals(
        user=request.user, site=site, with_totals=can_view_prices
    )
    return render(
        request,
        "licensing/order_list.html",
        site_page_context(
            request,
            site,
            tab="orders",
            page=paginate(request, orders),
            can_view_prices=can_view_prices,
            can_place_orders=can_place_orders(request.user, site),
        ),
    )


def order_source(user: User, site: Site) -> str:
    """Who places it decides the channel (L2): the account-managing reseller, else staff."""
    roles = site_roles_for_user(user=user, site=site)
    return Order.Source.PORTAL if Role.RESELLER in roles else Order.Source.ADMIN


# The order form's steps (Review #7 item 18), one URL: "refresh" re-renders the lines with the
# chosen products' editions and versions (htmx, or the no-JavaScript button); "review" checks
# everything and shows the priced lines without writing; "change" goes back to the form with
# everything entered; "place" (the review page's button) places the order, once.
ORDER_ACTIONS = frozenset({"refresh", "review", "change", "place"})


@site_view(can_place_orders)
def order_create(request, site):
    as_of = today()
    source = order_source(request.user, site)
    data = request.POST if request.method == "POST" else None
    action = ""
    if data is not None:
        action = data.get("action", "review")
        action = action if action in ORDER_ACTIONS else "review"
    form = OrderForm(
        data,
        initial={"ordered_on": as_of},
        as_of=as_of,
        earliest=order_services.earliest_order_date(source=source, as_of=as_of),
    )
    ordered_on = as_of
    if data is not None and form.is_valid():
        ordered_on = form.cleaned_data["ordered_on"]
    formset = OrderLineFormSet(
        data,
        prefix="lines",
        catalogue=Catalogue.load(),
        ordered_on=ordered_on,
        refresh_url=request.path,
    )
    page = site_page_context(
        request, site, tab="orders", form=form, formset=formset, show_errors=True
    )
    if action in ("review", "place"):
        lines = _checked_lines(form, formset, source=source, as_of=as_of)
        if lines is not None:
            confirm = OrderConfirmForm(data)
            if action == "place" and confirm.is_valid():
                try:
                    order = order_services.order_place(
                        site=site,
                        ordered_on=ordered_on,
                        lines=lines,
                        actor=request.user,
                        source=source,
                        as_of=as_of,
                        placement_token=confirm.cleaned_data["placement_token"],
                    )
                except ValidationError as error:
                    apply_errors(form, error)
                else:
                    messages.success(
                        request, _("Order %(number)s was placed.") % {"number": order.number}
                    )
                    return redirect("licensing:order_detail", order_id=order.pk)
            else:
                # Nothing is written before the confirmation; each review gets a fresh key.
                return render(
                    request,
                    "licensing/order_review.html",
                    {
                        **page,
                        "preview": order_services.order_preview(
                            site=site, ordered_on=ordered_on, lines=lines
                        ),
                        "ordered_on": ordered_on,
                        "confirm": OrderConfirmForm(initial={"placement_token": uuid.uuid4()}),
                    },
                )
    elif action in ("refresh", "change"):
        # Not a submission: show what was entered, without complaining about what is missing.
        page["show_errors"] = False
        if action == "refresh" and request.htmx:
            return render(request, "licensing/includes/order_lines.html", page)
    return render(request, "licensing/order_form.html", page)


def _checked_lines(form, formset, *, source: str, as_of) -> list | None:
    """The order's lines when the form, its lines and the L2 order checks all pass; else None
    with the messages on the form."""
    if not (form.is_valid() and formset.is_valid()):
        return None
    lines = formset.lines()
    try:
        order_services.order_check(
            ordered_on=form.cleaned_data["ordered_on"], lines=lines, source=source, as_of=as_of
        )
    except ValidationError as error:
        apply_errors(form, error)
        return None
    return lines


@allow_methods(("GET",), scope=scope_order)
def order_detail(request, order_id: int):
    """L2: the order's lines and the entitlements it created at its site, for whoever can
    see the site; unit prices and the total only for those who may see prices (SPEC §1, L5)."""
    order = selectors.order_get_for_user(user=request.user, order_id=order_id)
    site = order.site
    lines = selectors.order_lines(order=order)
    can_view_prices = request.user.has_perm("site.view_prices", site)
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
            can_view_prices=can_view_prices,
            total=(
                sum((line.quantity * line.unit_price for line in lines), 0)
                if can_view_prices
                else None
            ),
            entitlements=entitlements,
        ),
    )
