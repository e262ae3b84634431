"""Writes for orders (L2): prices, line checks, placing an order and the entitlements its
lines give (L3)."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
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
from licensing.models.orders import MAX_LINE_QUANTITY, RESELLER_BACKDATE_DAYS
from licensing.pricing_hooks import NO_DISCOUNT, OrderDiscount, order_discount
from licensing.signals import order_placed
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


def line_unit_price(
    *, site: Site, line: LineRequest, ordered_on: date, discount: OrderDiscount | None = None
) -> Decimal:
    """The unit price: as given, else the list price (edition price when there is one); a
    subscription's annual price is prorated by started month to the anniversary (N3).

    `discount` is the order's volume discount (licensing.pricing_hooks: the level the order
    is priced at, N7/N8, and a commitment's fixed list prices, N9); it applies to lines priced
    here, never to a price given. Rounded once, at the end."""
    if line.unit_price is not None:
        return money(line.unit_price)
    discount = discount or NO_DISCOUNT
    base = line.edition.price if line.edition else line.product.list_price
    if line.version is not None and line.version.list_price is not None and not line.edition:
        base = line.version.list_price
    if not line.edition and line.product.pk in discount.list_prices:
        base = discount.list_prices[line.product.pk]  # N9: the price fixed for the term
    base = Decimal(base) * (100 - Decimal(discount.percent)) / 100
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
    elif line.quantity > MAX_LINE_QUANTITY:
        # The same bound as the CSV import (L6): one constant, one message.
        errors["quantity"] = _("At most %(max)s per line.") % {"max": f"{MAX_LINE_QUANTITY:,}"}
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


def earliest_order_date(*, source: str, as_of: date) -> date | None:
    """L2: the earliest date an order from `source` may carry. A reseller's order is dated
    within RESELLER_BACKDATE_DAYS before today, so end of sale, judged on the order date,
    cannot be got round by back-dating; staff (the admin, or the portal as staff) and imports
    of past purchases (L6) may enter older orders."""
    if source == Order.Source.PORTAL:
        return as_of - timedelta(days=RESELLER_BACKDATE_DAYS)
    return None


def order_check(*, ordered_on: date, lines: list[LineRequest], source: str, as_of: date) -> None:
    """L2: everything an order must satisfy before it is placed, without writing: the order
    date (never after today; for resellers within the back-dating window) and each line. The
    review step and order_place both call it, so what was reviewed is what is placed."""
    if ordered_on > as_of:
        raise ValidationError({"ordered_on": _("An order date cannot be in the future.")})
    earliest = earliest_order_date(source=source, as_of=as_of)
    if earliest is not None and ordered_on < earliest:
        raise ValidationError(
            {
                "ordered_on": _(
                    "An order placed by a reseller can be dated at most %(days)s days back "
                    "(%(earliest)s or later). Ask the vendor to enter an older purchase."
                )
                % {"days": RESELLER_BACKDATE_DAYS, "earliest": earliest.isoformat()}
            }
        )
    if not lines:
        raise ValidationError(_("An order needs at least one line."))
    for line in lines:
        validate_line(line=line, ordered_on=ordered_on)


@dataclass(frozen=True)
class PricedLine:
    line: LineRequest
    unit_price: Decimal

    @property
    def amount(self) -> Decimal:
        return money(self.unit_price * self.line.quantity)


@dataclass(frozen=True)
class OrderPreview:
    """What the confirmation step shows (L2): each line at the price it will be placed at."""

    lines: list[PricedLine]
    currency: str
    discount: OrderDiscount = NO_DISCOUNT  # the volume level it is priced at (N7/N8/N9)

    @property
    def total(self) -> Decimal:
        return money(sum((line.amount for line in self.lines), Decimal(0)))


def order_preview(*, site: Site, ordered_on: date, lines: list[LineRequest]) -> OrderPreview:
    """The lines priced as order_place will price them; writes nothing."""
    discount = order_discount(site=site, lines=lines, ordered_on=ordered_on)
    return OrderPreview(
        lines=[
            PricedLine(
                line,
                line_unit_price(site=site, line=line, ordered_on=ordered_on, discount=discount),
            )
            for line in lines
        ],
        currency=lines[0].product.currency,
        discount=discount,
    )


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
    placement_token: uuid.UUID | None = None,
) -> Order:
    """L2: record an order and create its entitlements (12 months of S&S per software or
    hardware line; a subscription to the next anniversary; consumables none). `as_of` is
    today: an order cannot be dated after it (nor, for a reseller, long before it).

    With a `placement_token` (the confirmation step's key) placing is idempotent: a second
    call with the same token returns the order the first one placed.

    Lines are priced with the order's volume discount (licensing.pricing_hooks, N7/N8/N9),
    the one the review step showed; `licensing.signals.order_placed` is sent inside the
    transaction once the order is written (N8: a single order of 10+ licences raises the
    level at once)."""
    if placement_token is not None:
        existing = _order_of_token(site=site, placement_token=placement_token)
        if existing is not None:
            return existing
    order_check(ordered_on=ordered_on, lines=lines, source=source, as_of=as_of)
    discount = order_discount(site=site, lines=lines, ordered_on=ordered_on)
    with acting_as(actor):
        try:
            # A savepoint: a concurrent confirmation of the same token loses on the unique
            # index and returns the winner's order instead.
            with transaction.atomic():
                order = Order.objects.create(
                    number=number or new_order_number(ordered_on),
                    site=site,
                    ordered_on=ordered_on,
                    reseller=site.reseller if source == Order.Source.PORTAL else None,
                    source=source,
                    currency=lines[0].product.currency,
                    created_by=actor,
                    placement_token=placement_token,
                )
        except IntegrityError:
            existing = (
                _order_of_token(site=site, placement_token=placement_token)
                if placement_token is not None
                else None
            )
            if existing is None:
                raise
            return existing
        for line in lines:
            order_line = OrderLine.objects.create(
                order=order,
                product=line.product,
                edition=line.edition,
                version=line.version,
                quantity=line.quantity,
                unit_price=line_unit_price(
                    site=site, line=line, ordered_on=ordered_on, discount=discount
                ),
            )
            order_line_fulfil(order_line=order_line)
        order_placed.send(sender=Order, order=order, as_of=as_of)
    return order


def _order_of_token(*, site: Site, placement_token: uuid.UUID) -> Order | None:
    existing = Order.objects.filter(placement_token=placement_token).first()
    if existing is not None and existing.site_id != site.pk:
        # A key is made for one site's confirmation page; another site's is not this order.
        raise ValidationError(_("This confirmation is not valid any more. Review the order again."))
    return existing


def order_line_fulfil(*, order_line: OrderLine) -> Entitlement | None:
    """Create the entitlement an order line gives, once (also used by the admin)."""
    product = order_line.product
    if not product.creates_entitlement or order_line.entitlements.exists():
        return None
    if order_line.applies_to_id or order_line.order.source == Order.Source.QUOTE:
        return None  # it renews or changes an entitlement it did not create (N6)
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
