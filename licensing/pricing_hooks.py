"""Order discounts from the layers above licensing (N7, N8, N9), without licensing importing
them (STYLE: imports go one way).

Orders are priced here, in licensing (services/orders.py `line_unit_price`), but the volume
levels that discount them live in renewals. So renewals registers an *order discount
provider* at start-up (renewals/apps.py `RenewalsConfig.ready`), and licensing asks the
registry when it prices an order:

    provider(*, site, lines, ordered_on) -> OrderDiscount | None

`lines` are the order's LineRequests (a provider may read their products and quantities: an
order's own points or licence count can reach a higher band, N7/N8). When several providers
answer, the largest discount wins. A provider may also fix list prices per product (N9: a
three-year commitment fixes prices for its term); a fixed price replaces the product's list
price on lines priced from the list price (no edition price, no price given).

Lines that arrive with a unit price (staff entering what was paid, imports of past purchases)
are never discounted: the price given is the price."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class OrderDiscount:
    """A discount on an order's list-priced lines, and why (shown on the review step)."""

    percent: Decimal
    label: str
    # N9: product id -> the list price fixed for it (a three-year commitment's prices).
    list_prices: Mapping[int, Decimal] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        return not self.percent and not self.list_prices


NO_DISCOUNT = OrderDiscount(percent=Decimal(0), label="")

OrderDiscountProvider = Callable[..., "OrderDiscount | None"]
_PROVIDERS: dict[str, OrderDiscountProvider] = {}


def register_order_discount(name: str, provider: OrderDiscountProvider) -> None:
    """Register (or replace, by name: ready() may run twice in tests) a provider."""
    _PROVIDERS[name] = provider


def unregister_order_discount(name: str) -> None:
    _PROVIDERS.pop(name, None)


def order_discount(*, site, lines, ordered_on) -> OrderDiscount:
    """The discount an order gets: the largest any provider gives (none: NO_DISCOUNT)."""
    best = NO_DISCOUNT
    for provider in _PROVIDERS.values():
        found = provider(site=site, lines=lines, ordered_on=ordered_on)
        if found is None:
            continue
        if found.percent > best.percent or (best.is_empty and not found.is_empty):
            best = found
    return best
