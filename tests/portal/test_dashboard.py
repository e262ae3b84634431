"""Review #7 item 21: the dashboard shows, per role, what needs attention — licence counts by
status (L3) linking to the filtered inventory (L5), the next anniversary (A1), pending
transfers (L7), moves (L8) and invitations (A5) — above the paginated sites; the site page
links its inventory and its PoE (L4)."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from licensing.models import Activation, LicenceMove, SiteTransfer, SiteTransferLine
from tests.accounts.factories import SiteFactory
from tests.conftest import client_for
from tests.licensing.factories import EntitlementFactory, ProductFactory


def _held(site, *, ends: date, quantity: int = 1):
    return EntitlementFactory(
        site=site,
        quantity=quantity,
        purchased_on=ends - timedelta(days=364),
        coverage_end=ends,
    )


@pytest.fixture
def today() -> date:
    return timezone.localdate()


@pytest.fixture
def inventory(world, today):
    """On the world's site: 2 covered, 1 expiring, 1 lapsed and one line transferred away
    entirely (quantity 0, not held); on the other tenant's site: 3 covered."""
    _held(world.site, ends=today + timedelta(days=91))
    _held(world.site, ends=today + timedelta(days=300))
    _held(world.site, ends=today + timedelta(days=90))  # L3: the 90th day is still expiring
    _held(world.site, ends=today - timedelta(days=1))
    _held(world.site, ends=today + timedelta(days=200), quantity=0)
    for _ in range(3):
        _held(world.other_site, ends=today + timedelta(days=200))


def _counts(response) -> dict[str, int]:
    return {item["status"]: item["count"] for item in response.context["status_counts"]}


@pytest.mark.parametrize("role", ["primary", "site_admin", "stc", "caller", "reseller"])
def test_the_dashboard_counts_the_licences_the_user_sees_by_status(client, world, inventory, role):
    client_for(client, world, role)
    response = client.get(reverse("dashboard"))
    assert _counts(response) == {"covered": 2, "expiring": 1, "lapsed": 1}


def test_staff_counts_cover_every_site(client, world, inventory):
    client_for(client, world, "staff")
    assert _counts(client.get(reverse("dashboard"))) == {"covered": 5, "expiring": 1, "lapsed": 1}


@pytest.mark.parametrize("status", ["covered", "expiring", "lapsed"])
def test_each_count_links_to_the_inventory_filtered_to_exactly_those_licences(
    client, world, inventory, status
):
    client_for(client, world, "primary")
    response = client.get(reverse("dashboard"))
    link = f"{reverse('licensing:inventory')}?status={status}"
    assert f'href="{link}"' in response.content.decode()
    listed = client.get(link).context["page"].paginator.count
    assert listed == _counts(response)[status]


def test_the_next_anniversary_is_the_last_day_of_the_soonest_anniversary_month(
    client, world, today
):
    # A1: the world's site has one agreement; a second site of the same primary contact has
    # another whose anniversary month comes sooner.
    later = (today.month + 5) % 12 + 1
    sooner = today.month % 12 + 1  # next month
    world.site.agreement.anniversary_month = later
    world.site.agreement.save()
    second = SiteFactory(agreement__anniversary_month=sooner, agreement__number="PA-SOON")
    world.contacts["primary"].__class__.objects.create(
        site=second, name="P", email="primary@alpha.test", user=world.users["primary"]
    )
    client_for(client, world, "primary")
    response = client.get(reverse("dashboard"))
    year = today.year + (1 if sooner < today.month else 0)
    expected = date(year, sooner, calendar.monthrange(year, sooner)[1])
    anniversary = response.context["next_anniversary"]
    assert (anniversary.on, anniversary.agreement_numbers) == (expected, ["PA-SOON"])


def _pending_requests(world, today):
    sibling = SiteFactory(customer=world.site.customer, agreement=world.site.agreement)
    licence = _held(world.site, ends=today + timedelta(days=200), quantity=3)
    licence.product.__class__.objects.filter(pk=licence.product.pk).update(name="Draw Pro")
    transfer = SiteTransfer.objects.create(source_site=world.site, target_site=sibling)
    SiteTransferLine.objects.create(transfer=transfer, entitlement=licence, quantity=1)
    SiteTransfer.objects.create(
        source_site=world.site, target_site=sibling, state=SiteTransfer.State.APPROVED
    )
    activation = Activation.objects.create(
        entitlement=licence, product=licence.product, machine_id="OLD-PC", activated_on=today
    )
    LicenceMove.objects.create(
        entitlement=licence,
        old_activation=activation,
        new_machine_id="NEW-PC",
        requested_on=today,
        rule="L8.3",
        fee=Decimal("98765.43"),
        explanation="Moved again within 12 months.",
    )
    return sibling, licence


def test_pending_transfers_moves_and_invitations_are_listed_with_links(client, world, today):
    _sibling, licence = _pending_requests(world, today)
    client_for(client, world, "primary")
    response = client.get(reverse("dashboard"))
    page = response.content.decode()
    counts = {
        kind: response.context[f"pending_{kind}"]["count"]
        for kind in ("transfers", "moves", "invitations")
    }
    assert counts == {"transfers": 1, "moves": 1, "invitations": 1}
    assert reverse("licensing:site_transfers", args=[world.site.number]) in page
    assert reverse("licensing:entitlement_detail", args=[licence.pk]) in page
    assert reverse("accounts:user_list", args=[world.site.number]) in page
    assert "billing@alpha.test" in page


def test_stcs_see_counts_but_no_invitations_and_no_prices(client, world, today):
    # SPEC §1, L5: an STC has a read-only inventory without prices and does not invite.
    _pending_requests(world, today)
    client_for(client, world, "stc")
    response = client.get(reverse("dashboard"))
    page = response.content.decode()
    assert response.context["pending_invitations"]["count"] == 0
    assert "billing@alpha.test" not in page
    assert response.context["pending_moves"]["count"] == 1
    assert "98765" not in page
    assert "98,765" not in page


def test_another_tenants_requests_stay_off_the_dashboard(client, world, today):
    _pending_requests(world, today)
    client_for(client, world, "other_customer")
    response = client.get(reverse("dashboard"))
    assert [response.context[f"pending_{kind}"]["count"] for kind in ("transfers", "moves")] == [
        0,
        0,
    ]
    assert response.context["pending_invitations"]["count"] == 0
    assert _counts(response) == {"covered": 0, "expiring": 0, "lapsed": 0}


SIZES = (3, 60)


def _fill(world, size, today):
    products = [ProductFactory() for _ in range(3)]
    sibling = SiteFactory(customer=world.site.customer, agreement=world.site.agreement)
    for n in range(size):
        site = SiteFactory(reseller=world.reseller)
        licence = EntitlementFactory(
            site=site if n % 2 else world.site,
            product=products[n % 3],
            coverage_end=today + timedelta(days=(n % 5) * 60 - 30),
        )
        SiteTransfer.objects.create(source_site=world.site, target_site=sibling)
        activation = Activation.objects.create(
            entitlement=licence, product=licence.product, machine_id=f"PC-{n}", activated_on=today
        )
        LicenceMove.objects.create(
            entitlement=licence,
            old_activation=activation,
            new_machine_id=f"NEW-{n}",
            requested_on=today,
            rule="L8.2",
            fee=Decimal(0),
            explanation="…",
        )
        contact = world.contacts["plain"].__class__.objects.create(
            site=world.site, name=f"C {n}", email=f"c{n}@alpha.test"
        )
        world.invitation.__class__.objects.create(
            contact=contact,
            kind="invitation",
            email=contact.email,
            expires_at=timezone.now() + timedelta(days=3),
        )


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("role", ["primary", "stc", "reseller", "staff"])
def test_the_dashboard_has_a_fixed_query_ceiling(
    client, world, today, django_assert_max_num_queries, size, role
):
    _fill(world, size, today)
    client_for(client, world, role)
    # 21: the certified service partner's banner counts its flagged client sites (S8); +1:
    # the country filter offers the countries of the user's sites only (issue #10).
    with django_assert_max_num_queries(22):
        response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    assert response.context["pending_transfers"]["count"] == size


def test_the_site_page_links_its_inventory_and_its_poe(client, world):
    client_for(client, world, "stc")
    page = client.get(reverse("accounts:site_detail", args=[world.site.number])).content.decode()
    inventory = f"{reverse('licensing:inventory')}?site={world.site.number}"
    assert f'href="{inventory}"' in page
    assert reverse("licensing:site_poe", args=[world.site.number]) in page


def test_the_inventory_tab_lists_only_that_sites_licences(client, world, inventory):
    sibling = SiteFactory(customer=world.site.customer, agreement=world.site.agreement)
    world.contacts["primary"].__class__.objects.create(
        site=sibling, name="P", email="primary@alpha.test", user=world.users["primary"]
    )
    _held(sibling, ends=timezone.localdate() + timedelta(days=200))
    client_for(client, world, "primary")
    response = client.get(reverse("licensing:inventory"), {"site": world.site.number})
    assert {row.site_id for row in response.context["page"]} == {world.site.pk}
