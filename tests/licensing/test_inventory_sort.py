"""L5, review #7 item 15: the inventory is in the order its "Sort by" shows (Site, the first
option, when none is chosen), every sort option sorts by what it says with a stable
tie-breaker, and the search finds any part of a product name, part number or PoE number, in
any case."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from tests.accounts.factories import SiteFactory
from tests.conftest import client_for
from tests.licensing.factories import EntitlementFactory, ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def estate(world):
    """Entitlements created out of every order, with ties on each sort key."""
    annex = SiteFactory(number="1234500", reseller=world.reseller)
    beacon = ProductFactory(part_number="BCN-AN-200", name="Beacon Analytics")
    atlas = ProductFactory(part_number="ATL-DB-100", name="Atlas Database Server")
    cosmo = ProductFactory(part_number="AAA-CS-300", name="Cosmo Storage")
    start = date(2025, 1, 1)
    rows = [
        (world.site, beacon, 5, 40, "POE-30000001"),
        (annex, atlas, 2, 10, "POE-71004455"),
        (world.site, cosmo, 5, 10, "POE-10000002"),
        (annex, beacon, 1, 40, "POE-20000003"),
        (world.site, atlas, 9, 20, "POE-50000004"),
        (annex, cosmo, 2, 20, "POE-40000005"),
    ]
    return [
        EntitlementFactory(
            site=site,
            product=product,
            quantity=quantity,
            poe_number=poe,
            purchased_on=start,
            coverage_start=start,
            coverage_end=start + timedelta(days=days),
        )
        for site, product, quantity, days, poe in rows
    ]


def listed(client, **params) -> list:
    response = client.get(reverse("licensing:inventory"), params)
    assert response.status_code == 200
    return list(response.context["page"].object_list)


def by(*keys):
    def key(entitlement):
        values = {
            "product": entitlement.product.name,
            "part": entitlement.product.part_number,
            "site": entitlement.site.number,
            "quantity": entitlement.quantity,
            "coverage_end": entitlement.coverage_end,
            "poe": entitlement.poe_number,
            "pk": entitlement.pk,
        }
        return tuple(values[name] for name in keys)

    return key


SORTS = {
    "product": ("product", "part", "site", "pk"),
    "part": ("part", "site", "pk"),
    "site": ("site", "part", "pk"),
    "quantity": ("quantity", "pk"),
    "coverage_end": ("coverage_end", "pk"),
    "poe": ("poe",),
}


@pytest.mark.parametrize("role", ["reseller", "staff"])
def test_with_no_sort_chosen_the_rows_are_in_the_order_the_select_shows(
    client, world, estate, role
):
    client_for(client, world, role)

    response = client.get(reverse("licensing:inventory"))

    rows = list(response.context["page"].object_list)
    assert rows == sorted(estate, key=by(*SORTS["site"]))
    page = response.content.decode()
    select = page[page.index('name="sort"') :]
    first_option = select[select.index("<option") : select.index("</option>")]
    assert 'value="site"' in first_option  # the option a browser shows when none is selected


def test_a_filter_without_a_sort_keeps_the_default_order(client, world, estate):
    client_for(client, world, "reseller")

    assert listed(client, family="Atlas Database") == sorted(estate, key=by(*SORTS["site"]))


@pytest.mark.parametrize("sort", list(SORTS))
def test_each_sort_option_sorts_by_what_it_says_with_a_stable_tie_breaker(
    client, world, estate, sort
):
    client_for(client, world, "reseller")

    assert listed(client, sort=sort) == sorted(estate, key=by(*SORTS[sort]))


@pytest.mark.parametrize("sort", list(SORTS))
def test_each_descending_sort_is_the_exact_reverse(client, world, estate, sort):
    client_for(client, world, "reseller")

    assert listed(client, sort=f"-{sort}") == sorted(estate, key=by(*SORTS[sort]), reverse=True)


def test_an_unknown_sort_falls_back_to_the_default_order(client, world, estate):
    client_for(client, world, "reseller")

    assert listed(client, sort="bogus") == sorted(estate, key=by(*SORTS["site"]))


@pytest.mark.parametrize(
    ("text", "poes"),
    [
        ("poe-7100", {"POE-71004455"}),  # the start of a PoE number, any case
        ("71004", {"POE-71004455"}),  # any part of it
        ("DB-100", {"POE-71004455", "POE-50000004"}),  # the middle of a part number
        ("db-100", {"POE-71004455", "POE-50000004"}),
        ("atl-db-100", {"POE-71004455", "POE-50000004"}),
        ("analytics", {"POE-30000001", "POE-20000003"}),  # a word of a product name
        ("  cs-3 ", {"POE-10000002", "POE-40000005"}),
        ("nothing-like-it", set()),
    ],
)
def test_the_search_finds_any_part_of_a_poe_part_number_or_name(client, world, estate, text, poes):
    client_for(client, world, "reseller")

    assert {row.poe_number for row in listed(client, q=text)} == poes


def test_the_search_stays_within_the_users_sites(client, world, estate):
    EntitlementFactory(site=world.other_site, poe_number="POE-71009999")
    client_for(client, world, "primary")  # a contact of world.site only

    assert {row.poe_number for row in listed(client, q="poe-7100")} == set()
