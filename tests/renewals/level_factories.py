"""Helpers for the level and commitment tests (N7, N8, N9): agreements with a site and its
contacts, purchases placed through licensing's order service (so the pricing hook and the
order_placed signal run), renewals written as coverage periods."""

from __future__ import annotations

import importlib
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import Site
from licensing.models import CoveragePeriod, Entitlement, Order, Product
from licensing.services import LineRequest, coverage_add, order_place
from renewals.models import AgreementLevel, Commitment, Level
from tests.accounts.factories import ContactFactory, SiteFactory, UserFactory
from tests.licensing.factories import ProductFactory


def ensure_default_levels() -> None:
    """The default levels (migration 0002), again: a transactional test's flush removes what
    data migrations wrote, and the browser tests run in such transactions."""
    from django.apps import apps  # noqa: PLC0415

    migration = importlib.import_module("renewals.migrations.0002_default_levels")
    migration.load(apps, None)


def agreement_site(*, programme: str = "VIP", month: int = 5, reseller=None, **kwargs) -> Site:
    """A site of a new agreement with a primary contact (a portal user) and a renewal
    contact."""
    site = SiteFactory(
        agreement__programme=programme,
        agreement__anniversary_month=month,
        reseller=reseller,
        **kwargs,
    )
    ContactFactory(
        site=site,
        email=f"primary-{site.number}@customer.test",
        is_primary=True,
        user=UserFactory(email=f"primary-{site.number}@customer.test"),
        site_number_confirmed_at=timezone.now(),
    )
    ContactFactory(
        site=site, email=f"renewals-{site.number}@customer.test", is_renewal_contact=True
    )
    return site


def subscription(**kwargs) -> Product:
    """A VIP subscription that counts toward volume (N8)."""
    values = {"list_price": Decimal("1200.00"), "annual_ss_price": Decimal("1200.00"), **kwargs}
    return ProductFactory(kind=Product.Kind.SUBSCRIPTION, **values)


def consumable(**kwargs) -> Product:
    """Consumables never count toward volume levels (N8, L2)."""
    return ProductFactory(
        kind=Product.Kind.CONSUMABLE, counts_toward_volume=False, annual_ss_price=0, **kwargs
    )


def buy(site: Site, product: Product, quantity: int, on: date) -> Order:
    return order_place(
        site=site,
        ordered_on=on,
        lines=[LineRequest(product=product, quantity=quantity)],
        actor=None,
        source=Order.Source.ADMIN,
        as_of=on,
    )


def level_set(site: Site, code: str, *, since: date, vip_select: bool = False) -> None:
    agreement = site.agreement
    AgreementLevel.objects.update_or_create(
        agreement=agreement,
        defaults={
            "level": Level.objects.get(programme=agreement.programme, code=code),
            "since": since,
            "vip_select_since": since if vip_select else None,
        },
    )


def renew_to(site: Site, ends_on: date, *, quantity: int | None = None) -> None:
    """Renew the site's subscriptions to `ends_on` (a renewal quote's effect), all of them or
    the first `quantity` licences' worth of lines."""
    left = quantity
    for entitlement in Entitlement.objects.filter(site=site, quantity__gt=0).order_by("pk"):
        if left is not None and left < entitlement.quantity:
            if left <= 0:
                break
            raise AssertionError("renew whole entitlements in these tests")
        coverage_add(
            entitlement=entitlement,
            starts_on=entitlement.coverage_end + timedelta(days=1),
            ends_on=ends_on,
            kind=CoveragePeriod.Kind.RENEWAL,
        )
        if left is not None:
            left -= entitlement.quantity


def invited(site: Site, on: date) -> Commitment:
    return Commitment.objects.create(
        agreement=site.agreement, state=Commitment.State.INVITED, invited_on=on
    )
