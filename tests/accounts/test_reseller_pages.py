"""A reseller's clients, a client's page and the enrolment form (A2, A4, A5; review #7
item 19): an existing client's agreement is chosen or prefilled, never typed; one menu entry
for clients; the client page shows each site's enrolment status, primary contact, licence
coverage and actions; the clients list counts sites by enrolment status."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Agreement, Invitation, Site, User
from tests.accounts.factories import (
    AgreementFactory,
    ContactFactory,
    OrganisationFactory,
    ResellerFactory,
    SiteFactory,
    UserFactory,
    with_totp,
)
from tests.licensing.factories import EntitlementFactory

pytestmark = pytest.mark.django_db

SITE_FIELDS = {
    "site_number": "5550002",
    "site_name": "Acme Annex",
    "address_line1": "3 Side Street",
    "city": "Kraków",
    "country": "PL",
    "time_zone": "Europe/Warsaw",
    "language": "en",
    "contact_name": "Nora New",
    "contact_email": "nora@acme.test",
}


@pytest.fixture
def reseller_user() -> User:
    return with_totp(UserFactory(email="rita@reseller.test", reseller=ResellerFactory()))


@pytest.fixture
def acme(reseller_user):
    """A client with a PA agreement and one managed site."""
    customer = OrganisationFactory(name="Acme Ltd.")
    agreement = AgreementFactory(
        customer=customer, programme=Agreement.Programme.PA, number="PA-1000001"
    )
    SiteFactory(number="5550001", agreement=agreement, reseller=reseller_user.reseller)
    return agreement


# --- the enrolment form ------------------------------------------------------------------------


def test_enrolling_from_the_client_page_prefills_the_clients_agreement(client, reseller_user, acme):
    """Review #7 item 19: "Enrol another site" arrives with the agreement chosen."""
    client.force_login(reseller_user)

    response = client.get(reverse("accounts:reseller_enrol") + f"?customer={acme.customer_id}")

    form = response.context["form"]
    assert form["agreement"].value() == acme.pk
    assert "selected>Acme Ltd. — PA PA-1000001</option>" in response.content.decode()


def test_choosing_the_clients_agreement_enrols_the_site_without_typing_its_number(
    client, reseller_user, acme, django_capture_on_commit_callbacks
):
    """Review #7 item 19: no agreement number, programme or month to type."""
    client.force_login(reseller_user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:reseller_enrol"), {"agreement": acme.pk, **SITE_FIELDS}
        )

    assert response.status_code == 302
    site = Site.objects.get(number="5550002")
    assert site.agreement == acme
    assert site.customer == acme.customer
    assert site.reseller == reseller_user.reseller
    assert [message.to for message in mail.outbox] == [["nora@acme.test"]]


def test_choosing_the_client_and_programme_uses_its_agreement_without_the_number(
    client, reseller_user, acme, django_capture_on_commit_callbacks
):
    """Review #7 item 19: the number the portal knows is not asked for, nor told in an error."""
    client.force_login(reseller_user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:reseller_enrol"),
            {"customer": acme.customer_id, "programme": "PA", **SITE_FIELDS},
        )

    assert response.status_code == 302
    assert Site.objects.get(number="5550002").agreement == acme


def test_a_new_agreement_still_needs_its_number_and_anniversary(client, reseller_user, acme):
    """A1: a new agreement is described in full; the errors say which fields."""
    client.force_login(reseller_user)

    response = client.post(
        reverse("accounts:reseller_enrol"),
        {"customer_name": "Zeta Sp. z o.o.", "programme": "PA", **SITE_FIELDS},
    )

    errors = response.context["form"].errors
    assert errors["agreement_number"] == ["Enter the number of the new agreement."]
    assert errors["anniversary_month"] == ["Choose the anniversary month of the new agreement."]
    assert not Site.objects.filter(number="5550002").exists()


def test_the_form_offers_only_the_agreements_of_the_resellers_clients(client, reseller_user, acme):
    """A4: another reseller's client's agreement is neither listed nor accepted."""
    foreign = AgreementFactory(number="PA-9999999")
    SiteFactory(agreement=foreign, reseller=ResellerFactory())
    client.force_login(reseller_user)

    page = client.get(reverse("accounts:reseller_enrol")).content.decode()
    response = client.post(
        reverse("accounts:reseller_enrol"), {"agreement": foreign.pk, **SITE_FIELDS}
    )

    assert "PA-9999999" not in page
    assert "agreement" in response.context["form"].errors
    assert not Site.objects.filter(number="5550002").exists()


def test_a_pae_agreement_that_has_its_site_is_not_offered(client, reseller_user):
    """A2: a PAE agreement has exactly one site."""
    pae = AgreementFactory(programme=Agreement.Programme.PAE, number="PAE-7000001")
    SiteFactory(agreement=pae, reseller=reseller_user.reseller)
    client.force_login(reseller_user)

    response = client.get(reverse("accounts:reseller_enrol"))

    assert list(response.context["form"].fields["agreement"].queryset) == []


# --- the menu ----------------------------------------------------------------------------------


def test_a_reseller_has_one_menu_entry_for_clients(client, reseller_user, acme):
    """Review #7 item 19: "Clients" and "Client sites" both sat in the menu."""
    client.force_login(reseller_user)

    page = client.get(reverse("accounts:reseller_clients")).content.decode()
    menu = page[page.index('id="main-nav"') : page.index("</nav>")]

    assert menu.count(">Clients</a>") == 1
    assert "Client sites" not in menu


# --- the client page ---------------------------------------------------------------------------


@pytest.fixture
def client_sites(reseller_user, acme):
    """Three sites of Acme: not enrolled, welcome sent, accepted, with licences."""
    now = timezone.now()
    reseller = reseller_user.reseller
    waiting = SiteFactory(
        number="5550003", agreement=acme, reseller=reseller, enrolled_at=now - timedelta(days=2)
    )
    accepted = SiteFactory(number="5550004", agreement=acme, reseller=reseller, enrolled_at=now)
    ContactFactory(site=Site.objects.get(number="5550001"), name="Una", is_primary=True)
    primary = ContactFactory(
        site=waiting, name="Wes Waiting", email="wes@acme.test", is_primary=True
    )
    Invitation.objects.create(
        contact=primary,
        kind=Invitation.Kind.WELCOME,
        email=primary.email,
        created_at=now - timedelta(days=2),
        expires_at=now + timedelta(days=5),
    )
    ContactFactory(site=accepted, is_primary=True, user=UserFactory())
    EntitlementFactory(site=accepted, quantity=4, coverage_end=now.date() + timedelta(days=400))
    EntitlementFactory(site=accepted, quantity=2, coverage_end=now.date() + timedelta(days=30))
    return waiting, accepted


def _row(page: str, number: str) -> str:
    start = page.index(f">{number}</a>")
    return page[start : page.index("</tr>", start)]


def test_the_client_page_lists_the_clients_sites_with_their_enrolment_status(
    client, reseller_user, acme, client_sites
):
    """Review #7 item 19: enrolled / welcome sent on <date>, not yet accepted / not enrolled."""
    client.force_login(reseller_user)
    waiting, _accepted = client_sites

    page = client.get(
        reverse("accounts:reseller_client_detail", args=[acme.customer_id])
    ).content.decode()

    assert "Not enrolled" in _row(page, "5550001")
    sent = timezone.localdate(waiting.enrolled_at)
    assert f"Welcome sent on {sent.day} {sent:%b %Y}, not yet accepted" in _row(page, "5550003")
    assert "Enrolled" in _row(page, "5550004")


def test_the_client_page_shows_primary_contacts_licence_counts_and_actions(
    client, reseller_user, acme, client_sites
):
    """Review #7 item 19: who the primary contact is, licences by coverage, and the actions."""
    client.force_login(reseller_user)

    page = client.get(
        reverse("accounts:reseller_client_detail", args=[acme.customer_id])
    ).content.decode()

    waiting_row, accepted_row = _row(page, "5550003"), _row(page, "5550004")
    assert "Wes Waiting" in waiting_row
    assert "wes@acme.test" in waiting_row
    assert "Resend the welcome e-mail" in waiting_row
    assert "4 covered" in accepted_row
    assert "2 expiring" in accepted_row
    assert "0 lapsed" in accepted_row
    assert "welcome" not in accepted_row.lower()
    assert "Enrol and send the welcome e-mail" in _row(page, "5550001")
    assert reverse("accounts:reseller_enrol") + f"?customer={acme.customer_id}" in page


def test_the_clients_list_counts_sites_by_enrolment_status(
    client, reseller_user, acme, client_sites
):
    """Review #7 item 19: an enrolment column on the clients list."""
    client.force_login(reseller_user)

    page = client.get(reverse("accounts:reseller_clients")).content.decode()

    row = page[page.index("Acme Ltd.") : page.index("</tr>", page.index("Acme Ltd."))]
    assert "1 enrolled" in row
    assert "1 welcome sent, not yet accepted" in row
    assert "1 not enrolled" in row
