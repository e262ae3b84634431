"""The order-discount hook (licensing.pricing_hooks): licensing prices orders with the
largest discount a registered provider gives (renewals registers the volume levels, N7/N8/N9),
on list-priced lines only, and shows why on the review step; without licensing importing the
layers above it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from licensing.models import Order, OrderLine, Product
from licensing.pricing_hooks import (
    OrderDiscount,
    order_discount,
    register_order_discount,
    unregister_order_discount,
)
from licensing.services import LineRequest, order_place
from licensing.services.orders import order_preview
from tests.accounts.factories import SiteFactory
from tests.licensing.factories import ProductFactory

pytestmark = pytest.mark.django_db

DAY = date(2025, 9, 1)


@pytest.fixture
def half_off():
    seen = []

    def provider(*, site, lines, ordered_on):
        seen.append((site.pk, len(lines), ordered_on))
        return OrderDiscount(percent=Decimal(50), label="Half off for testing")

    register_order_discount("test.half_off", provider)
    yield seen
    unregister_order_discount("test.half_off")


def test_a_registered_provider_discounts_the_list_priced_lines(half_off):
    site = SiteFactory()
    product = ProductFactory(list_price=Decimal("1000.00"))
    lines = [LineRequest(product=product, quantity=2)]
    preview = order_preview(site=site, ordered_on=DAY, lines=lines)
    assert (preview.lines[0].unit_price, preview.discount.label) == (
        Decimal("500.00"),
        "Half off for testing",
    )
    order = order_place(
        site=site, ordered_on=DAY, lines=lines, actor=None, source=Order.Source.ADMIN, as_of=DAY
    )
    assert OrderLine.objects.get(order=order).unit_price == Decimal("500.00")
    assert half_off[0] == (site.pk, 1, DAY)


def test_a_price_given_is_the_price(half_off):
    site = SiteFactory()
    line = LineRequest(product=ProductFactory(), quantity=1, unit_price=Decimal("77"))
    assert order_preview(site=site, ordered_on=DAY, lines=[line]).lines[0].unit_price == 77


def test_fixed_list_prices_replace_the_list_price_and_the_largest_discount_wins():
    product = ProductFactory(kind=Product.Kind.SOFTWARE, list_price=Decimal("1000.00"))
    register_order_discount(
        "test.fixed",
        lambda **_kw: OrderDiscount(
            percent=Decimal(10), label="fixed", list_prices={product.pk: Decimal("800.00")}
        ),
    )
    register_order_discount(
        "test.small", lambda **_kw: OrderDiscount(percent=Decimal(5), label="small")
    )
    try:
        site = SiteFactory()
        lines = [LineRequest(product=product, quantity=1)]
        assert order_discount(site=site, lines=lines, ordered_on=DAY).label == "fixed"
        preview = order_preview(site=site, ordered_on=DAY, lines=lines)
        assert preview.lines[0].unit_price == Decimal("720.00")  # 800 less 10 %
    finally:
        unregister_order_discount("test.fixed")
        unregister_order_discount("test.small")
