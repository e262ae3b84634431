"""L2: a site's orders, the order page, and order placement by the account-managing reseller
(and staff)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, DecimalField, ExpressionWrapper, F, Sum
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import Site, User
from accounts.selectors import Role, site_get_for_user, site_roles_for_user
from licensing import selectors, services
from licensing.forms import Catalogue, OrderForm, OrderLineFormSet, apply_errors
from licensing.models import Entitlement, Order, OrderLine
from licensing.views.common import today
from portal.pagination import paginate

ORDER_PLACERS = frozenset({Role.RESELLER, Role.STAFF})


def can_place_orders(user: User, site: Site) -> bool:
    """L2: orders are placed through the site's account-managing reseller, or by staff."""
    return bool(site_roles_for_user(user=user, site=site) & ORDER_PLACERS)


def site_page(
    allowed: str | Callable[[User, Site], bool] = "site.view",
    *,
    methods: tuple[str, ...] = ("GET", "POST"),
):
    """Load the site through the user's scope (404 for another tenant's, A4), then check the
    permission (403: the user can see the site, just not do this)."""

    def decorator(view):
        @login_required
        @require_http_methods(list(methods))
        @wraps(view)
        def wrapper(request, number: str, **kwargs):
            site = site_get_for_user(user=request.user, number=number)
            permitted = (
                request.user.has_perm(allowed, site)
                if isinstance(allowed, str)
                else allowed(request.user, site)
            )
            if not permitted:
                raise PermissionDenied
            return view(request, site, **kwargs)

        return wrapper

    return decorator


def site_page_context(request, site: Site, **extra) -> dict:
    """What includes/site_nav.html needs, plus the page's own values."""
    user = request.user
    return {
        "site": site,
        "can_manage": user.has_perm("site.manage", site),
        "can_manage_callers": user.has_perm("site.manage_callers", site),
        **extra,
    }


@site_page(methods=("GET",))
def site_orders(request, site):
    line_total = ExpressionWrapper(
        F("lines__quantity") * F("lines__unit_price"),
        output_field=DecimalField(max_digits=14, decimal_places=2),
    )
    orders = (
        Order.objects.filter(site=site)
        .select_related("reseller", "created_by")
        .annotate(line_count=Count("lines"), total=Sum(line_total))
        .order_by("-ordered_on", "-pk")
    )
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


@site_page(can_place_orders)
def order_create(request, site):
    on = today()
    catalogue = Catalogue.load()
    form = OrderForm(request.POST or None, initial={"ordered_on": on})
    ordered_on = on
    if request.method == "POST" and form.is_valid():
        ordered_on = form.cleaned_data["ordered_on"]
    formset = OrderLineFormSet(
        request.POST or None, prefix="lines", catalogue=catalogue, on=ordered_on
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
                today=on,
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


@login_required
@require_GET
def order_detail(request, order_id: int):
    """L2: the order's lines and the entitlements it created at its site, for whoever can
    see the site."""
    order = selectors.order_get_for_user(user=request.user, order_id=order_id)
    site = order.site
    lines = OrderLine.objects.filter(order=order).select_related("product", "edition", "version")
    # Transferred quantities live on at other sites (L7); this page shows the order's site.
    entitlements = (
        Entitlement.objects.filter(order_line__order=order, site=site)
        .select_related("product", "edition", "version")
        .order_by("product__part_number", "pk")
    )
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
            on=today(),
        ),
    )
