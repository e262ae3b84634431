"""S8: a certified service partner must cover all of a client's hardware. Its coverage page
flags the client sites with uncovered hardware (their tickets are refused), the dashboard
says how many there are, and the Clients page flags the clients; a ticket for a flagged site
is refused with the reason."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from licensing.models import Product
from support.models import Ticket
from tests.accounts.factories import OrganisationFactory, SiteFactory, UserFactory, with_totp
from tests.conftest import client_for
from tests.licensing.factories import EntitlementFactory, ProductFactory
from tests.support.factories import covered_line, lapsed_line, ticket_opened

pytestmark = pytest.mark.django_db

URL = reverse("support:partner_coverage")


def not_started_line(site, *, kind=Product.Kind.HARDWARE):
    today = timezone.localdate()
    return EntitlementFactory(
        site=site,
        product=ProductFactory(kind=kind),
        purchased_on=today,
        coverage_start=today + timedelta(days=10),
        coverage_end=today + timedelta(days=375),
    )


@pytest.fixture
def flagged(world):
    """world.site (managed by the partner world.reseller) holds a lapsed phone."""
    return lapsed_line(world.site, kind=Product.Kind.HARDWARE)


def _page(client, world, role="reseller", query=""):
    return client_for(client, world, role).get(URL + query)


# --- the coverage page ------------------------------------------------------------------------


def test_a_site_with_lapsed_hardware_is_flagged_with_the_line_and_its_reinstatement(
    client, world, flagged
):
    response = _page(client, world)
    assert response.status_code == 200
    page = response.content.decode()
    assert world.site.number in page
    assert flagged.product.name in page
    assert flagged.poe_number in page
    assert "Tickets refused until covered" in page
    action = reverse("renewals:reinstatement_request", kwargs={"entitlement_id": flagged.pk})
    assert f'action="{action}"' in page


def test_hardware_whose_support_has_not_started_is_flagged_without_a_reinstatement(client, world):
    line = not_started_line(world.site)
    page = _page(client, world).content.decode()
    assert line.poe_number in page
    assert "support starts on" in page
    assert "reinstatement_request" not in page
    assert "/reinstate" not in page


def test_uncovered_software_does_not_flag_a_site(client, world):
    lapsed_line(world.site, kind=Product.Kind.SOFTWARE)
    covered_line(world.site, kind=Product.Kind.HARDWARE)
    response = _page(client, world)
    assert response.context["page"].paginator.count == 0
    assert "no site is flagged" in response.content.decode()


def test_covered_sites_are_hidden_by_default_and_shown_as_ok_on_request(client, world, flagged):
    covered = SiteFactory(reseller=world.reseller)
    covered_line(covered, kind=Product.Kind.HARDWARE)
    default = _page(client, world)
    assert [site.number for site in default.context["sites"]] == [world.site.number]
    everything = _page(client, world, query="?show=all")
    rows = {site.number: site.uncovered_count for site in everything.context["sites"]}
    assert rows == {world.site.number: 1, covered.number: 0}
    assert "All hardware covered" in everything.content.decode()


def test_another_resellers_sites_are_never_listed(client, world, flagged):
    lapsed_line(world.other_site, kind=Product.Kind.HARDWARE)
    response = _page(client, world, query="?show=all")
    assert world.other_site.number not in response.content.decode()


def test_the_sites_sort_by_customer(client, world, flagged):
    zed = SiteFactory(reseller=world.reseller, customer=OrganisationFactory(name="Zed Ltd."))
    lapsed_line(zed, kind=Product.Kind.HARDWARE)
    world.site.customer.name = "Aardvark Ltd."
    world.site.customer.save()
    ascending = _page(client, world, query="?sort=customer").context["sites"]
    descending = _page(client, world, query="?sort=-customer").context["sites"]
    assert [site.pk for site in ascending] == [world.site.pk, zed.pk]
    assert [site.pk for site in descending] == [zed.pk, world.site.pk]


def test_a_malformed_choice_falls_back_to_the_defaults(client, world, flagged):
    response = _page(client, world, query="?show=bogus&sort=bogus")
    assert response.status_code == 200
    assert [site.pk for site in response.context["sites"]] == [world.site.pk]


def test_a_reseller_that_is_not_a_partner_is_refused_with_the_reason(client, world):
    response = _page(client, world, role="other_reseller")
    assert response.status_code == 403
    assert "Only certified service partners" in response.content.decode()


@pytest.mark.parametrize("role", ["primary", "stc", "caller", "other_customer", "staff"])
def test_customers_and_staff_are_refused_the_reseller_page(client, world, role):
    assert _page(client, world, role=role).status_code == 403


def test_a_post_is_not_served(client, world):
    response = client_for(client, world, "reseller").post(URL)
    assert response.status_code == 405


def _client_sites(partner, count: int) -> None:
    hardware = ProductFactory(kind=Product.Kind.HARDWARE)
    for site in SiteFactory.create_batch(count, reseller=partner):
        lapsed_line(site, product=hardware)
        lapsed_line(site, product=hardware)
        covered_line(site, kind=Product.Kind.HARDWARE)


@pytest.mark.parametrize("size", [3, 40])
def test_the_coverage_page_has_a_fixed_query_ceiling(
    client, world, django_assert_max_num_queries, size
):
    _client_sites(world.reseller, size)
    client_for(client, world, "reseller")
    assert client.get(URL).status_code == 200  # the session's per-session flags are set
    # session, user, reseller, the page's count, its sites, their lines, the session save (3)
    with django_assert_max_num_queries(9):
        response = client.get(URL + "?show=all")
    assert response.status_code == 200
    shown = response.context["sites"]
    assert len(shown) == min(size + 1, 25)
    assert sum(len(site.uncovered_lines) for site in shown) == 2 * min(size, 25)


# --- the partner's dashboard and Clients page -------------------------------------------------


def test_the_partner_dashboard_says_how_many_client_sites_are_flagged(client, world, flagged):
    second = SiteFactory(reseller=world.reseller)
    lapsed_line(second, kind=Product.Kind.HARDWARE)
    page = client_for(client, world, "reseller").get(reverse("dashboard")).content.decode()
    assert "2 client sites have hardware not covered: their tickets are refused (S8)." in page
    assert f'href="{URL}"' in page


def test_the_dashboard_shows_no_banner_without_flagged_sites(client, world):
    page = client_for(client, world, "reseller").get(reverse("dashboard")).content.decode()
    assert "hardware not covered" not in page


def test_a_reseller_that_is_not_a_partner_sees_no_banner(client, world):
    lapsed_line(world.other_site, kind=Product.Kind.HARDWARE)
    page = client_for(client, world, "other_reseller").get(reverse("dashboard")).content
    assert b"hardware not covered" not in page


def test_the_clients_page_flags_a_client_with_uncovered_hardware(client, world, flagged):
    page = (
        client_for(client, world, "reseller")
        .get(reverse("accounts:reseller_clients"))
        .content.decode()
    )
    assert "1 site with uncovered hardware: tickets refused" in page
    assert f'href="{URL}"' in page


def test_the_clients_page_of_a_reseller_that_is_not_a_partner_has_no_coverage_column(client, world):
    lapsed_line(world.other_site, kind=Product.Kind.HARDWARE)
    page = client_for(client, world, "other_reseller").get(reverse("accounts:reseller_clients"))
    assert b"Hardware coverage (S8)" not in page.content


@pytest.mark.parametrize("size", [3, 40])
def test_the_partner_clients_page_query_count_does_not_grow_with_flagged_clients(
    client, world, django_assert_max_num_queries, size
):
    for _index in range(size):
        site = SiteFactory(reseller=world.reseller)
        lapsed_line(site, kind=Product.Kind.HARDWARE)
    user = with_totp(UserFactory(reseller=world.reseller))
    client.force_login(user)
    url = reverse("accounts:reseller_clients")
    assert client.get(url).status_code == 200
    with django_assert_max_num_queries(9):  # the non-partner page's 8, and the S8 flags
        response = client.get(url)
    rows = list(response.context["page"])
    assert len(rows) == min(size + 1, 25)  # and world.site's client, whose hardware is covered
    assert {row.flagged_site_count for row in rows if row.pk != world.site.customer_id} == {1}


# --- tickets for a flagged site are refused (service level) -----------------------------------


def test_a_ticket_for_a_site_with_uncovered_hardware_is_refused_with_the_reason(world, flagged):
    with pytest.raises(ValidationError) as refusal:
        ticket_opened(world)
    message = " ".join(refusal.value.messages)
    assert "must cover all of the site's hardware" in message
    assert flagged.poe_number in message
    assert "(S8)" in message
    assert not Ticket.objects.exists()


def test_once_the_hardware_is_covered_the_ticket_opens(world, flagged):
    flagged.coverage_end = timezone.localdate() + timedelta(days=30)
    flagged.save()
    assert ticket_opened(world).pk


def test_a_site_of_a_reseller_that_is_not_a_partner_is_not_refused_for_its_hardware(world):
    lapsed_line(world.other_site, kind=Product.Kind.HARDWARE)
    line = covered_line(world.other_site)
    assert ticket_opened(world, role="other_customer", line=line).pk
