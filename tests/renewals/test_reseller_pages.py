"""The reseller's renewals page (issue #8, Pages; N1, N3, N6): every client's renewals by
month — quotes and coverage ends not quoted yet — scoped to the reseller (A4), sortable,
filterable, paginated, with a CSV of the same rows and a chart of the next 12 months."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Agreement
from tests.accounts.factories import ResellerFactory, SiteFactory, UserFactory, with_totp
from tests.licensing.factories import EntitlementFactory, ProductFactory
from tests.renewals.factories import renewal_quote_for

pytestmark = pytest.mark.django_db

TODAY = date(2026, 1, 5)
PAGE = reverse("renewals:reseller_renewals")
CSV = reverse("renewals:reseller_renewals_csv")


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    monkeypatch.setattr("renewals.views.reseller.today", lambda: TODAY)


@pytest.fixture
def reseller():
    return ResellerFactory(name="Reseller One")


@pytest.fixture
def reseller_client(client, reseller):
    client.force_login(with_totp(UserFactory(reseller=reseller)))
    return client


@pytest.fixture
def book(reseller):
    """Two clients of the reseller and one of another reseller."""
    product = ProductFactory(annual_ss_price=Decimal("240.00"))
    acme = SiteFactory(
        reseller=reseller, agreement__customer__name="Acme", agreement__anniversary_month=3
    )
    zeta = SiteFactory(
        reseller=reseller,
        agreement__customer__name="Zeta Works",
        agreement__anniversary_month=1,
        agreement__programme=Agreement.Programme.VIP,
    )
    other = SiteFactory(reseller=ResellerFactory(), agreement__customer__name="Other Co")
    quoted = EntitlementFactory(
        site=acme, product=product, quantity=3, purchased_on=date(2025, 3, 10)
    )
    quote = renewal_quote_for([quoted], as_of=TODAY)  # a draft: waits for the reseller's price
    EntitlementFactory(site=acme, product=product, quantity=2, purchased_on=date(2025, 6, 20))
    EntitlementFactory(site=zeta, product=product, quantity=5, purchased_on=date(2025, 2, 1))
    hidden = EntitlementFactory(site=other, product=product, purchased_on=date(2025, 3, 1))
    other_quote = renewal_quote_for([hidden], as_of=TODAY)
    return {"acme": acme, "zeta": zeta, "quote": quote, "other_quote": other_quote}


def rows_of(response):
    return list(response.context["page"].object_list)


def csv_rows(response) -> list[dict]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_the_page_lists_quotes_and_unquoted_coverage_ends_by_month(reseller_client, book):
    """N1/N3: the quote falls in the month the coverage it renews ends in (March); each
    site's coverage ends not quoted yet are one row per month."""
    response = reseller_client.get(PAGE)
    assert response.status_code == 200
    rows = [
        (row.month, row.client_name, row.quote_number, row.due_licences)
        for row in rows_of(response)
    ]
    assert rows == [
        (date(2026, 1, 1), "Zeta Works", "", 5),
        (date(2026, 3, 1), "Acme", book["quote"].number, 3),
        (date(2026, 6, 1), "Acme", "", 2),
    ]
    quote_row = rows_of(response)[1]
    assert quote_row.state == "draft"
    assert quote_row.vendor_total == book["quote"].vendor_total == Decimal("60.00")
    assert quote_row.client_total is None  # N6: not priced yet
    content = response.content.decode()
    assert reverse("renewals:quote_price", args=[book["quote"].number]) in content
    assert "Set your client's price" in content


def test_another_resellers_client_never_appears(reseller_client, book):
    """A4: neither the other reseller's quote nor its client's coverage ends."""
    content = reseller_client.get(PAGE).content.decode()
    assert "Other Co" not in content
    assert book["other_quote"].number not in content
    exported = csv_rows(reseller_client.get(CSV))
    assert {row["client"] for row in exported} == {"Acme", "Zeta Works"}


def test_a_priced_quote_shows_the_client_price(reseller_client, book):
    """N6: once the reseller set its price, the row shows it beside the vendor's."""
    quote = book["quote"]
    quote.reseller_adjustment_percent = Decimal(10)
    quote.save()
    quote.lines.update(client_amount=Decimal("66.00"), client_unit_price=Decimal("22.00"))
    row = next(row for row in rows_of(reseller_client.get(PAGE)) if row.quote_number)
    assert row.client_total == Decimal("66.00")


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("client", ["Acme", "Acme", "Zeta Works"]),
        ("-client", ["Zeta Works", "Acme", "Acme"]),
        ("-month", ["Acme", "Acme", "Zeta Works"]),
    ],
)
def test_rows_sort_by_client_and_month(reseller_client, book, sort, expected):
    rows = rows_of(reseller_client.get(PAGE, {"sort": sort}))
    assert [row.client_name for row in rows] == expected


def test_sorting_by_total_puts_rows_without_a_quote_last_either_way(reseller_client, book):
    for sort in ("total", "-total", "valid_until", "-valid_until"):
        rows = rows_of(reseller_client.get(PAGE, {"sort": sort}))
        assert rows[0].quote_number == book["quote"].number, sort
        assert [row.quote_number for row in rows[1:]] == ["", ""], sort


def test_sorting_is_stable_with_a_unique_tie_breaker(reseller_client, book, reseller):
    """Two sites of one client with coverage ending the same month: the order never flips."""
    site = SiteFactory(reseller=reseller, agreement=book["acme"].agreement)
    EntitlementFactory(site=site, purchased_on=date(2025, 6, 1))
    first = [row.sort_key for row in rows_of(reseller_client.get(PAGE, {"sort": "client"}))]
    second = [row.sort_key for row in rows_of(reseller_client.get(PAGE, {"sort": "client"}))]
    assert first == second
    assert len(set(first)) == len(first)


def test_filters_by_client_state_programme_and_month(reseller_client, book):
    acme = book["acme"].customer_id
    by_client = rows_of(reseller_client.get(PAGE, {"client": acme}))
    assert {row.client_name for row in by_client} == {"Acme"}
    drafts = rows_of(reseller_client.get(PAGE, {"state": "draft"}))
    assert [row.quote_number for row in drafts] == [book["quote"].number]
    unquoted = rows_of(reseller_client.get(PAGE, {"state": "due"}))
    assert [row.quote_number for row in unquoted] == ["", ""]
    vip = rows_of(reseller_client.get(PAGE, {"programme": "VIP"}))
    assert [row.client_name for row in vip] == ["Zeta Works"]
    spring = rows_of(reseller_client.get(PAGE, {"month_from": "2026-02", "month_to": "2026-04"}))
    assert [row.month for row in spring] == [date(2026, 3, 1)]


def test_an_invalid_choice_falls_back_to_its_default_and_keeps_the_other_filters(
    reseller_client, book
):
    response = reseller_client.get(PAGE, {"sort": "nonsense", "client": book["acme"].customer_id})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert {row.client_name for row in rows_of(response)} == {"Acme"}


def test_a_last_month_before_the_first_is_refused_with_a_clear_message(reseller_client, book):
    response = reseller_client.get(PAGE, {"month_from": "2026-05", "month_to": "2026-02"})
    assert response.status_code == 200
    assert "The last month comes before the first" in response.content.decode()
    assert len(rows_of(response)) == 3  # the default window, nothing lost


def test_the_csv_has_the_same_rows_with_plain_values(reseller_client, book):
    rows = csv_rows(reseller_client.get(CSV, {"client": book["acme"].customer_id}))
    assert rows == [
        {
            "month": "2026-03",
            "client": "Acme",
            "agreement": book["acme"].agreement.number,
            "programme": "PA",
            "sites": book["acme"].number,
            "quote_number": book["quote"].number,
            "state": "draft",
            "currency": "EUR",
            "vendor_total": "60.00",
            "client_total": "",
            "valid_until": book["quote"].valid_until.isoformat(),
            "due_licences": "3",
        },
        {
            "month": "2026-06",
            "client": "Acme",
            "agreement": book["acme"].agreement.number,
            "programme": "PA",
            "sites": book["acme"].number,
            "quote_number": "",
            "state": "due",
            "currency": "EUR",
            "vendor_total": "",
            "client_total": "",
            "valid_until": "",
            "due_licences": "2",
        },
    ]


def test_the_page_has_an_empty_state(reseller_client):
    content = reseller_client.get(PAGE).content.decode()
    assert "No renewals in these months" in content


def test_the_chart_shows_the_next_twelve_months_value(reseller_client, book):
    """The quoted vendor total in March; an estimate (annual S&S × quantity) for coverage
    ends not quoted: 5 × 240 in January, 2 × 240 in June."""
    response = reseller_client.get(PAGE)
    content = response.content.decode()
    assert content.count('role="img"') == 1
    assert '<th scope="row">January 2026</th><td class="text-end">€1,200.00</td>' in content
    assert '<th scope="row">March 2026</th><td class="text-end">€60.00</td>' in content
    assert '<th scope="row">June 2026</th><td class="text-end">€480.00</td>' in content
    assert '<th scope="row">December 2026</th><td class="text-end">€0.00</td>' in content


def test_the_list_is_paginated(reseller_client, reseller):
    for index in range(30):
        site = SiteFactory(reseller=reseller)
        EntitlementFactory(site=site, purchased_on=date(2025, 1 + index % 12, 10))
    response = reseller_client.get(PAGE)
    assert len(rows_of(response)) == 25
    assert len(rows_of(reseller_client.get(PAGE, {"page": 2}))) == 5


@pytest.mark.parametrize("size", [2, 12])
def test_the_page_and_csv_queries_do_not_grow_with_rows(
    reseller_client, reseller, size, django_assert_max_num_queries
):
    product = ProductFactory()
    for index in range(size):
        site = SiteFactory(reseller=reseller)
        entitlement = EntitlementFactory(
            site=site, product=product, purchased_on=date(2025, 1 + index % 12, 10)
        )
        EntitlementFactory(site=site, product=product, purchased_on=date(2025, 1 + index % 12, 20))
        if index % 2:
            renewal_quote_for([entitlement], as_of=TODAY)
    with django_assert_max_num_queries(10):
        assert reseller_client.get(PAGE).status_code == 200
    with django_assert_max_num_queries(8):
        response = reseller_client.get(CSV)
        assert len(csv_rows(response)) >= size


def test_customers_and_staff_cannot_open_the_reseller_pages(client, book):
    """Reseller pages are for reseller users; staff read quotes in the admin."""
    client.force_login(UserFactory())
    assert client.get(PAGE).status_code == 403
    client.force_login(with_totp(UserFactory(is_staff=True)))
    assert client.get(PAGE).status_code == 403
    assert client.get(CSV).status_code == 403
