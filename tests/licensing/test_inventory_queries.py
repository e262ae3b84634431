"""Query ceilings for the inventory, its CSV export, the PoE download and progress pages and
the public verification page (L4, L5): the same ceiling at 5 and at 200 entitlements, so the
count cannot grow with the rows."""

from __future__ import annotations

import pytest
from django.urls import reverse

from licensing.models import Entitlement, PoEDocument
from licensing.poe import poe_issue
from tests.conftest import client_for
from tests.licensing.factories import EditionFactory, EntitlementFactory, ProductFactory

SIZES = (5, 200)


def _fill(site, count: int) -> None:
    products = [ProductFactory(family=f"Family {n % 3}") for n in range(4)]
    editions = [EditionFactory(product=product) for product in products]
    for n in range(count):
        EntitlementFactory(
            site=site, product=products[n % 4], edition=editions[n % 4], quantity=n + 1
        )


def _get(client, url, ceiling, django_assert_max_num_queries, **params):
    with django_assert_max_num_queries(ceiling):
        response = client.get(url, params)
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize(
    ("role", "params"),
    [
        ("primary", {}),
        ("caller", {"status": "lapsed", "sort": "-coverage_end"}),
        ("reseller", {}),
        ("reseller", {"q": "Product", "family": "Family 1", "sort": "part"}),
        ("staff", {}),
    ],
)
def test_the_inventory_page_has_a_fixed_query_ceiling(
    client, world, django_assert_max_num_queries, size, role, params
):
    _fill(world.site, size)
    client_for(client, world, role)
    response = _get(
        client, reverse("licensing:inventory"), 12, django_assert_max_num_queries, **params
    )
    rows = response.context["page"].object_list
    assert len(rows) == min(size, 25) if not params else 0 < len(rows) <= 25


@pytest.mark.parametrize("size", SIZES)
def test_the_inventory_csv_streams_with_a_fixed_number_of_queries(
    client, world, django_assert_max_num_queries, size
):
    _fill(world.site, size)
    client_for(client, world, "reseller")
    with django_assert_max_num_queries(9):
        response = client.get(reverse("licensing:inventory_csv"))
        lines = b"".join(response.streaming_content).decode().splitlines()
    assert len(lines) == size + 1


@pytest.mark.parametrize("size", SIZES)
def test_the_site_poe_download_has_a_fixed_query_ceiling(
    client, world, django_assert_max_num_queries, size, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    _fill(world.site, size)
    client_for(client, world, "primary")
    with django_assert_max_num_queries(30):
        response = client.get(reverse("licensing:site_poe", args=[world.site.number]))
    # Up to 200 lines render at once; more go to the worker (tested in test_poe.py).
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"


@pytest.mark.parametrize("size", SIZES)
def test_the_poe_progress_and_verify_pages_have_a_fixed_query_ceiling(
    client, world, django_assert_max_num_queries, size
):
    _fill(world.site, size)
    document = poe_issue(
        site=world.site, order=None, actor=None, as_of=Entitlement.objects.first().purchased_on
    )
    PoEDocument.objects.filter(pk=document.pk).update(state=PoEDocument.State.PENDING)
    client_for(client, world, "primary")
    _get(
        client,
        reverse("licensing:poe_status", args=[document.pk]),
        8,
        django_assert_max_num_queries,
    )
    PoEDocument.objects.filter(pk=document.pk).update(state=PoEDocument.State.READY)
    client.logout()
    response = _get(
        client, reverse("licensing:verify", args=[document.code]), 8, django_assert_max_num_queries
    )
    assert len(response.context["snapshot"]["lines"]) == size


def test_the_inventory_csv_defuses_spreadsheet_formulas_in_tenant_text(client, world):
    """L5 export safety: a site or product name starting with "=" reaches the spreadsheet as
    text, not as a formula another user's spreadsheet would run."""
    world.site.name = '=HYPERLINK("http://evil.example","open")'
    world.site.save()
    EntitlementFactory(site=world.site, product=ProductFactory(name="+SUM(1,2)"))
    client_for(client, world, "staff")

    body = b"".join(client.get(reverse("licensing:inventory_csv")).streaming_content).decode()

    assert "'=HYPERLINK" in body
    assert "'+SUM(1,2)" in body
    assert ",=HYPERLINK" not in body


@pytest.mark.parametrize("size", SIZES)
def test_the_poe_download_and_statement_csv_have_a_fixed_query_ceiling(
    client, world, django_assert_max_num_queries, size
):
    _fill(world.site, size)
    document = poe_issue(
        site=world.site, order=None, actor=None, as_of=Entitlement.objects.first().purchased_on
    )
    client_for(client, world, "primary")
    with django_assert_max_num_queries(8):
        response = client.get(reverse("licensing:poe_download", args=[document.pk]))
    assert response["Content-Type"] == "application/pdf"
    with django_assert_max_num_queries(12):
        response = client.get(reverse("licensing:statement_csv", args=[world.site.number]))
        lines = b"".join(response.streaming_content).decode().splitlines()
    assert len(lines) > size
