"""factory_boy factories for licensing (STYLE: one factories module per app)."""

from datetime import date, timedelta
from decimal import Decimal

import factory

from licensing.models import (
    Activation,
    CoveragePeriod,
    Edition,
    Entitlement,
    Order,
    OrderLine,
    Product,
    Version,
)
from portal.core.dates import one_year_of_cover
from tests.accounts.factories import SiteFactory


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    part_number = factory.Sequence(lambda n: f"PRD-{n:05d}")
    name = factory.Sequence(lambda n: f"Product {n}")
    family = "Atlas Database"
    kind = Product.Kind.SOFTWARE
    delivery = Product.Delivery.ONLINE
    list_price = Decimal("1000.00")
    annual_ss_price = Decimal("200.00")


class EditionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Edition

    product = factory.SubFactory(ProductFactory)
    name = factory.Sequence(lambda n: f"Edition {n}")
    rank = factory.Sequence(lambda n: n + 1)
    price = Decimal("1000.00")


class VersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Version

    product = factory.SubFactory(ProductFactory)
    version = factory.Sequence(lambda n: f"{n + 1}.0")
    release_date = date(2022, 1, 1)
    eos_date = date(2035, 12, 31)
    upgrade_price = Decimal("300.00")


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Order

    number = factory.Sequence(lambda n: f"ORD-TEST-{n:06d}")
    site = factory.SubFactory(SiteFactory)
    ordered_on = date(2025, 1, 15)
    source = Order.Source.ADMIN


class OrderLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrderLine

    order = factory.SubFactory(OrderFactory)
    product = factory.SubFactory(ProductFactory)
    quantity = 1
    unit_price = factory.SelfAttribute("product.list_price")


class EntitlementFactory(factory.django.DjangoModelFactory):
    """An entitlement with its purchase coverage period (L3: the history behind the span)."""

    class Meta:
        model = Entitlement
        skip_postgeneration_save = True

    site = factory.SubFactory(SiteFactory)
    product = factory.SubFactory(ProductFactory)
    quantity = 1
    purchased_on = date(2025, 1, 15)
    coverage_start = factory.SelfAttribute("purchased_on")
    coverage_end = factory.LazyAttribute(lambda o: one_year_of_cover(o.coverage_start))

    @factory.post_generation
    def coverage_period(self, create, extracted, **kwargs):
        if create and extracted is not False:
            CoveragePeriod.objects.create(
                entitlement=self,
                starts_on=self.coverage_start,
                ends_on=self.coverage_end,
                kind=CoveragePeriod.Kind.PURCHASE,
            )


class ActivationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activation

    entitlement = factory.SubFactory(EntitlementFactory)
    product = factory.SelfAttribute("entitlement.product")
    machine_id = factory.Sequence(lambda n: f"PC-{n:05d}")
    activated_on = factory.LazyAttribute(lambda o: o.entitlement.purchased_on + timedelta(days=1))


class CoveragePeriodFactory(factory.django.DjangoModelFactory):
    """A period in the entitlement's history (not refreshing its span: use services for that)."""

    class Meta:
        model = CoveragePeriod

    entitlement = factory.SubFactory(EntitlementFactory)
    starts_on = factory.SelfAttribute("entitlement.coverage_start")
    ends_on = factory.SelfAttribute("entitlement.coverage_end")
    kind = CoveragePeriod.Kind.RENEWAL
