"""Browser journeys for support (S1–S9), every page audited (axe-core, overflow):

(a) an authorized caller opens a severity-1 ticket and the on-call page lands in the mail
    folder at once (S9); support staff answer and the first-response clock stops (S4); the
    caller asks for escalation with a reason and the support managers are told (S5);
(b) a caller of another site gets 404 for the ticket (A4);
(c) a lapsed product is not offered, and posting it is refused with the reinstatement
    button (S3);
(d) a certified service partner's user sees its brand and asks for an advance replacement of
    a failed unit for its client (S2, S6, S8)."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone
from playwright.sync_api import expect

from licensing.models import Product
from support.models import ReplacementRequest, Ticket, TicketStatus
from tests.accounts.factories import (
    ContactFactory,
    OrganisationFactory,
    ResellerFactory,
    SiteFactory,
    UserFactory,
    with_totp,
)
from tests.e2e.helpers import field, sign_in, text_body
from tests.licensing.factories import EntitlementFactory, ProductFactory
from tests.support.permission_world import PNG_1X1

pytestmark = pytest.mark.e2e


def covered(site, product, *, today):
    return EntitlementFactory(
        site=site,
        product=product,
        purchased_on=today - timedelta(days=100),
        coverage_start=today - timedelta(days=100),
        coverage_end=today + timedelta(days=265),
    )


@pytest.fixture
def support_site(transactional_db):
    """A site bought direct, with an STC and an authorized caller; a covered and a lapsed
    product; a staff user (MFA)."""
    today = timezone.localdate()
    site = SiteFactory(
        number="5151515",
        name="Helios Works",
        agreement__customer=OrganisationFactory(name="Helios Group"),
    )
    now = timezone.now()
    ContactFactory(
        site=site,
        name="Stella Tech",
        email="stella@helios.test",
        stc_role="primary",
        user=UserFactory(email="stella@helios.test"),
        site_number_confirmed_at=now,
    )
    ContactFactory(
        site=site,
        name="Carl Caller",
        email="carl@helios.test",
        is_authorized_caller=True,
        user=UserFactory(email="carl@helios.test"),
        site_number_confirmed_at=now,
    )
    covered(site, ProductFactory(name="Atlas Database Server"), today=today)
    EntitlementFactory(
        site=site,
        product=ProductFactory(name="Comet Designer", reinstatement_price=Decimal("600")),
        purchased_on=today - timedelta(days=500),
        coverage_start=today - timedelta(days=500),
        coverage_end=today - timedelta(days=135),
    )
    with_totp(UserFactory(email="sam@vendor.test", first_name="Sam", is_staff=True))
    return site


def test_a_caller_opens_severity_1_staff_respond_and_the_customer_escalates(
    new_context, support_site, mailbox
):
    caller = new_context().new_page()
    sign_in(caller, "carl@helios.test")
    caller.get_by_role("link", name="Support", exact=True).click()
    caller.get_by_role("link", name="Open a ticket").first.click()
    expect(caller.get_by_role("heading", name="Open a ticket")).to_be_visible()
    # S3: only covered products are offered; S1: the severities with their definitions.
    expect(caller.get_by_text("Production is down", exact=False).first).to_be_visible()
    field(caller, "Product").select_option(label="Atlas Database Server")
    caller.get_by_role("radio", name=re.compile(r"^Severity 1")).check()
    field(caller, "Title").fill("Production database down")
    field(caller, "Description").fill("The cluster stopped at 10:02 and does not restart.")
    caller.get_by_role("button", name="Open the ticket").click()

    ticket = Ticket.objects.get()
    expect(caller.get_by_role("heading", name="Production database down")).to_be_visible()
    expect(caller.get_by_text(ticket.number).first).to_be_visible()
    expect(caller.get_by_text("left", exact=False).first).to_be_visible()  # the clock
    # S9: severity 1 pages the on-call address at once; the caller and the STC are told.
    page_mail = mailbox.wait_for(to=settings.SUPPORT_ONCALL_EMAIL, subject="SEV1")
    assert ticket.number in text_body(page_mail)
    mailbox.wait_for(to="stella@helios.test", subject=ticket.number)

    staff = new_context().new_page()
    sign_in(staff, "sam@vendor.test", totp=True)
    staff.get_by_role("link", name="Support queue").click()
    staff.get_by_role("link", name=ticket.number).click()
    field(staff, "Comment").fill("We are on it: restart the node with the -recover flag.")
    staff.get_by_role("button", name="Add the comment").click()
    expect(staff.get_by_text("We are on it", exact=False).first).to_be_visible()
    ticket.refresh_from_db()
    assert ticket.first_response_at is not None  # S4: the clock stopped
    assert ticket.status == TicketStatus.ACKNOWLEDGED
    expect(staff.get_by_text("Responded in time").first).to_be_visible()
    mailbox.wait_for(to="carl@helios.test", subject="updated")

    caller.reload()
    expect(caller.get_by_text("We are on it", exact=False).first).to_be_visible()
    caller.get_by_role("link", name="Ask for escalation").click()
    field(caller, "Why does this ticket need escalating?").fill(
        "The restart did not help; our plant is stopped."
    )
    caller.get_by_role("button", name="Escalate the ticket").click()
    expect(caller.get_by_text("Escalated on", exact=False).first).to_be_visible()
    ticket.refresh_from_db()
    assert ticket.escalated_at is not None
    mailbox.wait_for(to=settings.SUPPORT_MANAGERS_EMAIL, subject="Escalation")

    staff.get_by_role("link", name="Support queue").click()
    staff.get_by_role("link", name="Escalation queue").click()
    expect(staff.get_by_role("link", name=ticket.number)).to_be_visible()
    expect(staff.get_by_text("our plant is stopped", exact=False)).to_be_visible()


def test_a_caller_of_another_site_gets_404_for_the_ticket(new_context, support_site):
    ticket_site_caller = new_context().new_page()
    sign_in(ticket_site_caller, "carl@helios.test")
    ticket_site_caller.goto("/support/new/")
    field(ticket_site_caller, "Product").select_option(label="Atlas Database Server")
    ticket_site_caller.get_by_role("radio", name=re.compile(r"^Severity 3")).check()
    field(ticket_site_caller, "Title").fill("Slow reports")
    field(ticket_site_caller, "Description").fill("Reports take minutes.")
    ticket_site_caller.get_by_role("button", name="Open the ticket").click()
    ticket = Ticket.objects.get()

    other = SiteFactory(number="6161616", name="Other Co")
    ContactFactory(
        site=other,
        email="otto@other.test",
        is_authorized_caller=True,
        user=UserFactory(email="otto@other.test"),
        site_number_confirmed_at=timezone.now(),
    )
    stranger = new_context().new_page()
    sign_in(stranger, "otto@other.test")
    response = stranger.goto(f"/support/tickets/{ticket.number}/")
    assert response.status == 404
    expect(stranger.get_by_text("Slow reports")).to_have_count(0)


def test_a_lapsed_product_is_refused_with_the_reinstatement_link(new_context, support_site):
    page = new_context().new_page()
    sign_in(page, "carl@helios.test")
    page.goto(f"/support/sites/{support_site.number}/new/")
    # Not offered: listed apart, with its reinstatement quote.
    options = field(page, "Product").locator("option")
    expect(options.filter(has_text="Comet Designer")).to_have_count(0)
    lapsed = page.get_by_role("region", name="Products without support today")
    expect(lapsed.get_by_text("Comet Designer")).to_be_visible()
    expect(lapsed.get_by_role("button", name="Get a reinstatement quote")).to_be_visible()
    # Posted anyway (a stale form): refused with the reason and the button; nothing stored.
    comet = Product.objects.get(name="Comet Designer")
    page.evaluate(
        "(id) => { const s = document.querySelector('select[name=product]');"
        " const o = document.createElement('option'); o.value = id; o.text = 'Comet';"
        " s.appendChild(o); s.value = id; }",
        str(comet.pk),
    )
    page.get_by_role("radio", name=re.compile(r"^Severity 2")).check()
    field(page, "Title").fill("Designer crashes")
    field(page, "Description").fill("It crashes on start.")
    page.get_by_role("button", name="Open the ticket").click()
    expect(page.get_by_text("lapsed", exact=False).first).to_be_visible()
    expect(page.get_by_role("button", name="Get a reinstatement quote").first).to_be_visible()
    assert not Ticket.objects.exists()


@pytest.fixture
def partner_world(transactional_db):
    """A certified service partner with a brand and a logo, its user (MFA), a client site with
    a covered hardware unit and its STC."""
    partner = ResellerFactory(
        name="Northwind Partners",
        is_certified_service_partner=True,
        brand_name="Northwind Care",
        brand_primary_colour="#0B5394",
        brand_secondary_colour="#F1C232",
    )
    partner.brand_logo.save("northwind.png", ContentFile(PNG_1X1), save=True)
    site = SiteFactory(
        number="7171717",
        name="Kowal Plant",
        reseller=partner,
        agreement__customer=OrganisationFactory(name="Kowal S.A."),
    )
    ContactFactory(
        site=site,
        name="Ewa Tech",
        email="ewa@kowal.test",
        stc_role="primary",
        user=UserFactory(email="ewa@kowal.test"),
        site_number_confirmed_at=timezone.now(),
    )
    today = timezone.localdate()
    phone = ProductFactory(name="Poly Studio X50", kind=Product.Kind.HARDWARE)
    covered(site, phone, today=today)
    with_totp(UserFactory(email="rita@northwind.test", reseller=partner))
    return site


def test_a_partner_user_sees_its_brand_and_opens_an_rma(new_context, partner_world, mailbox):
    page = new_context().new_page()
    sign_in(page, "rita@northwind.test", totp=True)
    navbar = page.get_by_role("navigation", name="Main navigation")
    expect(navbar.get_by_text("Northwind Care")).to_be_visible()
    # The logo is decorative next to the name (alt=""), served by the portal itself.
    expect(navbar.locator("img.brand-logo")).to_have_attribute(
        "src", re.compile(r"^/support/brands/\d+/logo/")
    )

    page.get_by_role("link", name="Support", exact=True).click()
    page.get_by_role("link", name="Open a ticket").first.click()
    field(page, "Product").select_option(label="Poly Studio X50")
    page.get_by_role("radio", name=re.compile(r"^Severity 2")).check()
    field(page, "Title").fill("Conference phone dead")
    field(page, "Description").fill("No power after the storm.")
    page.get_by_role("button", name="Open the ticket").click()
    ticket = Ticket.objects.get()
    assert ticket.opened_via_partner_id == partner_world.reseller_id  # S2

    page.get_by_role("link", name="Request advance replacement").click()
    field(page, "Serial number of the failed unit").fill("X50-0001")
    field(page, "Fault").fill("Does not power on.")
    page.get_by_role("button", name="Request the replacement").click()
    rma = ReplacementRequest.objects.get()
    expect(page.get_by_text(rma.number).first).to_be_visible()
    expect(page.get_by_text("Northwind", exact=False).first).to_be_visible()  # installs it
    assert rma.installer_id == partner_world.reseller_id
    # S9/S8: the client's STC hears of it, in the partner's brand.
    message = mailbox.wait_for(to="ewa@kowal.test", subject=ticket.number)
    assert "Northwind Care" in message["Subject"]
    # The partner's other support pages, audited too: the onsite request (S7) and the
    # hardware coverage of its client sites (S8: all covered here, so nothing is flagged).
    page.goto(f"/support/tickets/{ticket.number}/onsite/")
    expect(page.get_by_role("heading").first).to_be_visible()
    page.goto("/support/partner/coverage/")
    expect(
        page.get_by_role("heading", name="Hardware coverage of your client sites")
    ).to_be_visible()
