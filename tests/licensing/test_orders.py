"""L2: orders and the entitlements they create (the service), order placement by the
account-managing reseller, the order page and the site's order list."""

from __future__ import annotations

import html
import re
import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from licensing import imports, services
from licensing.models import CoveragePeriod, Entitlement, Order, OrderLine, Product
from licensing.models.orders import MAX_LINE_QUANTITY, RESELLER_BACKDATE_DAYS
from licensing.services.orders import order_check
from tests.accounts.factories import UserFactory, with_totp
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


# Review #7 item 5 (L2): one bound on a line's quantity for every path, and a reseller's
# order dated only within a short window, so end of sale cannot be got round by back-dating.


def test_the_quantity_bound_is_the_one_the_import_uses():
    assert MAX_LINE_QUANTITY == 1_000_000
    assert imports.MAX_LINE_QUANTITY is MAX_LINE_QUANTITY


def test_a_line_of_a_million_is_placed_but_not_one_more(world):
    product = ProductFactory()

    place(world.site, TODAY, services.LineRequest(product, MAX_LINE_QUANTITY))
    with pytest.raises(ValidationError) as refused:
        place(world.site, TODAY, services.LineRequest(product, MAX_LINE_QUANTITY + 1))

    assert refused.value.message_dict["quantity"] == ["At most 1,000,000 per line."]
    assert Order.objects.count() == 1


def test_the_order_line_model_refuses_more_than_a_million(world):
    line = OrderLine(
        order=Order(site=world.site), product=ProductFactory(), quantity=MAX_LINE_QUANTITY + 1
    )

    with pytest.raises(ValidationError) as refused:
        line.clean_fields(exclude=["order", "unit_price"])

    assert "quantity" in refused.value.message_dict


@pytest.mark.parametrize(
    ("days_back", "accepted"),
    [(0, True), (RESELLER_BACKDATE_DAYS, True), (RESELLER_BACKDATE_DAYS + 1, False)],
)
def test_a_reseller_order_is_dated_within_the_window_before_today(world, days_back, accepted):
    line = services.LineRequest(ProductFactory(), 1)
    ordered_on = TODAY - timedelta(days=days_back)

    if accepted:
        order_check(ordered_on=ordered_on, lines=[line], source=Order.Source.PORTAL, as_of=TODAY)
        return
    with pytest.raises(ValidationError) as refused:
        order_check(ordered_on=ordered_on, lines=[line], source=Order.Source.PORTAL, as_of=TODAY)
    assert refused.value.message_dict["ordered_on"] == [
        (
            "An order placed by a reseller can be dated at most 30 days back (2025-05-02 or "
            "later). Ask the vendor to enter an older purchase."
        )
    ]


def test_a_reseller_cannot_back_date_round_an_end_of_sale(world):
    """The finding: dated 2024-01-01 for a product whose sale ended 2025-06-30."""
    product = ProductFactory(end_of_sale=date(2025, 6, 30))

    with pytest.raises(ValidationError) as refused:
        place(
            world.site,
            date(2024, 1, 1),
            services.LineRequest(product, 1),
            as_of=date(2025, 9, 1),
            source=Order.Source.PORTAL,
        )

    assert "ordered_on" in refused.value.message_dict
    assert not Order.objects.exists()


def test_staff_may_back_date_an_order(world):
    product = ProductFactory(end_of_sale=date(2025, 6, 30))

    order = place(
        world.site,
        date(2024, 1, 1),
        services.LineRequest(product, 1),
        as_of=date(2025, 9, 1),
        source=Order.Source.ADMIN,
    )

    assert order.ordered_on == date(2024, 1, 1)


def test_end_of_sale_is_judged_on_the_order_date(world):
    """A reseller order dated within the window, on or before the end of sale, is accepted
    after the end of sale has passed; dated after it, refused."""
    product = ProductFactory(part_number="BCN-AN-150", end_of_sale=TODAY - timedelta(days=10))

    kept = place(
        world.site,
        TODAY - timedelta(days=15),
        services.LineRequest(product, 1),
        source=Order.Source.PORTAL,
    )
    with pytest.raises(ValidationError) as refused:
        place(world.site, TODAY, services.LineRequest(product, 1), source=Order.Source.PORTAL)

    assert kept.ordered_on == TODAY - timedelta(days=15)
    assert "product" in refused.value.message_dict


def test_a_placement_token_places_one_order(world):
    token = uuid.uuid4()
    product = ProductFactory()

    first = services.order_place(
        site=world.site,
        ordered_on=TODAY,
        lines=[services.LineRequest(product, 2)],
        actor=None,
        source=Order.Source.ADMIN,
        as_of=TODAY,
        placement_token=token,
    )
    second = services.order_place(
        site=world.site,
        ordered_on=TODAY,
        lines=[services.LineRequest(product, 2)],
        actor=None,
        source=Order.Source.ADMIN,
        as_of=TODAY,
        placement_token=token,
    )

    assert first == second
    assert Order.objects.count() == 1
    assert Entitlement.objects.count() == 1


# --- placing an order from the portal ----------------------------------------------------------


@pytest.fixture
def catalogue(db):
    today = timezone.localdate()
    atlas = ProductFactory(
        part_number="ATL-DB-100", name="Atlas Database Server", list_price=Decimal("12000")
    )
    beacon = ProductFactory(
        part_number="BCN-AN-200", name="Beacon Analytics", list_price=Decimal("2400")
    )
    return {
        "atlas": atlas,
        "standard": EditionFactory(product=atlas, name="Standard", rank=1, price=Decimal("12000")),
        "plus": EditionFactory(product=atlas, name="Plus", rank=2, price=Decimal("16000")),
        "v11": VersionFactory(product=atlas, version="11.0", release_date=today),
        "beacon": beacon,
        "beacon_standard": EditionFactory(
            product=beacon, name="Standard", rank=1, price=Decimal("2400")
        ),
        "beacon_v10": VersionFactory(product=beacon, version="10.0"),
        "retired": ProductFactory(part_number="BCN-AN-150", end_of_sale=today - timedelta(days=10)),
        "other_edition": EditionFactory(name="Foreign"),
    }


def create_url(site) -> str:
    return reverse("licensing:order_create", args=[site.number])


def order_post(*lines: dict, ordered_on: date | None = None, action: str = "review") -> dict:
    data = {
        "action": action,
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


TOKEN = re.compile(r'name="placement_token" value="([0-9a-f-]{36})"')


def hidden_fields(page: str) -> dict:
    """What the review page's form sends back: its hidden inputs, as a browser would."""
    fields = {}
    for tag in re.findall(r"<input [^>]*>", page):
        if 'type="hidden"' in tag:
            name = re.search(r'name="([^"]+)"', tag).group(1)
            value = re.search(r'value="([^"]*)"', tag)
            fields[name] = html.unescape(value.group(1)) if value else ""
    fields.pop("csrfmiddlewaretoken", None)
    return fields


def review_and_place(client, site, data: dict):
    """Review the order, then press "Place order" on the review page."""
    review = client.post(create_url(site), data)
    assert review.status_code == 200, review.content.decode()
    page = review.content.decode()
    assert TOKEN.search(page), page
    return client.post(create_url(site), {**hidden_fields(page), "action": "place"})


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

    response = review_and_place(
        client,
        world.site,
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

    review_and_place(
        client, world.site, order_post(line(catalogue["atlas"], 1, unit_price="999.50"))
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
            "Select a valid choice.",
        ),
        (
            lambda c: order_post(line(c["atlas"], 1, version=str(c["beacon_v10"].pk))),
            "Select a valid choice.",
        ),
        # Review #7 item 5: no 500 on a quantity past any integer column, one bound (L2, L6).
        (lambda c: order_post(line(c["atlas"], 10**20)), "At most 1,000,000 per line."),
        (lambda c: order_post(line(c["atlas"], 2_147_483_648)), "At most 1,000,000 per line."),
        (lambda c: order_post(line(c["atlas"], 1_000_001)), "At most 1,000,000 per line."),
        (lambda c: order_post(line(c["atlas"], "1e20")), "Enter a whole number."),
        (
            lambda c: order_post(line(c["atlas"], 1), ordered_on=date(2024, 1, 1)),
            "An order placed by a reseller can be dated at most 30 days back",
        ),
        (
            lambda c: order_post(line(c["atlas"], 1), ordered_on=date(1900, 1, 1)),
            "An order placed by a reseller can be dated at most 30 days back",
        ),
    ],
    ids=[
        "end-of-sale product",
        "zero quantity",
        "negative quantity",
        "future order date",
        "no lines",
        "edition of another product",
        "version of another product",
        "quantity 1e20",
        "quantity 2147483648",
        "quantity 1000001",
        "quantity written 1e20",
        "reseller back-dated to 2024",
        "reseller back-dated to 1900",
    ],
)
@pytest.mark.parametrize("action", ["review", "place"])
def test_the_order_form_refuses_with_a_clear_message(
    client, world, catalogue, data, message, action
):
    client_for(client, world, "reseller")

    response = client.post(create_url(world.site), {**data(catalogue), "action": action})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert "Place order" not in response.content.decode()
    assert not Order.objects.exists()


def test_a_line_of_a_million_is_accepted_on_the_form(client, world, catalogue):
    client_for(client, world, "reseller")

    review_and_place(client, world.site, order_post(line(catalogue["beacon"], 1_000_000)))

    assert OrderLine.objects.get().quantity == 1_000_000


def test_staff_may_back_date_an_order_on_the_form(client, world, catalogue):
    """Staff enter older purchases (L2): before the retired product's end of sale, too."""
    client_for(client, world, "staff")
    long_ago = timezone.localdate() - timedelta(days=400)

    response = review_and_place(
        client, world.site, order_post(line(catalogue["retired"], 2), ordered_on=long_ago)
    )

    assert response.status_code == 302
    assert Order.objects.get().ordered_on == long_ago


def test_the_reseller_date_field_offers_the_window_only(client, world, catalogue):
    client_for(client, world, "reseller")
    today = timezone.localdate()

    page = client.get(create_url(world.site)).content.decode()

    assert f'min="{(today - timedelta(days=RESELLER_BACKDATE_DAYS)).isoformat()}"' in page
    assert f'max="{today.isoformat()}"' in page


def test_the_order_form_marks_end_of_sale_products(client, world, catalogue):
    client_for(client, world, "reseller")

    page = client.get(create_url(world.site)).content.decode()

    assert "(end of sale " in page


# Review #7 item 18: only the chosen product's editions and versions, and a review step.


def options(page: str, name: str) -> list[str]:
    """The option labels of the select named `name`."""
    select = re.search(rf'<select name="{re.escape(name)}".*?</select>', page, re.DOTALL)
    assert select, f"no select {name}"
    return [
        html.unescape(label).strip()
        for label in re.findall(r"<option[^>]*>(.*?)</option>", select.group(0), re.DOTALL)
    ]


def test_before_a_product_is_chosen_no_edition_or_version_is_offered(client, world, catalogue):
    client_for(client, world, "reseller")

    page = client.get(create_url(world.site)).content.decode()

    assert options(page, "lines-0-edition") == ["—"]
    assert options(page, "lines-0-version") == ["—"]


def test_choosing_a_product_offers_only_its_editions_and_versions(client, world, catalogue):
    """Without JavaScript the form's button re-renders it server-side; nothing is written
    and no error is shown for what is not filled in yet."""
    client_for(client, world, "reseller")

    response = client.post(
        create_url(world.site),
        order_post(line(catalogue["beacon"], "", unit_price=""), action="refresh"),
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert options(page, "lines-0-edition") == ["—", "Standard — €2,400.00"]
    assert options(page, "lines-0-version") == ["—", "10.0"]
    assert "This field is required" not in page
    assert "<html" in page
    assert not Order.objects.exists()


def test_with_htmx_choosing_a_product_re_renders_the_lines_only(client, world, catalogue):
    client_for(client, world, "reseller")

    response = client.post(
        create_url(world.site),
        order_post(line(catalogue["atlas"], ""), action="refresh"),
        HTTP_HX_REQUEST="true",
    )

    page = response.content.decode()
    assert page.lstrip().startswith('<tbody id="order-lines"')
    assert options(page, "lines-0-edition") == ["—", "Standard — €12,000.00", "Plus — €16,000.00"]
    assert options(page, "lines-0-version") == ["—", "11.0"]


def test_the_product_select_asks_for_its_options_and_htmx_is_served_locally(
    client, world, catalogue
):
    client_for(client, world, "reseller")

    page = client.get(create_url(world.site)).content.decode()

    assert f'hx-post="{create_url(world.site)}"' in page
    assert "/static/django_htmx/htmx-2.min.js" in page
    orders = client.get(reverse("licensing:site_orders", args=[world.site.number]))
    assert "htmx" not in orders.content.decode()


def test_the_review_shows_lines_unit_prices_and_total_and_writes_nothing(client, world, catalogue):
    client_for(client, world, "reseller")

    response = client.post(
        create_url(world.site),
        order_post(
            line(catalogue["atlas"], 4, edition=str(catalogue["plus"].pk)),
            line(catalogue["beacon"], 1),
        ),
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Review the order" in page
    assert "€16,000.00" in page  # the Plus unit price
    assert "€64,000.00" in page  # 4 × 16,000
    assert "€66,400.00" in page  # the total with the Beacon line
    assert "Place order" in page
    assert "Change" in page
    assert not Order.objects.exists()


def test_change_goes_back_to_the_form_with_everything_entered(client, world, catalogue):
    client_for(client, world, "reseller")
    review = client.post(
        create_url(world.site),
        order_post(
            line(catalogue["atlas"], 7, edition=str(catalogue["plus"].pk), unit_price="15000")
        ),
    )

    response = client.post(
        create_url(world.site), {**hidden_fields(review.content.decode()), "action": "change"}
    )

    form = response.context["formset"].forms[0]
    page = response.content.decode()
    assert (form["product"].value(), form["edition"].value()) == (
        str(catalogue["atlas"].pk),
        str(catalogue["plus"].pk),
    )
    assert (form["quantity"].value(), form["unit_price"].value()) == ("7", "15000")
    assert 'value="7"' in page
    assert "Review the order" in page
    assert not Order.objects.exists()


def test_a_double_submit_of_the_confirmation_places_one_order(client, world, catalogue):
    client_for(client, world, "reseller")
    review = client.post(create_url(world.site), order_post(line(catalogue["atlas"], 2)))
    confirmation = {**hidden_fields(review.content.decode()), "action": "place"}

    first = client.post(create_url(world.site), confirmation)
    second = client.post(create_url(world.site), confirmation)

    order = Order.objects.get()
    assert (
        first["Location"]
        == second["Location"]
        == reverse("licensing:order_detail", args=[order.pk])
    )
    assert Entitlement.objects.filter(order_line__order=order).count() == 1


def test_a_confirmation_without_its_key_shows_the_review_again(client, world, catalogue):
    client_for(client, world, "reseller")

    response = client.post(
        create_url(world.site), order_post(line(catalogue["atlas"], 2), action="place")
    )

    assert response.status_code == 200
    assert TOKEN.search(response.content.decode())
    assert not Order.objects.exists()


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
    client_for(client, world, "primary")

    response = client.get(reverse("licensing:order_detail", args=[order.pk]))

    page = response.content.decode()
    entitlement = Entitlement.objects.get(order_line__order=order)
    assert len(response.context["lines"]) == 2
    assert list(response.context["entitlements"]) == [entitlement]
    assert entitlement.poe_number in page
    assert reverse("licensing:order_poe", args=[order.pk]) in page
    assert response.context["total"] == Decimal("32035.00")  # 2 × 16,000 + 10 × 3.50


# Review #7 item 17 (SPEC §1, L5): STCs and authorized callers see orders without prices.
PRICES = ("€16,000.00", "€32,035.00", "€3.50", "16000", "32035", "3.50")


@pytest.mark.parametrize("role", ["stc", "caller"])
def test_technical_contacts_see_orders_without_prices(client, world, order, role):
    client_for(client, world, role)

    detail = client.get(reverse("licensing:order_detail", args=[order.pk])).content.decode()
    listing = client.get(
        reverse("licensing:site_orders", args=[world.site.number])
    ).content.decode()

    for page in (detail, listing):
        assert order.number in page
        assert "Unit price" not in page
        assert "Total" not in page
        for amount in PRICES:
            assert amount not in page


@pytest.mark.parametrize("role", ["primary", "site_admin", "reseller", "staff"])
def test_those_who_run_the_site_see_order_prices_with_thousands_separators(
    client, world, order, role
):
    """Review #7 item 16: money through the one formatter ("€16,000.00", not "16000.00")."""
    client_for(client, world, role)

    detail = client.get(reverse("licensing:order_detail", args=[order.pk])).content.decode()
    listing = client.get(
        reverse("licensing:site_orders", args=[world.site.number])
    ).content.decode()

    assert "€16,000.00" in detail
    assert "€3.50" in detail
    assert "€32,035.00" in detail
    assert "€32,035.00" in listing


def test_the_orders_pages_name_the_channel_in_one_wording(client, world, catalogue):
    """Review #7 item 15: "Through <reseller>" or "Direct", never "Entered by staff"."""
    through = place(
        world.site,
        timezone.localdate(),
        services.LineRequest(catalogue["atlas"], 1),
        as_of=timezone.localdate(),
        source=Order.Source.PORTAL,
    )
    direct = place(
        world.site,
        timezone.localdate(),
        services.LineRequest(catalogue["atlas"], 1),
        as_of=timezone.localdate(),
    )
    client_for(client, world, "primary")

    listing = client.get(reverse("licensing:site_orders", args=[world.site.number]))
    through_page = client.get(reverse("licensing:order_detail", args=[through.pk]))
    direct_page = client.get(reverse("licensing:order_detail", args=[direct.pk]))

    assert "Through Reseller One" in listing.content.decode()
    assert "Direct" in listing.content.decode()
    assert "Through Reseller One" in through_page.content.decode()
    assert "Direct" in direct_page.content.decode()
    for response in (listing, through_page, direct_page):
        assert "Entered by staff" not in response.content.decode()
        assert "Placed by the reseller" not in response.content.decode()


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
    with django_assert_max_num_queries(15):
        review = client.post(create_url(world.site), order_post(line(product, 2)))
    with django_assert_max_num_queries(40):
        client.post(
            create_url(world.site),
            {**hidden_fields(review.content.decode()), "action": "place"},
        )
    assert OrderLine.objects.count() == 1


# --- staff in the admin (L2): they may back-date; the quantity bound holds there too ---------


def admin_order_post(world, product, quantity, ordered_on: date) -> dict:
    return {
        "number": "ORD-ADMIN-1",
        "site": str(world.site.pk),
        "ordered_on": ordered_on.isoformat(),
        "reseller": "",
        "source": Order.Source.ADMIN,
        "currency": "EUR",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
        "lines-0-product": str(product.pk),
        "lines-0-edition": "",
        "lines-0-version": "",
        "lines-0-quantity": str(quantity),
        "lines-0-unit_price": "100.00",
    }


@pytest.fixture
def admin_client(client, world):
    root = with_totp(UserFactory(email="root@vendor.test", is_staff=True, is_superuser=True))
    client.force_login(root)
    return client


def test_staff_back_date_an_order_in_the_admin(admin_client, world):
    product = ProductFactory(end_of_sale=date(2025, 6, 30))

    response = admin_client.post(
        reverse("admin:licensing_order_add"),
        admin_order_post(world, product, 3, date(2024, 1, 1)),
    )

    assert response.status_code == 302, response.content.decode()
    order = Order.objects.get()
    assert (order.ordered_on, order.lines.get().quantity) == (date(2024, 1, 1), 3)


@pytest.mark.parametrize("quantity", [10**20, 2_147_483_648, 1_000_001])
def test_the_admin_refuses_a_line_above_the_bound(admin_client, world, quantity):
    response = admin_client.post(
        reverse("admin:licensing_order_add"),
        admin_order_post(world, ProductFactory(), quantity, date(2025, 1, 15)),
    )

    assert response.status_code == 200
    assert "1000000" in response.content.decode() or "1,000,000" in response.content.decode()
    assert not Order.objects.exists()
