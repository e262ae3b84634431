"""L2: orders and the entitlements they create (the service), order placement by the
account-managing reseller, the order page and the site's order list."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from licensing import services
from licensing.models import CoveragePeriod, Entitlement, Order, OrderLine, Product
from tests.conftest import client_for
from tests.licensing.factories import EditionFactory, ProductFactory, VersionFactory

pytestmark = pytest.mark.django_db

TODAY = date(2025, 6, 1)


def place(site, ordered_on, *lines, as_of=TODAY, source=Order.Source.ADMIN):
    return services.order_place(
        site=site,
        ordered_on=ordered_on,
        lines=list(lines),
        actor=None,
        source=source,
        as_of=as_of,
    )


# --- the service -------------------------------------------------------------------------------


def test_a_software_line_gives_twelve_months_of_ss_to_the_day_before_a_year_later(world):
    product = ProductFactory(list_price=Decimal("1200.00"))

    order = place(world.site, date(2025, 3, 10), services.LineRequest(product=product, quantity=3))

    entitlement = Entitlement.objects.get(order_line__order=order)
    assert (entitlement.coverage_start, entitlement.coverage_end) == (
        date(2025, 3, 10),
        date(2026, 3, 9),
    )
    assert (entitlement.quantity, entitlement.purchased_on, entitlement.site) == (
        3,
        date(2025, 3, 10),
        world.site,
    )
    period = entitlement.coverage_periods.get()
    assert (period.starts_on, period.ends_on, period.kind) == (
        date(2025, 3, 10),
        date(2026, 3, 9),
        CoveragePeriod.Kind.PURCHASE,
    )
    assert order.lines.get().unit_price == Decimal("1200.00")


def test_a_hardware_line_gives_twelve_months_of_support(world):
    appliance = ProductFactory(kind=Product.Kind.HARDWARE, delivery=Product.Delivery.OFFLINE)

    order = place(world.site, date(2024, 12, 31), services.LineRequest(appliance, 1))

    entitlement = Entitlement.objects.get(order_line__order=order)
    assert entitlement.coverage_end == date(2025, 12, 30)


def test_a_subscription_runs_to_the_next_anniversary_at_a_price_prorated_by_month(world):
    """The world's agreement has its anniversary at the end of March: 10 November to
    31 March is five started months of the 960 a year."""
    subscription = ProductFactory(kind=Product.Kind.SUBSCRIPTION, list_price=Decimal("960.00"))

    order = place(world.site, date(2024, 11, 10), services.LineRequest(subscription, 2))

    entitlement = Entitlement.objects.get(order_line__order=order)
    assert (entitlement.coverage_start, entitlement.coverage_end) == (
        date(2024, 11, 10),
        date(2025, 3, 31),
    )
    assert order.lines.get().unit_price == Decimal("400.00")


def test_a_consumable_is_a_purchase_only(world):
    labels = ProductFactory(kind=Product.Kind.CONSUMABLE, counts_toward_volume=False)

    order = place(world.site, date(2025, 5, 2), services.LineRequest(labels, 20))

    assert order.lines.count() == 1
    assert not Entitlement.objects.exists()


def test_the_edition_price_is_the_default_unit_price(world):
    product = ProductFactory(list_price=Decimal("12000"))
    pro = EditionFactory(product=product, name="Pro", price=Decimal("22000"))

    order = place(world.site, date(2025, 5, 2), services.LineRequest(product, 1, edition=pro))

    assert order.lines.get().unit_price == Decimal("22000.00")


def test_a_product_can_be_ordered_on_its_end_of_sale_date_but_not_after(world):
    product = ProductFactory(part_number="BCN-AN-150", end_of_sale=date(2025, 4, 30))

    place(world.site, date(2025, 4, 30), services.LineRequest(product, 1))
    with pytest.raises(ValidationError) as refused:
        place(world.site, date(2025, 5, 1), services.LineRequest(product, 1))

    assert refused.value.message_dict["product"] == [
        "BCN-AN-150 reached its end of sale on 2025-04-30 and can no longer be ordered."
    ]
    assert Order.objects.count() == 1


def test_a_future_order_date_is_refused(world):
    product = ProductFactory()

    with pytest.raises(ValidationError) as refused:
        place(world.site, TODAY + timedelta(days=1), services.LineRequest(product, 1))

    assert refused.value.message_dict["ordered_on"] == ["An order date cannot be in the future."]
    assert not Order.objects.exists()


# --- placing an order from the portal ----------------------------------------------------------


@pytest.fixture
def catalogue(db):
    today = timezone.localdate()
    atlas = ProductFactory(part_number="ATL-DB-100", list_price=Decimal("12000"))
    return {
        "atlas": atlas,
        "plus": EditionFactory(product=atlas, name="Plus", rank=2, price=Decimal("16000")),
        "v11": VersionFactory(product=atlas, version="11.0", release_date=today),
        "retired": ProductFactory(part_number="BCN-AN-150", end_of_sale=today - timedelta(days=10)),
        "other_edition": EditionFactory(name="Foreign"),
    }


def create_url(site) -> str:
    return reverse("licensing:order_create", args=[site.number])


def order_post(*lines: dict, ordered_on: date | None = None) -> dict:
    data = {
        "ordered_on": (ordered_on or timezone.localdate()).isoformat(),
        "lines-TOTAL_FORMS": str(max(len(lines), 1)),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "20",
    }
    for index, line in enumerate(lines):
        for name, value in line.items():
            data[f"lines-{index}-{name}"] = value
    return data


def line(product, quantity=1, **extra) -> dict:
    return {"product": str(product.pk), "quantity": str(quantity), **extra}


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("reseller", 200),
        ("staff", 200),
        ("primary", 403),
        ("site_admin", 403),
        ("stc", 403),
        ("caller", 403),
        ("other_reseller", 404),
        ("other_customer", 404),
    ],
)
def test_orders_are_placed_by_the_account_managing_reseller_and_staff(
    client, world, catalogue, role, status
):
    client_for(client, world, role)

    assert client.get(create_url(world.site)).status_code == status
    assert client.post(create_url(world.site), order_post()).status_code == status


def test_a_reseller_order_goes_through_the_reseller_and_opens_its_page(client, world, catalogue):
    client_for(client, world, "reseller")

    response = client.post(
        create_url(world.site),
        order_post(
            line(
                catalogue["atlas"],
                4,
                edition=str(catalogue["plus"].pk),
                version=str(catalogue["v11"].pk),
            )
        ),
    )

    order = Order.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("licensing:order_detail", args=[order.pk])
    assert (order.source, order.reseller, order.created_by) == (
        Order.Source.PORTAL,
        world.reseller,
        world.users["reseller"],
    )
    order_line = order.lines.get()
    assert (order_line.quantity, order_line.unit_price) == (4, Decimal("16000.00"))
    entitlement = Entitlement.objects.get(order_line=order_line)
    assert (entitlement.edition, entitlement.version) == (catalogue["plus"], catalogue["v11"])


def test_staff_enter_orders_from_the_portal_as_staff(client, world, catalogue):
    client_for(client, world, "staff")

    client.post(
        create_url(world.site), order_post(line(catalogue["atlas"], 1, unit_price="999.50"))
    )

    order = Order.objects.get()
    assert (order.source, order.reseller) == (Order.Source.ADMIN, None)
    assert order.lines.get().unit_price == Decimal("999.50")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            lambda c: order_post(line(c["retired"], 1)),
            "BCN-AN-150 reached its end of sale on",
        ),
        (lambda c: order_post(line(c["atlas"], 0)), "The quantity must be at least 1."),
        (lambda c: order_post(line(c["atlas"], -3)), "The quantity must be at least 1."),
        (
            lambda c: order_post(line(c["atlas"], 1), ordered_on=date(2099, 1, 1)),
            "An order date cannot be in the future.",
        ),
        (lambda _c: order_post(), "Add at least one line to the order."),
        (
            lambda c: order_post(line(c["atlas"], 1, edition=str(c["other_edition"].pk))),
            "Edition Foreign belongs to another product.",
        ),
    ],
    ids=[
        "end-of-sale product",
        "zero quantity",
        "negative quantity",
        "future order date",
        "no lines",
        "edition of another product",
    ],
)
def test_the_order_form_refuses_with_a_clear_message(client, world, catalogue, data, message):
    client_for(client, world, "reseller")

    response = client.post(create_url(world.site), data(catalogue))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Order.objects.exists()


def test_the_order_form_marks_end_of_sale_products(client, world, catalogue):
    client_for(client, world, "reseller")

    page = client.get(create_url(world.site)).content.decode()

    assert "(end of sale " in page


# --- the order page and the site's orders ------------------------------------------------------


@pytest.fixture
def order(world, catalogue):
    consumable = ProductFactory(kind=Product.Kind.CONSUMABLE, counts_toward_volume=False)
    return services.order_place(
        site=world.site,
        ordered_on=timezone.localdate() - timedelta(days=3),
        lines=[
            services.LineRequest(catalogue["atlas"], 2, edition=catalogue["plus"]),
            services.LineRequest(consumable, 10, unit_price=Decimal("3.50")),
        ],
        actor=world.users["reseller"],
        source=Order.Source.PORTAL,
        as_of=timezone.localdate(),
    )


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("primary", 200),
        ("site_admin", 200),
        ("stc", 200),
        ("caller", 200),
        ("reseller", 200),
        ("staff", 200),
        ("other_reseller", 404),
        ("other_customer", 404),
    ],
)
def test_the_order_page_is_for_whoever_sees_the_site(client, world, order, role, status):
    client_for(client, world, role)

    assert client.get(reverse("licensing:order_detail", args=[order.pk])).status_code == status
    # A4: another tenant's order is a 404 for every method; the page itself is read-only.
    refused = 405 if status == 200 else 404
    assert client.post(reverse("licensing:order_detail", args=[order.pk])).status_code == refused


def test_the_order_page_lists_lines_entitlements_and_the_poe(client, world, order):
    client_for(client, world, "caller")

    response = client.get(reverse("licensing:order_detail", args=[order.pk]))

    page = response.content.decode()
    entitlement = Entitlement.objects.get(order_line__order=order)
    assert len(response.context["lines"]) == 2
    assert list(response.context["entitlements"]) == [entitlement]
    assert entitlement.poe_number in page
    assert reverse("licensing:order_poe", args=[order.pk]) in page
    assert response.context["total"] == Decimal("32035.00")  # 2 × 16,000 + 10 × 3.50


@pytest.mark.parametrize(
    ("role", "status"),
    [("caller", 200), ("reseller", 200), ("other_reseller", 404), ("other_customer", 404)],
)
def test_the_site_order_list_is_for_whoever_sees_the_site(client, world, order, role, status):
    client_for(client, world, role)

    response = client.get(reverse("licensing:site_orders", args=[world.site.number]))

    assert response.status_code == status


def test_the_site_order_list_pages_and_offers_placement_to_the_reseller(client, world, catalogue):
    for day in range(30):
        place(
            world.site,
            timezone.localdate() - timedelta(days=day),
            services.LineRequest(catalogue["atlas"], 1),
            as_of=timezone.localdate(),
        )
    client_for(client, world, "reseller")
    url = reverse("licensing:site_orders", args=[world.site.number])

    first, second = client.get(url), client.get(url + "?page=2")

    assert len(first.context["page"].object_list) == 25
    assert len(second.context["page"].object_list) == 5
    assert create_url(world.site) in first.content.decode()


def test_the_site_order_list_offers_no_placement_to_customers(client, world, order):
    client_for(client, world, "primary")

    page = client.get(reverse("licensing:site_orders", args=[world.site.number]))

    assert create_url(world.site) not in page.content.decode()
    assert order.number in page.content.decode()


# --- query ceilings ----------------------------------------------------------------------------


def measure(client, url, ceiling, django_assert_max_num_queries):
    assert client.get(url).status_code == 200  # sets the per-session flags first
    with django_assert_max_num_queries(ceiling):
        response = client.get(url)
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("n", [3, 60])
def test_order_list_queries_do_not_grow(client, world, n, django_assert_max_num_queries):
    product = ProductFactory()
    for day in range(n):
        place(
            world.site,
            timezone.localdate() - timedelta(days=day),
            services.LineRequest(product, 1),
            services.LineRequest(product, 2),
            as_of=timezone.localdate(),
        )
    client_for(client, world, "reseller")

    measure(
        client,
        reverse("licensing:site_orders", args=[world.site.number]),
        10,
        django_assert_max_num_queries,
    )


@pytest.mark.parametrize("n", [1, 30])
def test_order_page_queries_do_not_grow(client, world, n, django_assert_max_num_queries):
    lines = [
        services.LineRequest(ProductFactory(), 1, edition=None, version=None) for _ in range(n)
    ]
    order = place(world.site, timezone.localdate(), *lines, as_of=timezone.localdate())
    client_for(client, world, "primary")

    response = measure(
        client,
        reverse("licensing:order_detail", args=[order.pk]),
        9,
        django_assert_max_num_queries,
    )
    assert len(response.context["entitlements"]) == n


@pytest.mark.parametrize("n", [2, 50])
def test_order_form_queries_do_not_grow_with_the_catalogue(
    client, world, n, django_assert_max_num_queries
):
    for _ in range(n):
        product = ProductFactory()
        EditionFactory(product=product)
        VersionFactory(product=product)
    client_for(client, world, "reseller")

    measure(client, create_url(world.site), 11, django_assert_max_num_queries)
    with django_assert_max_num_queries(40):
        client.post(create_url(world.site), order_post(line(product, 2)))
    assert OrderLine.objects.count() == 1
