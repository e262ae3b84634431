"""Writes for orders (L2): prices, line checks, placing an order and the entitlements its
lines give (L3)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Site, User
from licensing.models import (
    CoveragePeriod,
    Edition,
    Entitlement,
    Order,
    OrderLine,
    Product,
    Version,
)
from portal.core.audit import acting_as
from portal.core.dates import months_started, one_year_of_cover
from portal.core.money import money


def new_order_number(ordered_on: date) -> str:
    return f"ORD-{ordered_on:%Y%m%d}-{secrets.token_hex(3).upper()}"


@dataclass(frozen=True)
class LineRequest:
    """One line of an order as a form, the admin or an import gives it (L2)."""

    product: Product
    quantity: int
    edition: Edition | None = None
    version: Version | None = None
    unit_price: Decimal | None = None


def subscription_end(*, site: Site, ordered_on: date) -> date:
    """L2/N3: a subscription runs to the agreement's next anniversary after the order date."""
    return site.agreement.next_anniversary(ordered_on + timedelta(days=1))


def line_unit_price(*, site: Site, line: LineRequest, ordered_on: date) -> Decimal:
    """The unit price: as given, else the list price (edition price when there is one); a
    subscription's annual price is prorated by started month to the anniversary (N3)."""
    if line.unit_price is not None:
        return money(line.unit_price)
    base = line.edition.price if line.edition else line.product.list_price
    if line.version is not None and line.version.list_price is not None and not line.edition:
        base = line.version.list_price
    if line.product.kind == Product.Kind.SUBSCRIPTION:
        months = months_started(ordered_on, subscription_end(site=site, ordered_on=ordered_on))
        # Bought on the anniversary itself it runs to the next one: a year, never 13 months.
        return money(base * min(months, 12) / 12)
    return money(base)


def validate_line(*, line: LineRequest, ordered_on: date) -> None:
    """L2 line checks with messages a person can act on."""
    errors = {}
    if line.quantity is None or line.quantity < 1:
        errors["quantity"] = _("The quantity must be at least 1.")
    if not line.product.is_orderable_on(ordered_on):
        errors["product"] = _(
            "%(part)s reached its end of sale on %(date)s and can no longer be ordered."
        ) % {"part": line.product.part_number, "date": line.product.end_of_sale}
    if line.edition is not None and line.edition.product_id != line.product.pk:
        errors["edition"] = _("Edition %(edition)s belongs to another product.") % {
            "edition": line.edition.name
        }
    if line.version is not None and line.version.product_id != line.product.pk:
        errors["version"] = _("Version %(version)s belongs to another product.") % {
            "version": line.version.version
        }
    if line.unit_price is not None and line.unit_price < 0:
        errors["unit_price"] = _("A price cannot be negative.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def order_place(
    *,
    site: Site,
    ordered_on: date,
    lines: list[LineRequest],
    actor: User | None,
    source: str,
    as_of: date,
    number: str = "",
) -> Order:
    """L2: record an order and create its entitlements (12 months of S&S per software or
    hardware line; a subscription to the next anniversary; consumables none). `as_of` is
    today: an order cannot be dated after it."""
    if ordered_on > as_of:
        raise ValidationError({"ordered_on": _("An order date cannot be in the future.")})
    if not lines:
        raise ValidationError(_("An order needs at least one line."))
    for line in lines:
        validate_line(line=line, ordered_on=ordered_on)
    with acting_as(actor):
        order = Order.objects.create(
            number=number or new_order_number(ordered_on),
            site=site,
            ordered_on=ordered_on,
            reseller=site.reseller if source == Order.Source.PORTAL else None,
            source=source,
            currency=lines[0].product.currency,
            created_by=actor,
        )
        for line in lines:
            order_line = OrderLine.objects.create(
                order=order,
                product=line.product,
                edition=line.edition,
                version=line.version,
                quantity=line.quantity,
                unit_price=line_unit_price(site=site, line=line, ordered_on=ordered_on),
            )
            order_line_fulfil(order_line=order_line)
    return order


def order_line_fulfil(*, order_line: OrderLine) -> Entitlement | None:
    """Create the entitlement an order line gives, once (also used by the admin)."""
    product = order_line.product
    if not product.creates_entitlement or order_line.entitlements.exists():
        return None
    order = order_line.order
    start = order.ordered_on
    end = coverage_end_default(site=order.site, product=product, start=start)
    entitlement = Entitlement.objects.create(
        site=order.site,
        product=product,
        edition=order_line.edition,
        version=order_line.version,
        quantity=order_line.quantity,
        order_line=order_line,
        purchased_on=start,
        coverage_start=start,
        coverage_end=end,
    )
    CoveragePeriod.objects.create(
        entitlement=entitlement,
        starts_on=start,
        ends_on=end,
        kind=CoveragePeriod.Kind.PURCHASE,
        note=_("Order %(number)s") % {"number": order.number},
    )
    return entitlement


def coverage_end_default(*, site: Site, product: Product, start: date) -> date:
    """L2: the S&S an order line gives when nothing says otherwise: a subscription runs to the
    agreement's next anniversary, software and hardware 12 months."""
    if product.kind == Product.Kind.SUBSCRIPTION:
        return subscription_end(site=site, ordered_on=start)
    return one_year_of_cover(start)
