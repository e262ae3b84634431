"""What renewals does when licensing acts (layers: licensing never imports renewals, so it
sends signals and offers a hook; renewals connects here at start-up, RenewalsConfig.ready).

- licensing.pricing_hooks: orders are priced at the agreement's level, or the band the
  order's own points (PA, N7) or licences (VIP, N8) reach, with a commitment's fixed prices
  (N9) — renewals.services.levels.order_discount_for.
- licensing.signals.order_placed: a VIP order of 10+ qualifying licences raises the level at
  once (N8), inside the order's transaction.
- post_save of a new Product: products added to the catalogue during a three-year term are
  priced under the same terms (N9): their first price is fixed for every active commitment.
"""

from __future__ import annotations

from django.db.models.signals import post_save
from django.utils import timezone

from licensing.models import Product
from licensing.pricing_hooks import register_order_discount
from licensing.signals import order_placed
from renewals.services import (
    commitment_prices_for_new_product,
    order_discount_for,
    order_level_raise,
)


def _order_placed(sender, *, order, as_of, **_kwargs) -> None:
    order_level_raise(order=order, as_of=as_of)


def _product_saved(sender, *, instance, created, raw=False, **_kwargs) -> None:
    if created and not raw:
        commitment_prices_for_new_product(product=instance, on=timezone.localdate())


register_order_discount("renewals.levels", order_discount_for)
order_placed.connect(_order_placed, dispatch_uid="renewals.order_level_raise")
post_save.connect(_product_saved, sender=Product, dispatch_uid="renewals.commitment_prices")
