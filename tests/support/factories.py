"""Support test helpers (STYLE: one factories module per app): covered and lapsed lines, and
tickets opened through the service, as users open them."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.utils import timezone

from licensing.models import Product
from support.services.tickets import ticket_open
from tests.licensing.factories import EntitlementFactory, ProductFactory


def covered_line(site, *, product=None, kind=Product.Kind.SOFTWARE, today: date | None = None):
    """A line of `product` (a new one of `kind` by default) covered for a year around today."""
    today = today or timezone.localdate()
    product = product or ProductFactory(kind=kind)
    return EntitlementFactory(
        site=site,
        product=product,
        coverage_start=today - timedelta(days=100),
        coverage_end=today + timedelta(days=265),
    )


def lapsed_line(site, *, product=None, kind=Product.Kind.SOFTWARE, today: date | None = None):
    """A line whose S&S lapsed 20 days ago."""
    today = today or timezone.localdate()
    product = product or ProductFactory(kind=kind)
    return EntitlementFactory(
        site=site,
        product=product,
        purchased_on=today - timedelta(days=400),
        coverage_start=today - timedelta(days=385),
        coverage_end=today - timedelta(days=20),
    )


def ticket_opened(
    world,
    *,
    role: str = "caller",
    line=None,
    severity: int = 3,
    now: datetime | None = None,
    title: str = "The licence server does not start",
    **kwargs,
):
    """A ticket opened through the service (S1–S3) at world.site by `role`."""
    now = now or timezone.now()
    line = line or covered_line(world.site, today=now.date())
    return ticket_open(
        site_id=line.site_id,
        product_id=line.product_id,
        severity=severity,
        title=title,
        description="Since this morning the service stops at start-up.",
        actor=world.users[role],
        now=now,
        **kwargs,
    )
