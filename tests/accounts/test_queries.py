"""Query-count ceilings on every accounts list page (STYLE: tests; Zulip's
assert_database_query_count). Each page is measured at two data sizes against the SAME
ceiling, so a query per row (an N+1) fails the larger size.

The ceilings count everything a request costs: session, user, permission checks, the page's
own queries and the session save.
"""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from accounts.models import Agreement, Contact, Invitation, Organisation, Site, User
from portal.core.audit import acting_as
from tests.accounts.factories import (
    AgreementFactory,
    ContactFactory,
    OrganisationFactory,
    ResellerFactory,
    SiteFactory,
    UserFactory,
    with_totp,
)
from tests.licensing.factories import EntitlementFactory, ProductFactory

pytestmark = pytest.mark.django_db

SIZES = [5, 200]
PAGE_SIZE = 25


# The site list's country filter offers the countries of the user's sites: one query
# (issue #10), counted in every dashboard ceiling below.
def measure(client, url: str, ceiling: int, django_assert_max_num_queries):
    # One request first: it sets the per-session flags (MFA enrolled, site confirmed) that
    # every later request reads from the session rather than the database.
    assert client.get(url).status_code == 200
    with django_assert_max_num_queries(ceiling):
        response = client.get(url)
    assert response.status_code == 200
    return response


def _signed_in(client, user: User):
    client.force_login(user)
    return client


def _site_with_primary(primary_user: User | None = None) -> tuple[Site, User]:
    site = SiteFactory()
    user = primary_user or UserFactory()
    ContactFactory(
        site=site,
        email=user.email,
        user=user,
        is_primary=True,
        site_number_confirmed_at=timezone.now(),
    )
    return site, user


def _rows(response, marker: str) -> int:
    return response.content.decode().count(marker)


# --- dashboards --------------------------------------------------------------------------------


@pytest.mark.parametrize("n", SIZES)
def test_customer_dashboard_query_count_does_not_grow_with_sites(
    client, n, django_assert_max_num_queries
):
    """A2: a PA enterprise's primary contact with n sites."""
    agreement = AgreementFactory(programme=Agreement.Programme.PA)
    user = UserFactory()
    for site in SiteFactory.create_batch(n, agreement=agreement, reseller=ResellerFactory()):
        ContactFactory(
            site=site,
            email=user.email,
            user=user,
            is_primary=True,
            site_number_confirmed_at=timezone.now(),
        )
    _signed_in(client, user)

    # +7: the attention panel (review #7 item 21; tests/portal/test_dashboard.py); +2: the
    # agreement's level panel (N7/N8, one agreement here, at both sizes); +1: the open
    # tickets panel (S1)
    response = measure(client, "/", 18, django_assert_max_num_queries)

    assert len(response.context["page"].object_list) == min(n, PAGE_SIZE)


@pytest.fixture
def reseller_with_sites():
    def build(n: int) -> User:
        """n client sites of n / 10 customers (at least one)."""
        reseller = ResellerFactory()
        agreements = AgreementFactory.create_batch(max(1, n // 10))
        for index in range(n):
            SiteFactory(agreement=agreements[index % len(agreements)], reseller=reseller)
        return with_totp(UserFactory(reseller=reseller))

    return build


@pytest.mark.parametrize("n", SIZES)
def test_reseller_dashboard_query_count_does_not_grow_with_client_sites(
    client, n, reseller_with_sites, django_assert_max_num_queries
):
    """A4: a reseller's n client sites, with the client filter's choices."""
    _signed_in(client, reseller_with_sites(n))

    # +7: the attention panel (review #7 item 21; tests/portal/test_dashboard.py)
    response = measure(client, "/", 17, django_assert_max_num_queries)

    assert len(response.context["page"].object_list) == min(n, PAGE_SIZE)


@pytest.mark.parametrize("n", SIZES)
def test_filtered_and_sorted_reseller_dashboard_query_count_does_not_grow(
    client, n, reseller_with_sites, django_assert_max_num_queries
):
    """A4: search, client, programme and country filters with sorting."""
    user = reseller_with_sites(n)
    _signed_in(client, user)
    customer = Organisation.objects.filter(sites__reseller=user.reseller).first()
    url = f"/?q=Site&programme=PA&country=PL&sort=-customer&customer={customer.pk}"

    # +7: the attention panel (review #7 item 21; tests/portal/test_dashboard.py)
    response = measure(client, url, 18, django_assert_max_num_queries)

    shown = response.context["page"].object_list
    assert len(shown) == customer.sites.count()
    assert {site.customer_id for site in shown} == {customer.pk}


@pytest.mark.parametrize("n", SIZES)
def test_sorted_reseller_dashboard_second_page_query_count_does_not_grow(
    client, n, reseller_with_sites, django_assert_max_num_queries
):
    """A4: another page of a sorted list costs the same."""
    _signed_in(client, reseller_with_sites(n))

    # +7: the attention panel (review #7 item 21; tests/portal/test_dashboard.py)
    response = measure(client, "/?sort=anniversary&page=2", 17, django_assert_max_num_queries)

    assert response.context["page"].number == (2 if n > PAGE_SIZE else 1)


@pytest.mark.parametrize("n", SIZES)
def test_staff_dashboard_query_count_does_not_grow_with_sites(
    client, n, django_assert_max_num_queries
):
    """SPEC §1: staff see every site, managed and direct."""
    reseller = ResellerFactory()
    SiteFactory.create_batch(n // 2, reseller=reseller)
    SiteFactory.create_batch(n - n // 2)
    _signed_in(client, with_totp(UserFactory(is_staff=True)))

    # +7: the attention panel (review #7 item 21; tests/portal/test_dashboard.py); +2: the
    # agreement's level panel (N7/N8, one agreement here, at both sizes); +1: the open
    # tickets panel (S1)
    response = measure(client, "/", 17, django_assert_max_num_queries)

    assert len(response.context["page"].object_list) == min(n, PAGE_SIZE)


# --- site pages --------------------------------------------------------------------------------


@pytest.mark.parametrize("n", SIZES)
def test_contacts_page_query_count_does_not_grow_with_contacts(
    client, n, django_assert_max_num_queries
):
    """A3: n contacts with roles, some users, some invited."""
    site, user = _site_with_primary()
    for index in range(n):
        contact = ContactFactory(site=site, is_billing_contact=True, is_site_admin=index % 2)
        if index % 3 == 0:
            contact.user = UserFactory(email=contact.email)
            contact.save(update_fields=["user"])
        elif index % 3 == 1:
            Invitation.objects.create(
                contact=contact,
                kind=Invitation.Kind.INVITATION,
                email=contact.email,
                invited_by=user,
                expires_at=timezone.now() + timezone.timedelta(days=7),
            )
    _signed_in(client, user)

    response = measure(
        client,
        reverse("accounts:contact_list", args=[site.number]),
        10,
        django_assert_max_num_queries,
    )

    assert len(response.context["page"].object_list) == min(n + 1, PAGE_SIZE)


@pytest.mark.parametrize("n", SIZES)
def test_callers_page_query_count_does_not_grow_with_callers(
    client, n, django_assert_max_num_queries
):
    """A3: n authorized technical callers."""
    site, user = _site_with_primary()
    ContactFactory.create_batch(n, site=site, is_authorized_caller=True)
    _signed_in(client, user)

    response = measure(
        client,
        reverse("accounts:caller_list", args=[site.number]),
        9,
        django_assert_max_num_queries,
    )

    assert len(response.context["page"].object_list) == min(n, PAGE_SIZE)


@pytest.mark.parametrize("n", SIZES)
def test_users_and_invitations_page_query_count_does_not_grow(
    client, n, django_assert_max_num_queries
):
    """A5: n users and n pending invitations."""
    site, user = _site_with_primary()
    inviter = UserFactory()
    for _index in range(n):
        member = UserFactory()
        ContactFactory(site=site, email=member.email, user=member, is_authorized_caller=True)
        invited = ContactFactory(site=site, stc_role=Contact.STCRole.SECONDARY)
        Invitation.objects.create(
            contact=invited,
            kind=Invitation.Kind.INVITATION,
            email=invited.email,
            invited_by=inviter,
            expires_at=timezone.now() + timezone.timedelta(days=7),
        )
    _signed_in(client, user)

    response = measure(
        client,
        reverse("accounts:user_list", args=[site.number]),
        10,
        django_assert_max_num_queries,
    )

    assert len(response.context["page"].object_list) == min(n + 1, PAGE_SIZE)
    assert len(response.context["invitations"]) == min(n, 50)


def _site_with_history(n: int, *, contacts: int = 0) -> tuple[Site, User]:
    """A site with n recent audit entries of every kind the pages show, by several people:
    contact details, a contact's portal user, a new contact, the site's account manager and
    agreement, invitations. The kinds repeat every six entries, so a page of entries names
    related objects of every model (resolved one query per model, portal.core.audit.audit_rows)."""
    site, user = _site_with_primary()
    ContactFactory.create_batch(contacts, site=site, is_poe_contact=True)
    contact = ContactFactory(site=site, is_billing_contact=True)
    actors = [user, UserFactory(), UserFactory()]
    resellers = [ResellerFactory(), ResellerFactory()]
    agreements = [
        site.agreement,
        AgreementFactory(customer=site.customer, programme=Agreement.Programme.VIP),
    ]
    for index in range(n):
        turn, kind = divmod(index, 6)
        with acting_as(actors[index % len(actors)]):
            if kind == 0:
                contact.phone = f"+48 600 000 {index:03d}"
                contact.save(update_fields=["phone"])
            elif kind == 1:
                contact.user = None if contact.user_id else actors[1 + turn % 2]
                contact.save(update_fields=["user"])
            elif kind == 2:
                site.reseller = resellers[turn % 2]
                site.save(update_fields=["reseller"])
            elif kind == 3:
                Invitation.objects.create(
                    contact=contact,
                    kind=Invitation.Kind.INVITATION,
                    email=contact.email,
                    invited_by=actors[index % len(actors)],
                    expires_at=timezone.now() + timezone.timedelta(days=7),
                )
            elif kind == 4:
                ContactFactory(site=site, is_media_contact=True)
            else:
                site.agreement = agreements[(turn + 1) % 2]
                site.save(update_fields=["agreement"])
    return site, user


def _history_size(site: Site) -> int:
    return LogEntry.objects.filter(additional_data__site_id=site.pk).count()


@pytest.mark.parametrize("n", SIZES)
def test_site_history_page_query_count_does_not_grow_with_entries(
    client, n, django_assert_max_num_queries
):
    """A7: n audit entries of every kind."""
    site, user = _site_with_history(n)
    _signed_in(client, user)

    response = measure(
        client,
        reverse("accounts:site_history", args=[site.number]),
        14,
        django_assert_max_num_queries,
    )

    assert len(response.context["rows"]) == min(_history_size(site), PAGE_SIZE)
    assert _history_size(site) >= n


@pytest.mark.parametrize("n", SIZES)
def test_site_detail_page_query_count_does_not_grow_with_entries(
    client, n, django_assert_max_num_queries
):
    """A3, A7: n contacts and n audit entries on the overview."""
    site, user = _site_with_history(n, contacts=n)
    _signed_in(client, user)

    response = measure(
        client,
        reverse("accounts:site_detail", args=[site.number]),
        15,
        django_assert_max_num_queries,
    )

    assert len(response.context["contacts"]) == site.contacts.count() >= n + 2
    assert len(response.context["history"]) == 10


# --- reseller pages ----------------------------------------------------------------------------


def _client_sites(reseller, agreement, n: int) -> None:
    """n managed sites of one client, in every enrolment state (not enrolled, welcome sent,
    accepted), each with a primary contact and licences (review #7 item 19)."""
    product = ProductFactory()
    for index, site in enumerate(
        SiteFactory.create_batch(n, agreement=agreement, reseller=reseller)
    ):
        state = index % 3
        user = UserFactory() if state == 2 else None
        primary = ContactFactory(site=site, is_primary=True, user=user)
        if state:
            site.enrolled_at = timezone.now()
            site.save(update_fields=["enrolled_at"])
            Invitation.objects.create(
                contact=primary,
                kind=Invitation.Kind.WELCOME,
                email=primary.email,
                expires_at=timezone.now() + timezone.timedelta(days=7),
                accepted_at=timezone.now() if user else None,
            )
        EntitlementFactory(site=site, product=product, quantity=3)


@pytest.mark.parametrize("n", SIZES)
def test_reseller_clients_page_query_count_does_not_grow_with_customers(
    client, n, django_assert_max_num_queries
):
    """A4: n client customers with their managed-site counts by enrolment status."""
    reseller = ResellerFactory()
    for customer in OrganisationFactory.create_batch(n):
        _client_sites(reseller, AgreementFactory(customer=customer), 3)
    _signed_in(client, with_totp(UserFactory(reseller=reseller)))

    response = measure(
        client, reverse("accounts:reseller_clients"), 8, django_assert_max_num_queries
    )

    page = response.context["page"]
    assert len(page.object_list) == min(n, PAGE_SIZE)
    assert {customer.managed_site_count for customer in page} == {3}
    assert {
        (c.accepted_site_count, c.waiting_site_count, c.not_enrolled_site_count) for c in page
    } == {(1, 1, 1)}


@pytest.mark.parametrize("n", SIZES)
def test_reseller_client_detail_query_count_does_not_grow_with_its_sites(
    client, n, django_assert_max_num_queries
):
    """A4, review #7 item 19: one client with n managed sites: its agreements, and a page of
    its sites with enrolment status, primary contact and licence coverage."""
    reseller = ResellerFactory()
    customer = OrganisationFactory()
    _client_sites(reseller, AgreementFactory(customer=customer), n)
    _signed_in(client, with_totp(UserFactory(reseller=reseller)))

    response = measure(
        client,
        reverse("accounts:reseller_client_detail", args=[customer.pk]),
        12,
        django_assert_max_num_queries,
    )

    assert response.context["customer"].managed_site_count == n
    sites = response.context["sites"]
    assert len(sites) == min(n, PAGE_SIZE)
    assert all(site.coverage == {"covered": 0, "expiring": 0, "lapsed": 3} for site in sites)
    assert {site.enrolment for site in sites} == {"not_enrolled", "welcome_sent", "enrolled"}


@pytest.mark.parametrize("n", SIZES)
def test_reseller_enrolment_form_query_count_does_not_grow_with_clients(
    client, n, django_assert_max_num_queries
):
    """Review #7 item 19: the form lists the reseller's clients and their agreements."""
    reseller = ResellerFactory()
    for customer in OrganisationFactory.create_batch(n):
        SiteFactory(agreement=AgreementFactory(customer=customer), reseller=reseller)
    _signed_in(client, with_totp(UserFactory(reseller=reseller)))

    response = measure(client, reverse("accounts:reseller_enrol"), 8, django_assert_max_num_queries)

    assert len(response.context["form"].fields["agreement"].queryset) == n
